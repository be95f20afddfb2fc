import type { Limits } from "./types.js";

/** Paid broadcasts: up to 1000 messages per second, 0.1 Star each (Bot API `allow_paid_broadcast`). */
const PAID_PER_SECOND = 1000;

/** Telegram's published broadcast limits. */
export const DEFAULT_LIMITS: Limits = {
  globalPerSecond: 30,
  privatePerSecond: 1,
  privateBurst: 3,
  groupPerMinute: 20,
  enabled: true,
};

interface Window {
  limit: number;
  windowMs: number;
}

/**
 * Sliding-window limiter over accepted messages. A private chat gets `privateBurst` messages per
 * `privateBurst / privatePerSecond` seconds, so a short burst passes while the long-run rate stays 1/s.
 */
export class RateLimiter {
  private limits: Limits;
  private readonly global: number[] = [];
  private readonly paid: number[] = [];
  private readonly perChat = new Map<number, number[]>();

  constructor(limits: Partial<Limits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Changes some limits; counts so far are kept. */
  set(limits: Partial<Limits>): void {
    this.limits = { ...this.limits, ...limits };
  }

  get current(): Limits {
    return { ...this.limits };
  }

  /**
   * Seconds the caller must wait before a message to chatId is accepted, 0 when it may go now. A
   * paid broadcast (`allow_paid_broadcast`) ignores the 30/s broadcasting limit for up to 1000
   * paid messages per second; the chat's own limits still hold.
   */
  retryAfterSeconds(chatId: number, nowMs: number, paid = false): number {
    if (!this.limits.enabled) return 0;
    const waits = [
      paid ? waitMs(this.paid, { limit: PAID_PER_SECOND, windowMs: 1000 }, nowMs) : waitMs(this.global, this.globalWindow(), nowMs),
      waitMs(this.perChat.get(chatId) ?? [], this.chatWindow(chatId), nowMs),
    ];
    const longest = Math.max(...waits);
    // Telegram always says at least 1 s, in whole seconds
    return longest > 0 ? Math.max(1, Math.ceil(longest / 1000)) : 0;
  }

  /** Counts one accepted message to chatId (a paid one against the paid allowance only). */
  record(chatId: number, nowMs: number, paid = false): void {
    if (paid) {
      this.paid.push(nowMs);
      prune(this.paid, nowMs - 1000);
    } else this.global.push(nowMs);
    let times = this.perChat.get(chatId);
    if (!times) {
      times = [];
      this.perChat.set(chatId, times);
    }
    times.push(nowMs);
    prune(this.global, nowMs - this.globalWindow().windowMs);
    prune(times, nowMs - this.chatWindow(chatId).windowMs);
  }

  private globalWindow(): Window {
    return { limit: this.limits.globalPerSecond, windowMs: 1000 };
  }

  private chatWindow(chatId: number): Window {
    if (chatId > 0) {
      const burst = Math.max(1, this.limits.privateBurst);
      return { limit: burst, windowMs: (burst * 1000) / this.limits.privatePerSecond };
    }
    return { limit: this.limits.groupPerMinute, windowMs: 60_000 };
  }
}

function prune(times: number[], olderThanOrAtMs: number): void {
  let drop = 0;
  while (drop < times.length && (times[drop] ?? Infinity) <= olderThanOrAtMs) drop++;
  if (drop > 0) times.splice(0, drop);
}

/** How long until one more message fits in the window (0 = fits now). */
function waitMs(times: number[], window: Window, nowMs: number): number {
  const inWindow = times.filter((t) => t > nowMs - window.windowMs);
  if (inWindow.length < window.limit) return 0;
  // the oldest message that must leave the window for the count to drop below the limit
  const mustExpire = inWindow[inWindow.length - window.limit];
  return mustExpire === undefined ? 0 : mustExpire + window.windowMs - nowMs;
}
