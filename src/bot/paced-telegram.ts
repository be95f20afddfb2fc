import type { Telegram } from "telegraf";
import type { Pacer } from "../delivery/pacer.js";
import { classifyTelegramError } from "../delivery/errors.js";
import type { Clock, Sleep } from "../delivery/time.js";
import type { Logger } from "../log.js";

/** Methods that put a message in a chat and so count against Telegram's send limits. */
const SENDING = new Set([
  "sendMessage",
  "sendPhoto",
  "sendVideo",
  "sendAudio",
  "sendVoice",
  "sendDocument",
  "sendAnimation",
  "sendSticker",
  "sendLocation",
  "sendVenue",
  "sendContact",
  "sendPoll",
  "sendDice",
  "sendMediaGroup",
  "copyMessage",
  "copyMessages",
  "forwardMessage",
  "forwardMessages",
]);

export interface PacedTelegramOptions {
  pacer: Pacer;
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  /** 429s retried before the error reaches the handler. Default 3. */
  maxRateLimitRetries?: number;
  /** Longest wait for a reply's pacing slot; a 429 asking for more than 4× this is not waited out. Default 3000. */
  maxWaitMs?: number;
}

/**
 * Makes a handler's own replies obey the same pacer as bulk deliveries: each send waits for its
 * chat's and the global slot (without queueing behind bulk work, so replies go first), and a 429
 * pauses exactly `retry_after` before the call is repeated. Bulk deliveries use their own,
 * unwrapped Telegram client, since the sender paces them itself.
 */
export function pacedTelegram(telegram: Telegram, opts: PacedTelegramOptions): Telegram {
  const original = telegram.callApi.bind(telegram);
  const maxRetries = opts.maxRateLimitRetries ?? 3;
  const maxWaitMs = opts.maxWaitMs ?? 3000;
  const paced = async (method: string, payload: unknown, extra?: unknown): Promise<unknown> => {
    const chatIdRaw = (payload as { chat_id?: unknown } | undefined)?.chat_id;
    const chatId = typeof chatIdRaw === "number" ? chatIdRaw : typeof chatIdRaw === "string" ? Number(chatIdRaw) : NaN;
    if (!SENDING.has(method) || !Number.isFinite(chatId)) {
      // Other methods (getMe, setMyCommands, answerCallbackQuery…) are not paced, but a 429 still
      // means "wait retry_after, then try again", not failure.
      for (let attempt = 0; ; attempt++) {
        try {
          return await original(method as never, payload as never, extra as never);
        } catch (err) {
          const classified = classifyTelegramError(err, 0);
          if (classified.kind !== "rate-limited" || attempt >= maxRetries) throw err;
          opts.logger.warn({ method, retryAfterSeconds: classified.retryAfterSeconds }, "call rate limited; waiting");
          await opts.sleep(classified.retryAfterSeconds * 1000);
        }
      }
    }
    for (let attempt = 0; ; attempt++) {
      // A reply waits for its slot, but not for long: a group whose minute is full of deliveries must
      // not hold this update (and, in polling mode, the next batch of everyone's updates).
      const deadline = opts.clock.now() + maxWaitMs;
      for (;;) {
        const wait = Math.min(opts.pacer.readyAt(chatId), deadline) - opts.clock.now();
        if (wait <= 0) break;
        await opts.sleep(wait);
      }
      opts.pacer.take(chatId);
      try {
        const result = await original(method as never, payload as never, extra as never);
        opts.pacer.settle(chatId);
        return result;
      } catch (err) {
        opts.pacer.settle(chatId);
        const classified = classifyTelegramError(err, chatId);
        if (classified.kind !== "rate-limited" || attempt >= maxRetries) throw err;
        if (classified.retryAfterSeconds * 1000 > maxWaitMs * 4) throw err;
        opts.logger.warn(
          // A positive chat id is a reader's Telegram id: log only the kind of chat.
          { method, chatType: chatId > 0 ? "private" : "group", retryAfterSeconds: classified.retryAfterSeconds, scope: classified.scope },
          "reply rate limited; waiting",
        );
        opts.pacer.pause(classified.scope, classified.retryAfterSeconds, chatId);
      }
    }
  };
  telegram.callApi = paced as Telegram["callApi"];
  return telegram;
}
