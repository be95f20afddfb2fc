import type { Telegraf, Telegram } from "telegraf";
import type { AppConfig } from "../config/load.js";
import type Keyv from "keyv";
import type { NewsdeskContext } from "./bot/context.js";
import type { StaffPolicy } from "./bot/staff.js";
import type { ChatRepo } from "./chats/repo.js";
import type { Sleep } from "./delivery/time.js";
import type { TelegramSender } from "./delivery/types.js";
import { COMMAND_MENU } from "./i18n/commands.js";
import type { Logger } from "./log.js";
import { sendResultOf, type Metrics } from "./metrics.js";
import type { Store } from "./store/index.js";

// Start-up and wiring helpers of the composition root (src/app.ts).

/** Counts each sent message by result for /metrics. */
export function metered(telegram: TelegramSender, metrics: Metrics): TelegramSender {
  return {
    call: async (method, payload) => {
      try {
        const result = await telegram.call(method, payload);
        metrics.messageSent("ok");
        return result;
      } catch (err) {
        metrics.messageSent(sendResultOf(err));
        throw err;
      }
    },
  };
}

/** getMe until Telegram answers (it may be briefly unreachable at boot); the token is never logged. */
export async function waitForTelegram(
  bot: Telegraf<NewsdeskContext>,
  logger: Logger,
  sleep: Sleep,
  signal: AbortSignal,
): Promise<void> {
  for (let delayMs = 1000; !signal.aborted; delayMs = Math.min(delayMs * 2, 60_000)) {
    try {
      bot.botInfo = await bot.telegram.getMe();
      return;
    } catch (err) {
      const code = (err as { response?: { error_code?: number } }).response?.error_code;
      if (code === 401 || code === 404) throw new Error("Telegram refused the bot token (401/404): check BOT_TOKEN");
      logger.warn({ err, retryInMs: delayMs }, "Telegram unreachable; retrying");
      await sleep(delayMs, signal);
    }
  }
}

/**
 * `channel.chatId` may be "@name": Telegram tells the numeric id. A failure is retried with backoff
 * until it works or `signal` aborts (a network blip at start must not cut the channel off).
 */
export async function resolveChannel(
  config: AppConfig,
  telegram: Telegram,
  logger: Logger,
  sleep: Sleep,
  signal: AbortSignal,
): Promise<number | undefined> {
  const id = config.channel?.chatId;
  if (id === undefined || typeof id === "number") return id;
  for (let delayMs = 5000; !signal.aborted; delayMs = Math.min(delayMs * 2, 300_000)) {
    try {
      return (await telegram.getChat(id)).id;
    } catch (err) {
      logger.error({ err, channel: id, retryInMs: delayMs }, "cannot resolve the channel yet; its posts are held");
      await sleep(delayMs, signal);
    }
  }
  return undefined;
}

export async function tipCountsByStatus(store: Store): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for await (const [, value] of store.entries<{ status?: string }>("tips")) {
    const s = value?.status ?? "unknown";
    counts[s] = (counts[s] ?? 0) + 1;
  }
  return counts;
}

/** setMyCommands for the default language and for each language code. */
export async function registerCommands(bot: Telegraf<NewsdeskContext>, defaultLang: "zh-CN" | "en"): Promise<void> {
  await bot.telegram.setMyCommands(COMMAND_MENU[defaultLang]);
  await bot.telegram.setMyCommands(COMMAND_MENU["zh-CN"], { language_code: "zh" });
  await bot.telegram.setMyCommands(COMMAND_MENU.en, { language_code: "en" });
}

/**
 * The staff policy with the newsroom's current chat id: the configured one, or the supergroup it
 * was migrated to (remembered in `settings` while the config still names the old id).
 */
export async function newsroomPolicy(
  config: AppConfig,
  settings: Keyv,
  logger: Logger,
): Promise<{ policy: StaffPolicy; migrated: (newChatId: number) => Promise<void> }> {
  const policy: StaffPolicy = { newsroomChatId: config.newsroom.chatId, admins: config.newsroom.admins };
  const stored = (await settings.get("newsroom_migration")) as { from?: unknown; to?: unknown } | undefined;
  if (stored && stored.from === config.newsroom.chatId && typeof stored.to === "number") policy.newsroomChatId = stored.to;
  // Idempotent: the tip queue and the sender may both report the same migration.
  const migrated = async (newChatId: number): Promise<void> => {
    const stored = (await settings.get("newsroom_migration")) as { to?: unknown } | undefined;
    policy.newsroomChatId = newChatId;
    if (stored?.to === newChatId) return;
    logger.warn({ from: config.newsroom.chatId, to: newChatId }, "the newsroom group became a supergroup; update newsroom.chatId");
    await settings.set("newsroom_migration", { from: config.newsroom.chatId, to: newChatId });
  };
  return { policy, migrated };
}

/** Chat records for the sender, plus: when the chat that migrated is the newsroom, follow it. */
export function followNewsroomMigration(
  chats: ChatRepo,
  policy: StaffPolicy,
  migrated: (newChatId: number) => Promise<void>,
): ChatRepo {
  const migrate = chats.migrate.bind(chats);
  chats.migrate = async (oldId, newId) => {
    if (oldId === policy.newsroomChatId) await migrated(newId);
    return migrate(oldId, newId);
  };
  return chats;
}
