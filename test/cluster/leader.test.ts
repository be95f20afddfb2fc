import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { redisRunCoordinator } from "../../src/cluster/cron.js";
import { LeaderLease } from "../../src/cluster/leader.js";
import { closeRedis, type RedisClient } from "../../src/cluster/redis.js";
import { connect, dropPrefix, freshPrefix, redisReachable, until } from "./redis.js";

const up = await redisReachable();

describe.skipIf(!up)("LeaderLease and the node-cron run coordinator (skipped when no Redis answers on 127.0.0.1:6379)", () => {
  let clients: RedisClient[];
  let leases: LeaderLease[];
  let prefix: string;

  beforeEach(async () => {
    clients = await Promise.all([connect(), connect(), connect()]);
    prefix = freshPrefix();
    leases = [];
  });
  afterEach(async () => {
    for (const l of leases) await l.stop();
    await dropPrefix(clients[0]!, prefix);
    for (const c of clients) await closeRedis(c);
  });

  function lease(client: RedisClient, changes: boolean[] = []): LeaderLease {
    const l = new LeaderLease(client, { key: `${prefix}leader`, ttlMs: 1000, renewEveryMs: 200, onChange: (x) => void changes.push(x) });
    leases.push(l);
    return l;
  }

  it("elects exactly one of three, keeps it while it renews, and hands over on stop()", async () => {
    const ls = clients.map((c) => lease(c));
    await Promise.all(ls.map((l) => l.start()));
    expect(ls.filter((l) => l.isLeader)).toHaveLength(1);
    // Several lease lengths later the same one still leads (renewal works).
    const first = ls.find((l) => l.isLeader)!;
    await new Promise((r) => setTimeout(r, 2500));
    expect(first.isLeader).toBe(true);
    expect(ls.filter((l) => l.isLeader)).toHaveLength(1);
    await first.stop();
    expect(first.isLeader).toBe(false);
    await until(() => ls.filter((l) => l.isLeader).length === 1, 1000, "a new leader within one renewal period");
    expect(ls.find((l) => l.isLeader)).not.toBe(first);
  });

  it("replaces a leader that died without releasing within one lease", async () => {
    const aChanges: boolean[] = [];
    const a = lease(clients[0]!, aChanges);
    await a.start();
    expect(a.isLeader).toBe(true);
    const b = lease(clients[1]!);
    await b.start();
    expect(b.isLeader).toBe(false);
    // The leader's connection dies: it cannot renew, and never releases.
    clients[0]!.destroy();
    // Within one lease (1 s) plus one attempt period; the bound is loose so a busy machine does not flake.
    await until(() => b.isLeader, 3000, "b takes over");
    // The dead one stepped down on its own before its lease could have expired.
    await until(() => !a.isLeader, 1500, "a steps down");
    expect(aChanges).toEqual([true, false]);
    clients[0] = await connect();
  });

  it("a renewal never extends someone else's lease", async () => {
    const a = lease(clients[0]!);
    await a.start();
    // Someone else holds the key now (a's lease expired and another instance took it).
    await clients[1]!.set(`${prefix}leader`, "other", { expiration: { type: "PX", value: 5000 } });
    await until(() => !a.isLeader, 1000, "a notices");
    expect(await clients[1]!.get(`${prefix}leader`)).toBe("other");
    await a.stop();
    expect(await clients[1]!.get(`${prefix}leader`)).toBe("other");
  });

  it("coordinator: only the leader runs a slot, and a slot runs once even with two leaders", async () => {
    let leaderA = true;
    let leaderB = false;
    const a = redisRunCoordinator(clients[0]!, { prefix, isLeader: () => leaderA });
    const b = redisRunCoordinator(clients[1]!, { prefix, isLeader: () => leaderB });
    expect(await b.shouldRun("feed-poll:2026-01-01T00:00:00.000Z", 60_000)).toBe(false);
    expect(await a.shouldRun("feed-poll:2026-01-01T00:00:00.000Z", 60_000)).toBe(true);
    // A hand-over in progress: both think they lead; the slot already ran.
    leaderB = true;
    expect(await b.shouldRun("feed-poll:2026-01-01T00:00:00.000Z", 60_000)).toBe(false);
    expect(await b.shouldRun("feed-poll:2026-01-01T00:01:00.000Z", 60_000)).toBe(true);
    leaderA = false;
    expect(await a.shouldRun("feed-poll:2026-01-01T00:02:00.000Z", 60_000)).toBe(false);
  });
});
