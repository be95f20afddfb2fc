import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RedisPacing } from "../../src/cluster/pacing.js";
import { closeRedis, type RedisClient } from "../../src/cluster/redis.js";
import { connect, dropPrefix, freshPrefix, redisReachable } from "./redis.js";

const up = await redisReachable();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!up)("RedisPacing: the shared window (skipped when no Redis answers on 127.0.0.1:6379)", () => {
  let redis: RedisClient;
  let prefix: string;
  beforeEach(async () => {
    redis = await connect();
    prefix = freshPrefix();
  });
  afterEach(async () => {
    await dropPrefix(redis, prefix);
    await closeRedis(redis);
  });

  /** Takes a slot for `chatId`, waiting as told. */
  async function take(pacing: RedisPacing, chatId: number): Promise<number> {
    for (;;) {
      const wait = await pacing.tryTake(chatId);
      if (wait === 0) return Date.now();
      await sleep(wait);
    }
  }

  it("a send still in flight keeps its place: a slow instance's late request cannot meet a full second of others", async () => {
    const pacing = new RedisPacing(redis, prefix, { globalPerSecond: 3 });
    const first = await take(pacing, 1);
    await take(pacing, 2);
    await take(pacing, 3);
    // More than a second after the first slot, all three calls are still on their way to Telegram:
    // any of them may arrive now, so a fourth must wait.
    await sleep(Math.max(0, first + 1100 - Date.now()));
    expect(await pacing.tryTake(4)).toBeGreaterThan(0);
    // They end now: each holds its place for a second after its end, not after its slot.
    pacing.settle(1);
    pacing.settle(2);
    pacing.settle(3);
    await sleep(50);
    expect(await pacing.tryTake(4)).toBeGreaterThan(800);
    const fourth = await take(pacing, 4);
    expect(fourth - first).toBeGreaterThanOrEqual(2000);
  });

  it("takes the configured rate: the third of 3/s waits only for the spacing, not for the window", async () => {
    const pacing = new RedisPacing(redis, prefix, { globalPerSecond: 3 });
    for (const chat of [11, 12]) {
      await take(pacing, chat);
      pacing.settle(chat);
    }
    // Spacing within the second is 500/3 ms; a window of 2 (one kept as headroom) would answer ~800 ms.
    const wait = await pacing.tryTake(13);
    expect(wait).toBeLessThanOrEqual(Math.floor(500 / 3));
  });
});
