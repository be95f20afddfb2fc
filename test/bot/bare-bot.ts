/**
 * A bot from createBot with only the given composers, long-polling the Bot API double: for tests of
 * createBot itself (fallbacks, update handling). Feature tests use the real app (test/e2e/harness.ts).
 */
import Keyv from "keyv";
import { pino } from "pino";
import type { Composer } from "telegraf";
import type { Update } from "telegraf/types";
import { createBot } from "../../src/bot/bot.js";
import type { NewsdeskContext } from "../../src/bot/context.js";
import type { Lang } from "../../src/i18n/index.js";
import { startBotApiDouble, type ApiCall, type BotApiDouble } from "../support/bot-api-double.js";

export interface CommandBot {
  double: BotApiDouble;
  /** Pushes an update and resolves with the first later call matching `match`. */
  send(update: Update, match: (call: ApiCall) => boolean): Promise<ApiCall>;
  stop(): Promise<void>;
}

export async function startCommandBot(features: Array<Composer<NewsdeskContext>>): Promise<CommandBot> {
  // Replies here are not paced (the app's pacer is not in this bot), so the double's limits are off.
  const double = await startBotApiDouble({ limits: { enabled: false } });
  const langs = new Keyv<Lang>();
  const bot = createBot({
    token: double.token,
    apiRoot: double.apiRoot,
    defaultLang: "en",
    langs: { get: async (id) => langs.get(String(id)), set: async (chat, lang) => void (await langs.set(String(chat.id), lang)) },
    logger: pino({ level: "silent" }),
    features,
  });
  const polling = bot.launch({ dropPendingUpdates: false });
  polling.catch(() => undefined);
  for (let i = 0; i < 500 && !double.isLongPolling(); i++) await new Promise((r) => setTimeout(r, 10));
  return {
    double,
    send: async (update, match) => {
      const from = double.calls.length;
      double.pushUpdate(update);
      return double.waitFor((c) => double.calls.indexOf(c) >= from && match(c));
    },
    stop: async () => {
      bot.stop("test");
      await polling.catch(() => undefined);
      await double.close();
    },
  };
}
