import Keyv from "keyv";
import { TelegramError } from "telegraf";
import type { Clock, Sleep } from "../../src/delivery/time.js";
import type { TelegramSender } from "../../src/delivery/types.js";

/**
 * Virtual time: sleeps resolve in time order, and the clock jumps to the next timer once the
 * process has had a few turns of the event loop to settle (fake sends, store writes).
 */
export class VirtualTime implements Clock {
  private t = 1_700_000_000_000;
  private timers: { at: number; resolve: () => void }[] = [];
  private scheduled = false;
  readonly start = this.t;

  now(): number {
    return this.t;
  }

  /** Elapsed virtual ms since creation. */
  get elapsedMs(): number {
    return this.t - this.start;
  }

  readonly sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const onAbort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer);
        resolve();
      };
      const timer = {
        at: this.t + Math.max(0, ms),
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.schedule();
    });

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    const settle = (turns: number): void => {
      if (turns > 0) return void setImmediate(() => settle(turns - 1));
      this.scheduled = false;
      if (this.timers.length === 0) return;
      const at = Math.min(...this.timers.map((t) => t.at));
      this.t = Math.max(this.t, at);
      const due = this.timers.filter((t) => t.at <= this.t);
      this.timers = this.timers.filter((t) => t.at > this.t);
      for (const timer of due) timer.resolve();
      if (this.timers.length > 0) this.schedule();
    };
    settle(5);
  }
}

/** One call the fake Telegram received. */
export interface FakeCall {
  method: string;
  chatId: number;
  params: Record<string, unknown>;
  at: number;
  ok: boolean;
}

type Failure = { code: number; description: string; parameters?: { retry_after?: number; migrate_to_chat_id?: number } } | "network";

/** A scripted TelegramSender: records calls with virtual timestamps, fails as told. */
export class FakeTelegram implements TelegramSender {
  readonly calls: FakeCall[] = [];
  private readonly scripted = new Map<number, Failure[]>();
  private readonly blocked = new Set<number>();
  private readonly migrated = new Map<number, number>();
  down: Failure | undefined;

  constructor(private readonly clock: Clock) {}

  /** The next sends to chatId fail with these, in order. */
  failNext(chatId: number, ...failures: Failure[]): void {
    this.scripted.set(chatId, [...(this.scripted.get(chatId) ?? []), ...failures]);
  }

  block(chatId: number): void {
    this.blocked.add(chatId);
  }

  migrate(oldId: number, newId: number): void {
    this.migrated.set(oldId, newId);
  }

  /** Successful calls (to one chat, or all). */
  delivered(chatId?: number): FakeCall[] {
    return this.calls.filter((c) => c.ok && (chatId === undefined || c.chatId === chatId));
  }

  async call(method: string, params: Record<string, unknown>): Promise<unknown> {
    await Promise.resolve();
    const chatId = Number(params.chat_id);
    const failure = this.down ?? this.scripted.get(chatId)?.shift() ?? this.standing(chatId);
    this.calls.push({ method, chatId, params, at: this.clock.now(), ok: failure === undefined });
    if (failure === "network") throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    if (failure) throw new TelegramError({ error_code: failure.code, description: failure.description, parameters: failure.parameters });
    return { message_id: this.calls.length, chat: { id: chatId } };
  }

  private standing(chatId: number): Failure | undefined {
    if (this.blocked.has(chatId)) return { code: 403, description: "Forbidden: bot was blocked by the user" };
    const to = this.migrated.get(chatId);
    if (to !== undefined) return { code: 400, description: "Bad Request: group chat was upgraded to a supergroup chat", parameters: { migrate_to_chat_id: to } };
    return undefined;
  }
}

/** An in-memory Map that counts writes, for "writes before the first message". */
export class CountingMap extends Map<string, unknown> {
  writes = 0;
  failWrites = false;
  /** Fail only writes to keys matching this. */
  failKeys: RegExp | undefined;
  override set(key: string, value: unknown): this {
    if (this.failWrites || this.failKeys?.test(key)) throw new Error("disk I/O error");
    this.writes++;
    return super.set(key, value);
  }
  override delete(key: string): boolean {
    if (this.failWrites) throw new Error("disk I/O error");
    this.writes++;
    return super.delete(key);
  }
}

/** A Keyv over a CountingMap. */
export function countingKeyv(): { kv: Keyv; map: CountingMap } {
  const map = new CountingMap();
  return { kv: new Keyv({ store: map }), map };
}

/** Max number of calls in any window of `windowMs` ending at a call. */
export function maxInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}
