import type { Limits } from "./types.js";

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

  /** Seconds the caller must wait before a message to chatId is accepted, 0 when it may go now. */
  retryAfterSeconds(chatId: number, nowMs: number): number {
    if (!this.limits.enabled) return 0;
    const waits = [
      waitMs(this.global, this.globalWindow(), nowMs),
      waitMs(this.perChat.get(chatId) ?? [], this.chatWindow(chatId), nowMs),
    ];
    const longest = Math.max(...waits);
    // Telegram always says at least 1 s, in whole seconds
    return longest > 0 ? Math.max(1, Math.ceil(longest / 1000)) : 0;
  }

  /** Counts one accepted message to chatId. */
  record(chatId: number, nowMs: number): void {
    this.global.push(nowMs);
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
