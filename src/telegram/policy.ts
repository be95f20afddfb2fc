import { classifyTelegramError, type ClassifiedError } from "./errors.js";

/** Bounded retries for errors that are the message's fault; backoff for everything else. */
export interface RetryPolicy {
  /** Attempts before a dead letter (default 5). */
  maxAttempts: number;
  /** First backoff, doubled per attempt (default 2). */
  baseDelaySeconds: number;
  /** Backoff cap, also for transient errors (default 300). */
  maxDelaySeconds: number;
}

/** The defaults of RetryPolicy. */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelaySeconds: 2, maxDelaySeconds: 300 };

/** What a sender does about one failed Telegram call. */
export type FailureDecision =
  /** 429: wait `retryAfterMs`, then repeat; not a counted attempt. */
  | { action: "wait"; retryAfterMs: number }
  /** Try again after `delayMs`; `attempts` is the new count of failed attempts. */
  | { action: "retry"; delayMs: number; attempts: number }
  /** Telegram keeps refusing this message: stop trying it (dead letter, or skip the step). */
  | { action: "give-up"; attempts: number }
  /** The chat can no longer receive messages (blocked, kicked, deleted). */
  | { action: "chat-gone"; reason: string }
  /** A group became a supergroup: repeat to `newChatId`. */
  | { action: "migrate"; newChatId: number };

/** A decision with the error it was made for, and (after several network failures in a row) a pause for everyone. */
export interface Verdict {
  error: ClassifiedError;
  decision: FailureDecision;
  /** Telegram or the network looks down: probe slowly instead of churning every queue (ms). */
  pauseAllMs?: number;
}

/** The circumstances of one failure. */
export interface FailureContext {
  chatId: number;
  /** Counted failed attempts before this one. */
  attempts: number;
  /** A chat that must never be dropped (the newsroom: tips wait until it is reachable again). */
  neverDrop?: boolean;
}

/**
 * The one Telegram failure policy, shared by bulk delivery (local and Redis), the tip queue and
 * replies: each sender only carries out the decision in its own storage. 429 waits `retry_after`
 * uncounted; 403/chat not found drops the chat (unless it must never be dropped: then it backs
 * off); a migration follows the new id; 400s are retried `maxAttempts` times; 5xx and network
 * errors back off without limit, and three in a row pause everything.
 */
export class FailurePolicy {
  private readonly retry: RetryPolicy;
  private consecutiveTransient = 0;

  constructor(retry: Partial<RetryPolicy> = {}) {
    this.retry = { ...DEFAULT_RETRY, ...retry };
  }

  /** The retry policy in force. */
  get retryPolicy(): RetryPolicy {
    return this.retry;
  }

  /** A call went through: the streak of network failures is over. */
  succeeded(): void {
    this.consecutiveTransient = 0;
  }

  /** Classifies what a call threw and decides what to do. */
  decide(raw: unknown, ctx: FailureContext): Verdict {
    const error = classifyTelegramError(raw, ctx.chatId);
    const attempts = ctx.attempts + 1;
    switch (error.kind) {
      case "rate-limited":
        return { error, decision: { action: "wait", retryAfterMs: error.retryAfterSeconds * 1000 } };
      case "chat-migrated":
        return { error, decision: { action: "migrate", newChatId: error.newChatId } };
      case "chat-gone":
        return ctx.neverDrop
          ? { error, decision: { action: "retry", delayMs: this.backoffMs(attempts), attempts } }
          : { error, decision: { action: "chat-gone", reason: error.reason } };
      case "bad-request":
        return attempts >= this.retry.maxAttempts
          ? { error, decision: { action: "give-up", attempts } }
          : { error, decision: { action: "retry", delayMs: this.backoffMs(attempts), attempts } };
      case "transient": {
        const streak = ++this.consecutiveTransient;
        const verdict: Verdict = { error, decision: { action: "retry", delayMs: this.backoffMs(attempts), attempts } };
        if (streak >= 3) verdict.pauseAllMs = this.backoffMs(streak - 2);
        return verdict;
      }
    }
  }

  /** Exponential backoff for the n-th failed attempt, capped. */
  backoffMs(attempts: number): number {
    const { baseDelaySeconds, maxDelaySeconds } = this.retry;
    return Math.min(maxDelaySeconds, baseDelaySeconds * 2 ** Math.max(0, attempts - 1)) * 1000;
  }
}
