import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RedisUpdateDeduper, UPDATE_CLAIM_TTL_MS } from "../../src/cluster/claims.js";
import { RedisKeyedLock } from "../../src/cluster/lock.js";
import { closeRedis, type RedisClient } from "../../src/cluster/redis.js";
import { connect, dropPrefix, freshPrefix, redisReachable } from "./redis.js";

const up = await redisReachable();

describe.skipIf(!up)("RedisUpdateDeduper (skipped when no Redis answers on 127.0.0.1:6379)", () => {
  let a: RedisClient;
  let b: RedisClient;
  let prefix: string;

  beforeEach(async () => {
    a = await connect();
    b = await connect();
    prefix = freshPrefix();
  });
  afterEach(async () => {
    await dropPrefix(a, prefix);
    await closeRedis(a);
    await closeRedis(b);
  });

  it("lets exactly one of two instances claim each update_id, even when they race", async () => {
    const one = new RedisUpdateDeduper(a, prefix);
    const two = new RedisUpdateDeduper(b, prefix);
    const ids = Array.from({ length: 200 }, (_, i) => 5000 + i);
    const results = await Promise.all(ids.flatMap((id) => [one.claim(id), two.claim(id)]));
    for (let i = 0; i < ids.length; i++) expect([results[2 * i], results[2 * i + 1]].filter(Boolean)).toHaveLength(1);
    expect(await one.claim(5000)).toBe(false);
    expect(await two.claim(5000)).toBe(false);
  });

  it("stores upd:<id> with a 24-hour expiry", async () => {
    expect(await new RedisUpdateDeduper(a, prefix).claim(77)).toBe(true);
    const ttl = await a.pTTL(`${prefix}upd:77`);
    expect(ttl).toBeGreaterThan(UPDATE_CLAIM_TTL_MS - 60_000);
    expect(ttl).toBeLessThanOrEqual(UPDATE_CLAIM_TTL_MS);
  });
});

describe.skipIf(!up)("RedisKeyedLock (skipped when no Redis answers on 127.0.0.1:6379)", () => {
  it("serialises read-modify-write of one key across two instances: no update is lost", async () => {
    const a = await connect();
    const b = await connect();
    const prefix = freshPrefix();
    const locks = [new RedisKeyedLock(a, { prefix }), new RedisKeyedLock(b, { prefix })];
    const key = `${prefix}counter`;
    // 40 increments as GET, pause, SET from two "instances" at once: without the lock most are lost.
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        locks[i % 2]!.run("queue", async () => {
          const n = Number((await a.get(key)) ?? 0);
          await new Promise((r) => setTimeout(r, 2));
          await a.set(key, String(n + 1));
        }),
      ),
    );
    expect(await a.get(key)).toBe("40");
    expect(await a.exists(`${prefix}lock:queue`)).toBe(0);
    await dropPrefix(a, prefix);
    await closeRedis(a);
    await closeRedis(b);
  });
});
