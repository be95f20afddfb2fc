import Keyv from "keyv";
import type { Composer, Telegraf } from "telegraf";
import type { Update } from "telegraf/types";
import { helpCommand } from "../../commands/help.js";
import { startCommand } from "../../commands/start.js";
import { createBot } from "../../src/bot/bot.js";
import type { NewsdeskContext } from "../../src/bot/context.js";
import { keyvLangStore } from "../../src/bot/lang-store.js";
import { tipStaffCommands } from "../../commands/tip-staff.js";
import { startTipHandler, tipCommands } from "../../commands/tip.js";
import { LocalPacing, Pacer } from "../../src/delivery/pacer.js";
import { realSleep } from "../../src/delivery/time.js";
import { TelegramClient } from "../../src/telegram/client.js";
import { paced } from "../../src/telegram/pacing.js";
import { createLogger } from "../../src/log.js";
import { createTipLine, type KeyvSource, type TipLimits, type TipLine } from "../../src/tips/index.js";
import type { TipIntakeOptions } from "../../src/tips/intake.js";
import type { ApiCall, BotApiDouble } from "../support/bot-api-double.js";

/** Namespaces of in-memory Keyv, the same instance per name (what Store.namespace promises). */
export function memoryStore(): KeyvSource {
  const spaces = new Map<string, Keyv>();
  return {
    namespace(name) {
      let kv = spaces.get(name);
      if (!kv) spaces.set(name, (kv = new Keyv()));
      return kv;
    },
  };
}

/** A clock tests move by hand (retention, rate limits). */
export function manualClock(startMs = Date.UTC(2024, 1, 20, 6, 3)): { now(): number; advance(ms: number): void } {
  let t = startMs;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

export const DEFAULT_LIMITS: TipLimits = { maxPerHour: 5, maxAttachments: 20, maxTextChars: 8000, retentionDays: 90, draftHours: 24 };

export interface Running {
  bot: Telegraf<NewsdeskContext>;
  line: TipLine;
  logLines: string[];
  stop(): Promise<void>;
}

/** The bot as app.ts wires it (tip staff side first, /start, tip reader side, /help), long-polling the double. */
export async function runBot(
  double: BotApiDouble,
  o: {
    store: KeyvSource;
    newsroomChatId: number;
    admins?: number[];
    limits?: Partial<TipLimits>;
    clock?: { now(): number };
    logLines?: string[];
    /** Search hand-off and topic words for the tip line (commands/index.ts passes the real ones). */
    tipOptions?: TipIntakeOptions;
    /** Features after the tip line (e.g. a stand-in for plain-text search). */
    after?: Array<Composer<NewsdeskContext>>;
    /** Language of the newsroom chat (default en). */
    newsroomLang?: "en" | "zh-CN";
  },
): Promise<Running> {
  const logLines = o.logLines ?? [];
  const logger = createLogger({ level: "debug", secrets: [double.token], out: { write: (s: string) => logLines.push(s) } });
  const langs = keyvLangStore(new Keyv<string>());
  // Real group pacing (20/min) stays; only the 1 s minimum gap is shortened to keep tests quick. Pacing
  // runs on real time even when the tips' clock is moved by hand (retention): its sleeps are real.
  const clock = { now: () => Date.now() };
  const pacing = new LocalPacing(new Pacer(clock, { perChatIntervalMs: 20 }), clock);
  const tipsTelegram = new TelegramClient(double.token, { apiRoot: double.apiRoot }, [paced({ pacing, clock, sleep: realSleep, logger, maxWaitMs: 60_000 })]);
  const line = createTipLine({
    store: o.store,
    telegram: { call: tipsTelegram.call },
    limits: { ...DEFAULT_LIMITS, ...o.limits },
    newsroom: { chatId: o.newsroomChatId, admins: o.admins ?? [], hotline: "0631-5213515", web: "https://news.example/tips" },
    newsroomLang: o.newsroomLang ?? "en",
    timezone: "Asia/Shanghai",
    logger,
    langOf: (chatId) => langs.get(chatId),
    ...(o.clock ? { clock: o.clock } : {}),
    baseDelayMs: 20,
    maxDelayMs: 100,
  });
  const bot = createBot({
    token: double.token,
    apiRoot: double.apiRoot,
    defaultLang: "en",
    langs,
    logger,
    features: [
      tipStaffCommands(line.deps),
      startCommand({ outletName: "Test Daily", onTip: startTipHandler(line.deps) }),
      tipCommands(line.deps, o.tipOptions),
      helpCommand({ policy: line.deps.policy }),
      ...(o.after ?? []),
    ],
  });
  const polling = bot.launch({ dropPendingUpdates: false });
  polling.catch(() => undefined);
  line.start();
  await until(() => double.isLongPolling());
  return {
    bot,
    line,
    logLines,
    async stop() {
      await line.stop();
      bot.stop("test");
      await polling.catch(() => undefined);
    },
  };
}

/** Pushes an update and resolves with the first call after it that matches. */
export async function pushAndWait(double: BotApiDouble, update: Update, match: (call: ApiCall) => boolean, timeoutMs = 5000): Promise<ApiCall> {
  const from = double.calls.length;
  double.pushUpdate(update);
  return double.waitFor((c) => double.calls.indexOf(c) >= from && match(c), timeoutMs);
}

/** A successful sending call to this chat (sendMessage, copyMessage, copyMessages…). */
export const sentTo =
  (chatId: number, method?: string) =>
  (c: ApiCall): boolean =>
    c.ok && Number(c.params.chat_id) === chatId && (method === undefined || c.method === method) && c.method !== "getUpdates";

/** Waits until the condition holds (polls every 5 ms, up to 3 s); for store state, never for timing. */
export async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error("condition not reached within 3 s");
}

/** Text of a sendMessage call (HTML source). */
export const textOfCall = (c: ApiCall): string => {
  const text = c.params.text ?? c.params.caption;
  return typeof text === "string" ? text : "";
};
