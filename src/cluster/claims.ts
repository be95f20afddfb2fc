import type { UpdateDeduper } from "../http/dedupe.js";
import type { RedisClient } from "./redis.js";

/** Telegram keeps an undelivered update for 24 h: a claim must outlive any redelivery. */
export const UPDATE_CLAIM_TTL_MS = 86_400_000;

/**
 * Claims each update_id once across every instance with `SET <prefix>upd:<id> 1 NX PX ttl`:
 * atomic in Redis, so two instances that receive the same update (Telegram retrying after a slow
 * answer, or a load balancer retry) cannot both win.
 */
export class RedisUpdateDeduper implements UpdateDeduper {
  /** `prefix` namespaces the keys (e.g. "newsdesk:"); `ttlMs` defaults to 24 h. */
  constructor(
    private readonly redis: Pick<RedisClient, "set">,
    private readonly prefix: string,
    private readonly ttlMs = UPDATE_CLAIM_TTL_MS,
  ) {}

  async claim(updateId: number): Promise<boolean> {
    const answer = await this.redis.set(`${this.prefix}upd:${updateId}`, "1", { condition: "NX", expiration: { type: "PX", value: this.ttlMs } });
    return answer === "OK";
  }
}
