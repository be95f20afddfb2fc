/**
 * Helpers for the tip-line tests. The bot under test is the real app (createApp through the shared
 * end-to-end harness, test/e2e/harness.ts): nothing here wires features by hand.
 */
import type { Update } from "telegraf/types";
import type { TipLimits } from "../../src/tips/index.js";
import { startHarness, type Harness, type HarnessOptions } from "../e2e/harness.js";
import type { ApiCall, BotApiDouble } from "../support/bot-api-double.js";

/** The tip tests' clock start (the harness's JumpClock; moved with h.clock.advance/set). */
export const TIP_EPOCH_MS = Date.UTC(2024, 1, 20, 6, 3);

export interface TipDeskOptions {
  newsroomChatId: number;
  admins?: number[];
  /** `tips:` settings (config.tips); the rest keep their defaults. */
  limits?: Partial<TipLimits>;
  /** config.locale: the newsroom's language and the default for readers (default en). */
  locale?: "en" | "zh-CN";
  logLevel?: HarnessOptions["logLevel"];
  /** Items the feed serves (search results after `h.app.scheduler.pollAll()`). */
  items?: HarnessOptions["items"];
}

/**
 * The real app (createApp) with a tip line: newsroom chat, contact details, tip limits and locale
 * from YAML. `onFinished` is the test context's onTestFinished (the tests run concurrently, each on
 * its own app and double): the app is closed when the test ends.
 */
export async function startTipDesk(o: TipDeskOptions, onFinished: (close: () => Promise<void>) => void): Promise<Harness> {
  const h = await startHarness({
    startAt: TIP_EPOCH_MS,
    newsroomChatId: o.newsroomChatId,
    admins: o.admins ?? [],
    newsroomContact: { hotline: "0631-5213515", web: "https://news.example/tips" },
    extraYaml: [`locale: ${o.locale ?? "en"}`, ...(o.limits ? [`tips: ${JSON.stringify(o.limits)}`] : [])],
    ...(o.logLevel ? { logLevel: o.logLevel } : {}),
    ...(o.items ? { items: o.items } : {}),
  });
  onFinished(() => h.close());
  return h;
}

/** Pushes an update and resolves with the first call after it that matches. */
export async function pushAndWait(double: BotApiDouble, update: Update, match: (call: ApiCall) => boolean, timeoutMs = 15_000): Promise<ApiCall> {
  const from = double.calls.length;
  double.pushUpdate(update);
  return double.waitFor((c) => double.calls.indexOf(c) >= from && match(c), timeoutMs);
}

/** Resolves with the first call after now that matches (start it before the action that causes it). */
export function nextCall(double: BotApiDouble, match: (call: ApiCall) => boolean, timeoutMs = 15_000): Promise<ApiCall> {
  const from = double.calls.length;
  return double.waitFor((c) => double.calls.indexOf(c) >= from && match(c), timeoutMs);
}

/** A successful sending call to this chat (sendMessage, copyMessage, copyMessages…). */
export const sentTo =
  (chatId: number, method?: string) =>
  (c: ApiCall): boolean =>
    c.ok && Number(c.params.chat_id) === chatId && (method === undefined || c.method === method) && c.method !== "getUpdates";

/** Waits until the condition holds (polls every 10 ms, up to 10 s); for store state, never for timing. */
export async function until(condition: () => boolean | Promise<boolean>, what = "condition"): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${what} not reached within 10 s`);
}

/** Text of a sendMessage call (HTML source). */
export const textOfCall = (c: ApiCall): string => {
  const text = c.params.text ?? c.params.caption;
  return typeof text === "string" ? text : "";
};

/**
 * Waits for the condition while moving the app's clock forward in steps (polling every 20 ms, up to
 * 10 s of real time): retry backoffs the app sleeps on its injected clock end at once.
 */
export async function fastForward(h: Harness, condition: () => boolean, what = "condition", stepMs = 5_000): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    h.clock.advance(stepMs);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${what} not reached within 10 s`);
}
