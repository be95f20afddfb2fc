import type { Composer } from "telegraf";
import { startTipHandler, tipCommands } from "../../commands/tip.js";
import { tipStaffCommands } from "../../commands/tip-staff.js";
import type { NewsdeskContext } from "../bot/context.js";
import type { StaffPolicy } from "../bot/staff.js";
import { systemClock, type Clock, type Sleep } from "../delivery/time.js";
import { messages, type Lang } from "../i18n/index.js";
import type { Logger } from "../log.js";
import type { TipDeps, TipLimits } from "./deps.js";
import { TipDispatcher, type TipPacer, type TipTelegram } from "./dispatch.js";
import { kindCounts, newsroomTime } from "./message.js";
import { TipRepo, type KeyvSource } from "./repo.js";
import type { KeyedLock } from "./repo.js";
import { truncateText } from "../delivery/text.js";

export type { TipDeps, TipLimits } from "./deps.js";
export { TipDispatcher, type TipTelegram, type TipPacer } from "./dispatch.js";
export { TipRepo, type KeyvSource } from "./repo.js";
export { newTipRef, parseTipRef } from "./ref.js";

export interface TipLineOptions {
  /** The app's Store (or any `namespace(name) → Keyv`). */
  store: KeyvSource;
  /** Bot API calls for the newsroom queue, e.g. `{ call: (m, p) => bot.telegram.callApi(m as never, p as never) }`. */
  telegram: TipTelegram;
  limits: TipLimits;
  newsroom: { chatId?: number | undefined; admins: readonly number[]; hotline?: string | undefined; web?: string | undefined };
  /** Language of cards and answers in the newsroom chat (config.locale). */
  newsroomLang: Lang;
  /** IANA zone of the card's time (config.timezone). */
  timezone: string;
  logger: Logger;
  /** A reader's chosen language (LangStore.get); default: the language at the time of the tip. */
  langOf?: (chatId: number) => Promise<Lang | undefined>;
  /** Extra deletion for /forget (subscriptions…). */
  onForget?: (chatId: number) => Promise<void>;
  clock?: Clock;
  sleep?: Sleep;
  /** Share the delivery sender's pacer so both respect the newsroom group's 20/min together. */
  pacer?: TipPacer;
  /** The staff policy shared with the rest of the bot (mutable: a migrated newsroom updates it); default from `newsroom`. */
  policy?: StaffPolicy;
  /** Told when Telegram moved the newsroom group to a new (supergroup) id. */
  onNewsroomMigrated?: (newChatId: number) => void;
  /** Per-key lock for drafts and the queue; default in-process. Several instances pass a Redis lock. */
  lock?: KeyedLock;
  /** Retry backoff of the newsroom queue; defaults 1000 and 60000. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface TipLine {
  /** Reader side; place before plain-text handlers. */
  commands: Composer<NewsdeskContext>;
  /** Newsroom side; place early (it only consumes staff commands and replies to tip messages). */
  staff: Composer<NewsdeskContext>;
  /** For startCommand({ onTip }). */
  startTip: (ctx: NewsdeskContext) => Promise<void>;
  repo: TipRepo;
  dispatcher: TipDispatcher;
  /** Starts the newsroom queue (resumes stored work). */
  start(): void;
  /** Stops the queue after its current step; queued tips stay stored. */
  stop(): Promise<void>;
}

/** Builds the tip line: storage, the durable newsroom queue, and both composers. No I/O until start(). */
export function createTipLine(o: TipLineOptions): TipLine {
  const clock = o.clock ?? systemClock;
  const repo = new TipRepo(o.store, clock, o.lock);
  const nm = messages(o.newsroomLang);
  const policy: StaffPolicy = o.policy ?? { newsroomChatId: o.newsroom.chatId, admins: o.newsroom.admins };
  const dispatcher = new TipDispatcher({
    repo,
    telegram: o.telegram,
    newsroomChatId: policy.newsroomChatId,
    onNewsroomMigrated: (newChatId) => {
      // Staff checks and reply relays follow the newsroom to its new id at once.
      policy.newsroomChatId = newChatId;
      o.onNewsroomMigrated?.(newChatId);
    },
    renderCard: (tip) =>
      nm.tipCard({
        ref: tip.ref,
        time: newsroomTime(tip.createdAt, o.timezone),
        name: tip.anonymous ? undefined : tip.readerName,
        username: tip.anonymous ? undefined : tip.readerUsername,
        kinds: kindCounts(tip.items),
      }),
    // The label takes a few dozen characters of Telegram's 4096: a long answer is cut, not dropped.
    renderAnswerText: (ref, text) => nm.tipAnswerText({ ref, text: truncateText(text, 3900) }),
    logger: o.logger,
    clock,
    ...(o.sleep ? { sleep: o.sleep } : {}),
    ...(o.pacer ? { pacer: o.pacer } : {}),
    ...(o.baseDelayMs !== undefined ? { baseDelayMs: o.baseDelayMs } : {}),
    ...(o.maxDelayMs !== undefined ? { maxDelayMs: o.maxDelayMs } : {}),
  });
  const deps: TipDeps = {
    repo,
    kick: () => dispatcher.kick(),
    limits: o.limits,
    contact: { hotline: o.newsroom.hotline, web: o.newsroom.web },
    policy,
    logger: o.logger,
    clock,
    langOf: o.langOf ?? (() => Promise.resolve(undefined)),
    onForget: o.onForget,
  };
  return {
    commands: tipCommands(deps),
    staff: tipStaffCommands(deps),
    startTip: startTipHandler(deps),
    repo,
    dispatcher,
    start: () => dispatcher.start(),
    stop: () => dispatcher.stop(),
  };
}
