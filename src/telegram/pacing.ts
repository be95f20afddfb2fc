import type { Clock, Sleep } from "../delivery/time.js";
import type { Logger } from "../log.js";
import { RateLimited, type RateLimitScope } from "./errors.js";
import { FailurePolicy } from "./policy.js";
import { sendTarget, type Transformer } from "./client.js";

/**
 * Telegram's send limits as one budget for the whole bot — bulk deliveries, replies and tips, on
 * however many instances. The runtime provides it: in memory for one process, in Redis for several.
 */
export interface SendPacing {
  /**
   * Takes a send slot for `chatId` if one is free now (answers 0), else answers the ms until one
   * may be and takes nothing.
   */
  tryTake(chatId: number): Promise<number>;
  /** The send to `chatId` finished (per-chat spacing counts from here). */
  settle(chatId: number): void;
  /** Telegram answered 429 for `chatId`: pauses that chat, or everything on evidence of a global limit. */
  rateLimited(chatId: number, retryAfterSeconds: number): Promise<RateLimitScope>;
}

/** How a client waits for its send slots. */
export interface PacedOptions {
  pacing: SendPacing;
  clock: Clock;
  sleep: Sleep;
  logger: Logger;
  /** Longest wait for a slot; past it the call fails as rate limited instead of passing Telegram's limits. Default 3000. */
  maxWaitMs?: number;
  /** 429s waited out and retried before the error reaches the caller (replies); 0 leaves them to the caller's policy. Default 3. */
  maxRateLimitRetries?: number;
  /** A 429 asking for longer than this is not waited out here. Default 4 × maxWaitMs. */
  maxRetryAfterMs?: number;
}

/**
 * Makes every send obey the shared budget: each send to a chat waits for its chat's and the global
 * slot, and a 429 pauses exactly `retry_after` (that chat's, unless several chats show a global
 * limit) before the call is repeated. Calls that are not sends (getMe, answerCallbackQuery…) are not
 * paced, but their 429s are waited out too.
 */
export function paced(o: PacedOptions): Transformer {
  const maxWaitMs = o.maxWaitMs ?? 3000;
  const maxRetries = o.maxRateLimitRetries ?? 3;
  const maxRetryAfterMs = o.maxRetryAfterMs ?? maxWaitMs * 4;
  // The one failure policy: only its "wait" (a 429) is carried out here; every other failure is the caller's.
  const policy = new FailurePolicy();
  return (next) => async (method, payload, signal) => {
    const chatId = sendTarget(method, payload);
    let waitAtLeastMs = 0;
    for (let attempt = 0; ; attempt++) {
      if (chatId !== undefined) await takeSlot(chatId, Math.max(maxWaitMs, waitAtLeastMs), signal);
      try {
        return await next(method, payload, signal);
      } catch (err) {
        const { decision } = policy.decide(err, { chatId: chatId ?? 0, attempts: 0 });
        if (decision.action !== "wait" || attempt >= maxRetries) throw err;
        const retryAfterMs = decision.retryAfterMs;
        if (retryAfterMs > maxRetryAfterMs) throw err;
        const scope = chatId !== undefined ? await o.pacing.rateLimited(chatId, retryAfterMs / 1000) : "chat";
        // A positive chat id is a reader's Telegram id: log only the kind of chat.
        o.logger.warn({ method, chatType: chatId === undefined ? undefined : chatId > 0 ? "private" : "group", retryAfterSeconds: retryAfterMs / 1000, scope }, "call rate limited; waiting");
        if (chatId === undefined) await o.sleep(retryAfterMs, signal);
        waitAtLeastMs = retryAfterMs + 50;
      } finally {
        if (chatId !== undefined) o.pacing.settle(chatId);
      }
    }
  };

  async function takeSlot(chatId: number, maxMs: number, signal: AbortSignal | undefined): Promise<void> {
    const deadline = o.clock.now() + maxMs;
    for (;;) {
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error("aborted");
      const waitMs = await o.pacing.tryTake(chatId);
      if (waitMs <= 0) return;
      const left = deadline - o.clock.now();
      // Never past the limits: a send whose slot does not come in time fails like a 429 would.
      if (left <= 0) throw new RateLimited(Math.max(1, Math.ceil(waitMs / 1000)), "chat");
      await o.sleep(Math.max(1, Math.min(waitMs, left)), signal);
    }
  }
}
