import { DeadLetterSchema, type DeadLetter } from "../delivery/deadletter.js";
import type { RedisClient } from "./redis.js";

/** Newest dead letters kept in the list (older ones are trimmed; the counter keeps the total). */
const KEEP = 1000;

/** Dead letters shared by every instance: a capped Redis list plus a counter (INCR gives each its number). */
export class RedisDeadLetters {
  constructor(
    private readonly redis: Pick<RedisClient, "incr" | "lPush" | "lTrim" | "lRange" | "get">,
    private readonly prefix: string,
  ) {}

  /** Records one; resolves when it is in Redis. */
  async add(entry: Omit<DeadLetter, "n">): Promise<void> {
    const n = (await this.redis.incr(`${this.prefix}dead:count`)) - 1;
    await this.redis.lPush(`${this.prefix}dead`, JSON.stringify({ ...entry, n }));
    await this.redis.lTrim(`${this.prefix}dead`, 0, KEEP - 1);
  }

  /** Dead letters ever recorded. */
  async total(): Promise<number> {
    return Number((await this.redis.get(`${this.prefix}dead:count`)) ?? 0);
  }

  /** The newest `limit` (default 20), newest first; unreadable entries skipped. */
  async list(limit = 20): Promise<DeadLetter[]> {
    const raw = await this.redis.lRange(`${this.prefix}dead`, 0, Math.max(0, limit - 1));
    return raw.flatMap((s) => {
      try {
        const parsed = DeadLetterSchema.safeParse(JSON.parse(s));
        return parsed.success ? [parsed.data] : [];
      } catch {
        return [];
      }
    });
  }
}
