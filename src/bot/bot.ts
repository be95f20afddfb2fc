import { Context, Telegraf, type Composer, type Telegram } from "telegraf";
import { floodGuard } from "./flood.js";
import { UpdateRunner } from "./update-runner.js";
import type { UserFromGetMe } from "telegraf/types";
import { langFromUserCode, messages, type Lang } from "../i18n/index.js";
import type { Logger } from "../log.js";
import type { NewsdeskContext } from "./context.js";
import { StoreError } from "../store/errors.js";

/** Where a chat's chosen language is kept. */
export interface LangStore {
  get(chatId: number): Promise<Lang | undefined>;
  set(chat: { id: number; type: string }, lang: Lang): Promise<void>;
}

export interface BotDeps {
  token: string;
  /** Bot API root; tests and local Bot API servers point it elsewhere. Default https://api.telegram.org. */
  apiRoot?: string;
  /** Preset bot identity (tests); otherwise fetched with getMe on launch. */
  botInfo?: UserFromGetMe;
  /** Language for chats that chose none and whose user gave no language_code. */
  defaultLang: Lang;
  langs: LangStore;
  logger: Logger;
  /** Feature composers, in order; the first to handle an update wins. */
  features: Array<Composer<NewsdeskContext>>;
  /** Builds the bot's own Telegram client and each update's (replies): the app's paced TelegramClient. Default: telegraf's. */
  makeTelegram?: () => Telegram;
  /** Called for every update after it was handled, for metrics. */
  onUpdate?: (kind: string, ok: boolean) => void;
}

/**
 * telegraf's bot whose updates go through an UpdateRunner: per chat in order, across chats side by
 * side. In polling mode (`detached`) the next batch is fetched at once instead of after the slowest
 * update of this one; a webhook request still waits for its own update.
 */
export class NewsdeskBot extends Telegraf<NewsdeskContext> {
  readonly runner = new UpdateRunner();
  /** Set for long polling: handleUpdate returns as soon as the update is queued. */
  detached = false;

  override handleUpdate(...args: Parameters<Telegraf<NewsdeskContext>["handleUpdate"]>): Promise<void> {
    const done = this.runner.run(args[0], () => super.handleUpdate(...args));
    return this.detached ? Promise.resolve() : done;
  }
}

/** Builds the bot; no I/O happens until it is launched or handed an update. */
export function createBot(deps: BotDeps): NewsdeskBot {
  const make = deps.makeTelegram;
  const bot = new NewsdeskBot(deps.token, {
    telegram: { apiRoot: deps.apiRoot ?? "https://api.telegram.org", webhookReply: false },
    handlerTimeout: 60_000,
    // Each update's context gets the app's client instead of a plain one (telegraf makes one per update).
    ...(make ? { contextType: contextWith(make) } : {}),
  });
  if (make) bot.telegram = make();
  if (deps.botInfo) bot.botInfo = deps.botInfo;

  bot.use(async (ctx, next) => {
    // Inline queries have no chat: the reader's choice in their private chat (its id is theirs) applies.
    const chatId = ctx.chat?.id ?? (ctx.inlineQuery || ctx.chosenInlineResult ? ctx.from?.id : undefined);
    const chosen = chatId !== undefined ? await deps.langs.get(chatId).catch(() => undefined) : undefined;
    ctx.lang = chosen ?? langFromUserCode(ctx.from?.language_code, deps.defaultLang);
    ctx.m = messages(ctx.lang);
    await next();
    deps.onUpdate?.(ctx.updateType, true);
  });

  // One user's flood of commands must not spend everyone's Telegram budget.
  bot.use(floodGuard({ logger: deps.logger, arrivedAt: (u) => bot.runner.arrivedAt(u) }));
  for (const feature of deps.features) bot.use(feature);
  // Last in line: a button no feature claimed (an old keyboard, forged or garbage data) is still
  // answered, or the reader's client shows it spinning until it times out.
  bot.on("callback_query", async (ctx) => {
    await ctx.answerCbQuery(ctx.m.unknownButton());
  });

  // One bad update never stops the bot: log it (ids and kinds only, never content) and apologise.
  bot.catch(async (err, ctx) => {
    deps.logger.error(
      // A private chat id identifies a reader (maybe a tipster): log only the chat type there.
      {
        err,
        updateId: ctx.update.update_id,
        updateType: ctx.updateType,
        chatType: ctx.chat?.type,
        ...(ctx.chat && ctx.chat.type !== "private" ? { chatId: ctx.chat.id } : {}),
      },
      "update failed",
    );
    deps.onUpdate?.(ctx.updateType, false);
    // A busy or unreachable store (another process locking the SQLite file) is worth saying: try again.
    const m = messages(ctx.lang ?? deps.defaultLang);
    const apology = err instanceof StoreError ? m.storeUnavailable() : m.apology();
    try {
      if (ctx.callbackQuery) await ctx.answerCbQuery(apology);
      else if (ctx.chat && ctx.chat.type !== "channel") await ctx.reply(apology);
    } catch (replyErr) {
      deps.logger.warn({ err: replyErr, updateId: ctx.update.update_id }, "could not send the apology");
    }
  });
  return bot;
}

/** A Context class whose Telegram client comes from `make`. */
function contextWith(make: () => Telegram): new (...args: ConstructorParameters<typeof Context>) => NewsdeskContext {
  return class extends Context {
    constructor(...[update, , botInfo]: ConstructorParameters<typeof Context>) {
      super(update, make(), botInfo);
    }
  } as unknown as new (...args: ConstructorParameters<typeof Context>) => NewsdeskContext;
}
