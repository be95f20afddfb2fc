import type { RateLimitScope } from "../telegram/errors.js";
import type { SendPacing } from "../telegram/pacing.js";
import type { Clock } from "./time.js";

/** Telegram's send limits, with headroom. */
export interface PacerOptions {
  /** Messages per rolling second in total (default 29: Telegram allows 30, one is headroom). */
  globalPerSecond?: number;
  /** Minimum gap between two messages to the same chat, ms (default 1000). */
  perChatIntervalMs?: number;
  /** Messages per rolling minute to one group or channel, i.e. a negative chat id (default 20). */
  groupPerMinute?: number;
  /** After a global 429 the global rate drops by one message/s, and creeps back up one per this long without one (default 5000). */
  recoverAfterMs?: number;
  /** 429s from this many different chats within `globalEvidenceMs` are taken as the global limit (default 3). */
  globalEvidenceChats?: number;
  /** Window for that evidence, ms (default 2000). */
  globalEvidenceMs?: number;
}

interface ChatState {
  /** Send times, newest last; groups keep `groupPerMinute` of them, private chats one. */
  times: number[];
  pausedUntil: number;
}

const WINDOW_MS = 1000;
/** Telegram's ceiling for paid broadcasts, messages per second. */
const PAID_PER_SECOND = 1000;
const GROUP_WINDOW_MS = 60_000;

/**
 * Decides when the next message may go out: globally (sliding one-second window plus even
 * spacing, so a burst does not arrive as one lump) and per chat. The sender asks
 * `readyAt(chatId)`, sends when it is due and calls `take(chatId)`; a 429 calls `pause`.
 */
export class Pacer {
  private readonly maxGlobal: number;
  private readonly perChatIntervalMs: number;
  private readonly groupPerMinute: number;
  private readonly recoverAfterMs: number;
  private globalLimit: number;
  private readonly globalTimes: number[] = [];
  /** Take times of paid broadcasts. */
  private readonly paidTimes: number[] = [];
  private globalPausedUntil = 0;
  /** When the next message is due on an evenly spaced schedule. */
  private scheduledAt = 0;
  /** Running estimate of half a call's duration, ms. */
  private oneWayMs = 0;
  /** The last few measurements of it. */
  private readonly oneWaySamples: number[] = [];
  private last429At = 0;
  private readonly chats = new Map<number, ChatState>();
  private takesSincePrune = 0;
  /** Recent 429s: chat id → when. */
  private readonly recent429 = new Map<number, number>();
  private readonly evidenceChats: number;
  private readonly evidenceMs: number;

  constructor(
    private readonly clock: Clock,
    options: PacerOptions = {},
  ) {
    this.maxGlobal = Math.max(1, Math.floor(options.globalPerSecond ?? 29));
    this.globalLimit = this.maxGlobal;
    this.perChatIntervalMs = options.perChatIntervalMs ?? 1000;
    this.groupPerMinute = Math.max(1, Math.floor(options.groupPerMinute ?? 20));
    this.recoverAfterMs = options.recoverAfterMs ?? 5000;
    this.evidenceChats = Math.max(2, options.globalEvidenceChats ?? 3);
    this.evidenceMs = options.globalEvidenceMs ?? 2000;
  }

  /** Current global messages/second (lower than configured for a while after a global 429). */
  get globalPerSecond(): number {
    return this.globalLimit;
  }

  /** Earliest time (ms) at which any message may go out. */
  globalReadyAt(): number {
    const now = this.clock.now();
    this.recover(now);
    let at = this.globalPausedUntil;
    const n = this.globalTimes.length;
    // The window holds estimated arrival times; a message sent now arrives about `oneWayMs` later.
    // Counted with the shortest recent one-way time, not the average: after a slow first request (a
    // new connection) the average is too high, and a message sent "just in time" would arrive early.
    if (n >= this.globalLimit) at = Math.max(at, this.globalTimes[n - this.globalLimit]! + WINDOW_MS - Math.min(this.oneWayMs, this.minOneWayMs()));
    // Even spacing (a virtual schedule with half an interval of slack, so a late timer is made up
    // rather than lost): a burst would reach Telegram as a lump, and network jitter then pushes a
    // 31st message into somebody's one-second window.
    at = Math.max(at, this.scheduledAt - WINDOW_MS / this.globalLimit / 2);
    return at;
  }

  /** Earliest time (ms) at which a paid broadcast (`allow_paid_broadcast`, up to 1000/s) may go out. */
  paidReadyAt(): number {
    const n = this.paidTimes.length;
    return n >= PAID_PER_SECOND ? this.paidTimes[n - PAID_PER_SECOND]! + WINDOW_MS : 0;
  }

  /** Earliest time (ms) at which a message to this chat may go out, ignoring the global budget. */
  chatReadyAt(chatId: number): number {
    const state = this.chats.get(chatId);
    if (!state) return 0;
    let at = state.pausedUntil;
    const n = state.times.length;
    if (n > 0) at = Math.max(at, state.times[n - 1]! + this.perChatIntervalMs);
    if (chatId < 0 && n >= this.groupPerMinute) at = Math.max(at, state.times[n - this.groupPerMinute]! + GROUP_WINDOW_MS);
    return at;
  }

  /** Earliest time (ms) at which a message to this chat may go out. */
  readyAt(chatId: number): number {
    return Math.max(this.globalReadyAt(), this.chatReadyAt(chatId));
  }

  /** Records that a message to `chatId` is going out now; hand the result back to `settle`. */
  take(chatId: number, paid = false): { takenAt: number; arrivalAt: number } {
    const now = this.clock.now();
    const arrivalAt = now + this.oneWayMs;
    if (paid) {
      // A paid broadcast is outside the 30/s budget: it only counts against the paid ceiling.
      this.paidTimes.push(now);
      if (this.paidTimes.length > PAID_PER_SECOND * 2) this.paidTimes.splice(0, this.paidTimes.length - PAID_PER_SECOND);
    } else {
      this.scheduledAt = Math.max(this.scheduledAt, now) + WINDOW_MS / this.globalLimit;
      this.globalTimes.push(arrivalAt);
      this.globalTimes.sort((a, b) => a - b);
      if (this.globalTimes.length > this.maxGlobal * 2) this.globalTimes.splice(0, this.globalTimes.length - this.maxGlobal);
    }
    const state = this.chats.get(chatId) ?? { times: [], pausedUntil: 0 };
    state.times.push(now);
    const keep = chatId < 0 ? this.groupPerMinute : 1;
    if (state.times.length > keep) state.times.splice(0, state.times.length - keep);
    this.chats.set(chatId, state);
    if (++this.takesSincePrune >= 1000) this.prune(now);
    return { takenAt: now, arrivalAt };
  }

  /**
   * Records that the send to `chatId` finished. Per-chat spacing counts from here: Telegram sees a
   * request when it arrives, and a first request that was slow in transit (new connection) would
   * otherwise arrive less than a second before the next one.
   */
  settle(chatId: number, token?: { takenAt: number; arrivalAt: number }): void {
    const now = this.clock.now();
    const state = this.chats.get(chatId);
    const n = state?.times.length ?? 0;
    if (state && n > 0) state.times[n - 1] = Math.max(state.times[n - 1]!, now);
    if (token === undefined) return;
    // Globally the window holds arrival times, taken as halfway through the call: slow first
    // requests (new connections) then push the window on instead of letting the next second's
    // messages pile onto them. The running estimate keeps the steady state at full rate.
    const oneWayMs = (now - token.takenAt) / 2;
    this.oneWayMs = this.oneWayMs * 0.8 + oneWayMs * 0.2;
    this.oneWaySamples.push(oneWayMs);
    if (this.oneWaySamples.length > 32) this.oneWaySamples.shift();
    const i = this.globalTimes.lastIndexOf(token.arrivalAt);
    if (i < 0) return;
    // A slow call (a new connection) may have reached Telegram late in its round trip: at the latest
    // the fastest recent return trip before it ended. Counting it there keeps a bunch of slow first
    // requests from letting a 31st message into their second.
    // Until a few calls have shown how fast a return trip can be, its end is taken as its arrival.
    const returnMs = this.oneWaySamples.length >= 5 ? this.minOneWayMs() : 0;
    this.globalTimes[i] = Math.max(token.takenAt + oneWayMs, now - returnMs);
    this.globalTimes.sort((a, b) => a - b);
  }

  /** Honours a 429: nothing (global) or nothing to this chat (chat) goes out for `retryAfterSeconds`. */
  pause(scope: RateLimitScope, retryAfterSeconds: number, chatId: number): void {
    const now = this.clock.now();
    const until = now + retryAfterSeconds * 1000;
    if (scope === "global") {
      this.globalPausedUntil = Math.max(this.globalPausedUntil, until);
      // We were under the configured rate and still got told off: the real budget is smaller.
      this.globalLimit = Math.max(1, this.globalLimit - 1);
      this.last429At = now;
      return;
    }
    const state = this.chats.get(chatId) ?? { times: [], pausedUntil: 0 };
    state.pausedUntil = Math.max(state.pausedUntil, until);
    this.chats.set(chatId, state);
  }

  /**
   * Honours a 429 for `chatId`: that chat waits `retryAfterSeconds`. Telegram does not say whether
   * the chat's limit or the bot's was hit, so the global budget is paused only on evidence: 429s
   * from several different chats within a short window. Returns the scope that was paused.
   */
  rateLimited(chatId: number, retryAfterSeconds: number): RateLimitScope {
    const now = this.clock.now();
    this.pause("chat", retryAfterSeconds, chatId);
    this.recent429.set(chatId, now);
    for (const [id, at] of this.recent429) if (at < now - this.evidenceMs) this.recent429.delete(id);
    if (this.recent429.size < this.evidenceChats) return "chat";
    this.recent429.clear();
    this.pause("global", retryAfterSeconds, chatId);
    return "global";
  }

  /** Number of chats with pacing state held in memory (bounded by recent activity). */
  get trackedChats(): number {
    return this.chats.size;
  }

  private minOneWayMs(): number {
    let min = Infinity;
    for (const v of this.oneWaySamples) if (v < min) min = v;
    return min === Infinity ? 0 : min;
  }

  private recover(now: number): void {
    if (this.globalLimit < this.maxGlobal && now - this.last429At >= this.recoverAfterMs) {
      this.globalLimit += 1;
      this.last429At = now;
    }
  }

  private prune(now: number): void {
    this.takesSincePrune = 0;
    for (const [chatId, state] of this.chats) {
      const newest = state.times[state.times.length - 1] ?? 0;
      const windowMs = chatId < 0 ? GROUP_WINDOW_MS : this.perChatIntervalMs;
      if (state.pausedUntil <= now && newest + windowMs <= now) this.chats.delete(chatId);
    }
  }
}

/** The one-process SendPacing: the same Pacer the sender uses, so replies, tips and bulk share one budget. */
export class LocalPacing implements SendPacing {
  private readonly tokens = new Map<number, Array<{ takenAt: number; arrivalAt: number }>>();

  constructor(
    readonly pacer: Pacer,
    private readonly clock: Clock,
  ) {}

  tryTake(chatId: number): Promise<number> {
    const waitMs = this.pacer.readyAt(chatId) - this.clock.now();
    if (waitMs > 0) return Promise.resolve(waitMs);
    // A list per chat: a reply and a tip card to the newsroom may be in flight at once.
    const list = this.tokens.get(chatId) ?? [];
    list.push(this.pacer.take(chatId));
    this.tokens.set(chatId, list);
    return Promise.resolve(0);
  }

  settle(chatId: number): void {
    const list = this.tokens.get(chatId);
    this.pacer.settle(chatId, list?.shift());
    if (list?.length === 0) this.tokens.delete(chatId);
  }

  rateLimited(chatId: number, retryAfterSeconds: number): Promise<RateLimitScope> {
    return Promise.resolve(this.pacer.rateLimited(chatId, retryAfterSeconds));
  }
}
