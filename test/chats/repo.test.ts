import Keyv from "keyv";
import { describe, expect, it } from "vitest";
import { ChatRepo } from "../../src/chats/repo.js";
import type { ChatRecord } from "../../src/chats/record.js";

function clock(): { now: () => number; tick: () => void } {
  let t = 1_700_000_000_000;
  return { now: () => t, tick: () => void (t += 1000) };
}

async function repoOn(kv = new Keyv()): Promise<ChatRepo> {
  const repo = new ChatRepo(kv, { clock: clock() });
  await repo.load();
  return repo;
}

async function collect(it: AsyncIterable<ChatRecord>): Promise<ChatRecord[]> {
  const out: ChatRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe("ChatRepo", () => {
  it("ensure creates an active chat once and updates a changed type", async () => {
    const repo = await repoOn();
    const a = await repo.ensure(1, "private");
    expect(a).toMatchObject({ id: 1, type: "private", topics: [], active: true });
    expect(await repo.ensure(1, "private")).toEqual(a);
    expect((await repo.ensure(-5, "group")).type).toBe("group");
    expect((await repo.ensure(-5, "supergroup")).type).toBe("supergroup");
  });

  it("subscribe and unsubscribe (one topic or all) drive subscribersFor, active chats only", async () => {
    const repo = await repoOn();
    for (const id of [1, 2, 3]) await repo.ensure(id, "private");
    await repo.subscribe(1, "tech");
    await repo.subscribe(1, "tech");
    await repo.subscribe(1, "city");
    await repo.subscribe(2, "city");
    await repo.subscribe(3, "tech");
    expect((await repo.get(1))?.topics).toEqual(["tech", "city"]);
    expect((await repo.subscribersFor(["tech", "city"])).sort()).toEqual([1, 2, 3]);
    await repo.unsubscribe(1, "tech");
    expect(await repo.subscribersFor(["tech"])).toEqual([3]);
    await repo.deactivate(3, "blocked");
    expect(await repo.subscribersFor(["tech"])).toEqual([]);
    expect(repo.isActive(3)).toBe(false);
    await repo.reactivate(3);
    expect(await repo.subscribersFor(["tech"])).toEqual([3]);
    await repo.unsubscribe(1, "all");
    expect((await repo.get(1))?.topics).toEqual([]);
    expect(await repo.subscribe(404, "tech")).toBeUndefined();
  });

  it("deactivate keeps topics so /start can bring the chat back", async () => {
    const repo = await repoOn();
    await repo.ensure(9, "private");
    await repo.subscribe(9, "sports");
    const gone = await repo.deactivate(9, "Forbidden: bot was blocked by the user");
    expect(gone).toMatchObject({ active: false, topics: ["sports"], inactiveReason: "Forbidden: bot was blocked by the user" });
    const back = await repo.reactivate(9);
    expect(back?.active).toBe(true);
    expect(back).not.toHaveProperty("inactiveReason");
  });

  it("migrate moves settings to the new id and merges with an existing record", async () => {
    const repo = await repoOn();
    await repo.ensure(-10, "group");
    await repo.update(-10, (r) => {
      r.topics = ["a", "b"];
      r.lang = "en";
      r.digestAt = "08:30";
    });
    await repo.ensure(-10010, "supergroup");
    await repo.subscribe(-10010, "c");
    const moved = await repo.migrate(-10, -10010);
    expect(moved).toMatchObject({ id: -10010, type: "supergroup", topics: ["a", "b", "c"], lang: "en", digestAt: "08:30", active: true });
    expect(await repo.get(-10)).toBeUndefined();
    expect(repo.isActive(-10)).toBeUndefined();
    expect(await repo.migrate(-10, -10010)).toEqual(moved);
    expect(repo.digestChatsAt("08:30")).toEqual([-10010]);
  });

  it("load rebuilds the index from the store and skips corrupt records", async () => {
    const kv = new Keyv();
    const first = await repoOn(kv);
    await first.ensure(1, "private");
    await first.subscribe(1, "x");
    await first.ensure(-2, "channel");
    await first.subscribe(-2, "x");
    await first.update(-2, (r) => void (r.digestAt = "07:00"));
    await kv.set("chat:3", { id: 3, type: "martian" });
    const second = new ChatRepo(kv);
    expect(await second.load()).toEqual({ loaded: 2, invalid: 1 });
    expect((await second.subscribersFor(["x"])).sort()).toEqual([-2, 1]);
    expect(await second.subscribersFor(["x"], { instantOnly: true })).toEqual([1]);
    expect(second.counts()).toMatchObject({ total: 2, active: 2, byType: { private: 1, channel: 1 }, byTopic: { x: 2 }, digest: 1 });
    expect((await collect(second.list())).map((r) => r.id).sort()).toEqual([-2, 1]);
    await expect(second.get(3)).rejects.toThrow();
  });

  it("update validates: an invalid change is refused and nothing is written", async () => {
    const repo = await repoOn();
    await repo.ensure(1, "private");
    await expect(repo.update(1, (r) => void (r.digestAt = "25:99"))).rejects.toThrow();
    expect((await repo.get(1))?.digestAt).toBeUndefined();
  });

  it("concurrent changes to one chat do not overwrite each other", async () => {
    const repo = await repoOn();
    await repo.ensure(1, "private");
    await Promise.all(Array.from({ length: 20 }, (_, i) => repo.subscribe(1, `t${i}`)));
    expect((await repo.get(1))?.topics).toHaveLength(20);
  });

  it("delete forgets the chat everywhere", async () => {
    const repo = await repoOn();
    await repo.ensure(1, "private");
    await repo.subscribe(1, "x");
    expect(await repo.delete(1)).toBe(true);
    expect(await repo.get(1)).toBeUndefined();
    expect(await repo.subscribersFor(["x"])).toEqual([]);
    expect(repo.counts().total).toBe(0);
  });
});
