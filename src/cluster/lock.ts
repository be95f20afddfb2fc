import { randomUUID } from "node:crypto";
import { KeyedMutex, type KeyedLock } from "../store/lock.js";
import type { RedisClient } from "./redis.js";

const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;

/** Options of the Redis keyed lock. */
export interface RedisKeyedLockOptions {
  /** Key prefix, e.g. "newsdesk:" (locks are `<prefix>lock:<key>`). */
  prefix: string;
  /** A holder that dies frees the lock after this long (default 10000); work must be shorter. */
  ttlMs?: number;
  /** Give up acquiring after this long (default 15000). */
  waitMs?: number;
}

/**
 * Serialises read-modify-write per key across every instance (same shape as the tip repo's
 * in-process KeyedMutex: `run(key, work)`): `SET NX PX` to take, compare-and-del to release, a
 * short in-process queue in front so one instance does not spin against itself.
 */
export class RedisKeyedLock implements KeyedLock {
  /** One instance queues its own holders instead of spinning against itself. */
  private readonly local = new KeyedMutex();
  private readonly ttlMs: number;
  private readonly waitMs: number;

  constructor(
    private readonly redis: Pick<RedisClient, "set" | "eval">,
    private readonly o: RedisKeyedLockOptions,
  ) {
    this.ttlMs = o.ttlMs ?? 10_000;
    this.waitMs = o.waitMs ?? 15_000;
  }

  /** Runs `work` while holding the key's lock on every instance. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    return this.local.run(key, () => this.holding(key, work));
  }

  private async holding<T>(key: string, work: () => Promise<T>): Promise<T> {
    const redisKey = `${this.o.prefix}lock:${key}`;
    const token = randomUUID();
    const deadline = Date.now() + this.waitMs;
    for (let pauseMs = 5; ; pauseMs = Math.min(pauseMs * 2, 100)) {
      const got = await this.redis.set(redisKey, token, { condition: "NX", expiration: { type: "PX", value: this.ttlMs } });
      if (got === "OK") break;
      if (Date.now() > deadline) throw new Error(`lock ${key} still held by another instance after ${this.waitMs} ms`);
      await new Promise((r) => setTimeout(r, pauseMs));
    }
    try {
      return await work();
    } finally {
      await this.redis.eval(RELEASE, { keys: [redisKey], arguments: [token] }).catch(() => undefined);
    }
  }
}
