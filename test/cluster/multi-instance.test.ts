import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { command, privateText, user } from "../support/updates.js";
import { article, NEWSROOM, peakPerSecond, startCluster, type ClusterHarness, type Instance } from "./harness.js";
import { redisReachable, until } from "./redis.js";

const up = await redisReachable();
/** This file's own Redis db (flushed at start); the bench uses 15, the other cluster tests db 0 with fresh prefixes. */
const DB = 14;
const SEEDED = Array.from({ length: 60 }, (_, i) => 810_001 + i);

const articleSends = (double: ClusterHarness["double"], chatId: number, title: string) =>
  double.sent(chatId).filter((m) => m.text.includes(title));

const pollsBy = (i: Instance) => i.logs.filter((l) => l.msg === "feed poll finished").length;

describe.skipIf(!up)("three instances on one Redis (skipped when no Redis answers on 127.0.0.1:6379)", () => {
  let h: ClusterHarness;
  const live = [user({ id: 820_001 }), user({ id: 820_002 }), user({ id: 820_003 })];

  beforeAll(async () => {
    h = await startCluster({ db: DB, seedSubscribers: SEEDED, leaseMs: 3000 });
    await Promise.all([h.start(0), h.start(1), h.start(2)]);
    await until(() => h.leader() !== undefined, 10_000, "a leader");
    // The first poll archives the backlog and sends nothing.
    await until(() => h.instances.some((i) => i.logs.some((l) => l.msg === "first poll: backlog archived")), 15_000, "first poll");
    // Three readers subscribe through the balancer: round robin puts them on different instances.
    for (const r of live) {
      h.double.pushUpdate(command(r, "/subscribe 新能源"));
      await until(() => h.double.sent(r.id).length === 1, 10_000, "subscription reply");
    }
  }, 90_000);

  afterAll(async () => {
    await h?.close();
  }, 30_000);

  it("polls on one instance only and delivers each new article to each subscriber once, within the limits", async () => {
    const before = h.instances.map(pollsBy);
    const rejected429Before = h.double.stats().rejected429;
    const callsBefore = h.double.calls.length;
    h.feed.items.unshift(article(3, "新能源汽车电子项目开工"), article(4, "光伏电站并网发电"));
    const everyone = [...SEEDED, ...live.map((r) => r.id)];
    await until(
      () => everyone.every((id) => articleSends(h.double, id, "新能源汽车电子项目开工").length >= 1 && articleSends(h.double, id, "光伏电站并网发电").length >= 1),
      60_000,
      "both articles everywhere",
    );
    // A few more poll rounds: nothing is sent again.
    await new Promise((r) => setTimeout(r, 5000));
    for (const id of everyone) {
      expect(articleSends(h.double, id, "新能源汽车电子项目开工")).toHaveLength(1);
      expect(articleSends(h.double, id, "光伏电站并网发电")).toHaveLength(1);
    }
    const polled = h.instances.map((i, k) => pollsBy(i) - before[k]!);
    expect(polled.filter((n) => n > 0)).toHaveLength(1);
    expect(h.double.stats().rejected429 - rejected429Before).toBe(0);
    expect(peakPerSecond(h.double.calls.slice(callsBefore))).toBeLessThanOrEqual(30);
    // Instances that do not poll still report polling as alive (the time is shared through Redis).
    const idle = h.instances.find((i, k) => i.alive && polled[k] === 0)!;
    await until(async () => {
      const body = (await (await fetch(`http://127.0.0.1:${idle.port}/healthz`)).json()) as { checks: { poll?: { everSucceeded: boolean } } };
      return body.checks.poll?.everSucceeded === true;
    }, 10_000, "shared poll time on a non-poller");
  }, 90_000);

  it("handles an update that reaches two instances once", async () => {
    const reader = user({ id: 830_001 });
    const update = command(reader, "/help");
    const [a, b] = h.instances.filter((i) => i.alive);
    const statuses = await Promise.all([h.postTo(a!, update), h.postTo(b!, structuredClone(update))]);
    expect(statuses).toEqual([200, 200]);
    await until(() => h.double.sent(reader.id).length >= 1, 10_000, "the answer");
    await new Promise((r) => setTimeout(r, 1000));
    expect(h.double.sent(reader.id)).toHaveLength(1);
  }, 30_000);

  it("hands polling to another instance within one lease when the poller is killed, losing no article", async () => {
    const old = h.leader()!;
    old.child.kill("SIGKILL");
    await old.exited;
    // Published right after the kill: only a new poller can find it.
    h.feed.items.unshift(article(5, "核电机组新能源专项"));
    await until(() => h.leader() !== undefined && h.leader() !== old, 10_000, "a new leader");
    const everyone = [...SEEDED, ...live.map((r) => r.id)];
    await until(() => everyone.every((id) => articleSends(h.double, id, "核电机组新能源专项").length >= 1), 60_000, "article after the hand-over");
    await new Promise((r) => setTimeout(r, 3000));
    for (const id of everyone) expect(articleSends(h.double, id, "核电机组新能源专项")).toHaveLength(1);
  }, 90_000);

  it("delivers a tip to the newsroom although the instance running the tip queue dies while it is sent", async () => {
    const reader = user({ id: 840_001, first_name: "Zhao" });
    const cards = () => h.double.sent(NEWSROOM).filter((m) => /T-[2-9A-Z]{4,6}/.test(m.text)).length;
    const cardsBefore = cards();
    const replies = () => h.double.sent(reader.id).length;
    h.double.pushUpdate(command(reader, "/tip"));
    await until(() => replies() === 1, 10_000, "tip intro");
    // The leader (which runs the tip queue) dies in the middle of the reader's tip.
    const old = h.leader()!;
    old.child.kill("SIGKILL");
    await old.exited;
    h.double.pushUpdate(privateText(reader, "路灯倒了，在高区文化路"));
    await until(() => replies() === 2, 10_000, "tip ack");
    h.double.pushUpdate(command(reader, "/done"));
    await until(() => replies() === 3, 10_000, "tip thanks");
    await until(() => cards() > cardsBefore, 20_000, "tip card");
    const copied = () =>
      h.double.calls.filter((c) => c.ok && c.method === "copyMessages" && Number(c.params.chat_id) === NEWSROOM && Number(c.params.from_chat_id) === reader.id);
    await until(() => copied().length >= 1, 20_000, "the reader's message copied to the newsroom");
    await new Promise((r) => setTimeout(r, 1000));
    expect(cards()).toBe(cardsBefore + 1);
    expect(copied()).toHaveLength(1);
  }, 60_000);
});
