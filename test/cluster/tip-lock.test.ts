import Keyv from "keyv";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RedisKeyedLock } from "../../src/cluster/lock.js";
import { closeRedis, type RedisClient } from "../../src/cluster/redis.js";
import type { Draft } from "../../src/tips/records.js";
import { TipRepo } from "../../src/tips/repo.js";
import { connect, dropPrefix, freshPrefix, redisReachable } from "./redis.js";

const up = await redisReachable();

/** One shared store, as several instances on Redis share theirs. */
function sharedStore() {
  const spaces = new Map<string, Keyv>();
  return { namespace: (name: string) => spaces.get(name) ?? spaces.set(name, new Keyv()).get(name)! };
}

const clock = { now: () => Date.now() };
const draft = (): Draft => ({ startedAt: Date.now(), expiresAt: Date.now() + 3_600_000, anonymous: true, items: [], ackedAlbums: [] });

/** Ten album parts, alternately taken by two instances, each appended to the reader's draft. */
async function appendParts(a: TipRepo, b: TipRepo): Promise<number> {
  await a.updateDraft(1, () => Promise.resolve({ draft: draft(), result: undefined }));
  await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      (i % 2 === 0 ? a : b).updateDraft(1, async (d) => {
        await new Promise((r) => setTimeout(r, 5)); // the store round trip a real instance pays
        return { draft: { ...d!, items: [...d!.items, { id: 100 + i, kind: "photo" as const, chars: 0, album: "a1" }] }, result: undefined };
      }),
    ),
  );
  return (await a.getDraft(1))!.items.length;
}

describe.skipIf(!up)("tip drafts shared by two instances (skipped when no Redis answers on 127.0.0.1:6379)", () => {
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

  it("lose album parts with per-process locks, and keep all of them with the Redis lock", async () => {
    const store = sharedStore();
    const lossy = await appendParts(new TipRepo(store, clock), new TipRepo(store, clock));
    expect(lossy).toBeLessThan(10);

    const shared = sharedStore();
    const lock = () => new RedisKeyedLock(redis, { prefix });
    const kept = await appendParts(new TipRepo(shared, clock, lock()), new TipRepo(shared, clock, lock()));
    expect(kept).toBe(10);
  });
});
