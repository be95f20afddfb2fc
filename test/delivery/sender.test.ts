import { afterEach, describe, expect, it } from "vitest";
import type { Sender } from "../../src/delivery/sender.js";
import type { DeliveryPayload } from "../../src/delivery/types.js";
import { maxInWindow } from "./fakes.js";
import { rig, text } from "./helpers.js";

const running: Sender[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});
function go(sender: Sender): Sender {
  running.push(sender);
  sender.start();
  return sender;
}

describe("Sender ordering and pacing", () => {
  it("sends interactive, then broadcast, then bulk", async () => {
    const r = await rig({ sender: { maxInFlight: 1, reservedInteractive: 0 } });
    await r.outbox.fanOut({ priority: "bulk", payload: text("article"), recipients: [11, 12] });
    await r.outbox.enqueue({ chatId: 20, priority: "broadcast", payload: text("breaking") });
    await r.outbox.enqueue({ chatId: 30, priority: "interactive", payload: text("reply") });
    await go(r.sender).whenIdle();
    expect(r.telegram.calls.map((c) => [c.chatId, c.params.text])).toEqual([
      [30, "reply"],
      [20, "breaking"],
      [11, "article"],
      [12, "article"],
    ]);
    expect(r.telegram.calls[0]!.params).toMatchObject({ chat_id: 30 });
  });

  it("with fewer slots than the interactive reserve, bulk still flows", async () => {
    const r = await rig({ sender: { maxInFlight: 1 } });
    await r.outbox.fanOut({ priority: "bulk", payload: text("a"), recipients: [1, 2, 3] });
    await go(r.sender).whenIdle();
    expect(r.telegram.delivered().map((c) => c.chatId)).toEqual([1, 2, 3]);
  });

  it("an interactive reply enqueued during a big fan-out goes out next", async () => {
    const r = await rig({ pacer: { globalPerSecond: 10 } });
    await r.outbox.fanOut({ priority: "bulk", payload: text("a"), recipients: Array.from({ length: 100 }, (_, i) => 1000 + i) });
    go(r.sender);
    while (r.telegram.calls.length < 20) await r.time.sleep(100);
    const at = r.telegram.calls.length;
    await r.outbox.enqueue({ chatId: 5, priority: "interactive", payload: text("reply") });
    await r.sender.whenIdle();
    const replyIndex = r.telegram.calls.findIndex((c) => c.chatId === 5);
    expect(replyIndex).toBeGreaterThanOrEqual(at);
    expect(replyIndex).toBeLessThanOrEqual(at + 1);
  });

  it("keeps the global rate, 1/s per private chat and 20/min per group", async () => {
    const r = await rig({ pacer: { globalPerSecond: 10 } });
    await r.outbox.fanOut({ priority: "bulk", payload: text("a"), recipients: Array.from({ length: 60 }, (_, i) => 1000 + i) });
    for (let i = 0; i < 4; i++) await r.outbox.enqueue({ chatId: 7, priority: "interactive", payload: text(`r${i}`) });
    for (let i = 0; i < 22; i++) await r.outbox.enqueue({ chatId: -100, priority: "bulk", payload: text(`g${i}`) });
    await go(r.sender).whenIdle();
    const all = r.telegram.calls.map((c) => c.at);
    expect(r.telegram.delivered()).toHaveLength(86);
    expect(maxInWindow(all, 1000)).toBeLessThanOrEqual(10);
    const priv = r.telegram.calls.filter((c) => c.chatId === 7).map((c) => c.at);
    expect(maxInWindow(priv, 1000)).toBe(1);
    const group = r.telegram.calls.filter((c) => c.chatId === -100).map((c) => c.at);
    expect(maxInWindow(group, 60_000)).toBe(20);
    expect(maxInWindow(group, 1000)).toBe(1);
    // 86 messages at 10/s, the group's last two wait for its minute window
    expect(r.time.elapsedMs).toBeGreaterThanOrEqual(60_000);
    expect(r.telegram.calls.filter((c) => c.chatId === -100).map((c) => c.params.text)).toEqual(Array.from({ length: 22 }, (_, i) => `g${i}`));
  });
});

describe("Sender error handling", () => {
  it("429: waits retry_after, then retries; nothing is lost, and other chats do not wait", async () => {
    const r = await rig();
    r.telegram.failNext(42, { code: 429, description: "Too Many Requests: retry after 5", parameters: { retry_after: 5 } });
    r.telegram.failNext(-300, { code: 429, description: "Too Many Requests: retry after 9", parameters: { retry_after: 9 } });
    await r.outbox.fanOut({ priority: "bulk", payload: text("a"), recipients: [42, -300, 43] });
    await go(r.sender).whenIdle();
    const to42 = r.telegram.calls.filter((c) => c.chatId === 42);
    expect(to42.map((c) => c.ok)).toEqual([false, true]);
    expect(to42[1]!.at - to42[0]!.at).toBeGreaterThanOrEqual(5000);
    const toGroup = r.telegram.calls.filter((c) => c.chatId === -300);
    expect(toGroup[1]!.at - toGroup[0]!.at).toBeGreaterThanOrEqual(9000);
    expect(r.sender.stats()).toMatchObject({ sent: 3, rateLimited429: 2, failed: 0, pending: 0 });
    // one reader's 429 pauses that chat only: 43 did not wait out 42's retry_after
    const to43 = r.telegram.calls.find((c) => c.chatId === 43)!;
    expect(to43.at - to42[0]!.at).toBeLessThan(5000);
  });

  it("403: the chat is deactivated and the rest of its pending deliveries are dropped", async () => {
    const r = await rig({ sender: { maxInFlight: 1, reservedInteractive: 0 } });
    for (const id of [1, 2, 3]) {
      await r.chats.ensure(id, "private");
      await r.chats.subscribe(id, "tech");
    }
    r.telegram.block(2);
    await r.outbox.enqueue({ chatId: 2, priority: "bulk", payload: text("first") });
    await r.outbox.enqueue({ chatId: 2, priority: "bulk", payload: text("second") });
    await r.outbox.fanOut({ priority: "bulk", payload: text("article"), recipients: await r.chats.subscribersFor(["tech"]) });
    await go(r.sender).whenIdle();
    expect(r.telegram.calls.filter((c) => c.chatId === 2)).toHaveLength(1);
    expect(r.telegram.delivered().map((c) => c.chatId)).toEqual([1, 3]);
    expect(await r.chats.get(2)).toMatchObject({ active: false, inactiveReason: "Forbidden: bot was blocked by the user", topics: ["tech"] });
    expect(await r.chats.subscribersFor(["tech"])).toEqual([1, 3]);
    expect(r.sender.stats()).toMatchObject({ sent: 2, dropped: 3, pending: 0 });
  });

  it("the newsroom chat is never dropped: tips wait while it is unreachable", async () => {
    const newsroom = -1009;
    const r = await rig({ sender: { neverDrop: (id) => id === newsroom } });
    await r.chats.ensure(newsroom, "supergroup");
    const kicked = { code: 403, description: "Forbidden: bot was kicked from the supergroup chat" };
    r.telegram.failNext(newsroom, kicked, kicked, kicked);
    await r.outbox.enqueue({ chatId: newsroom, priority: "interactive", payload: text("tip card T-7K3Q") });
    await go(r.sender).whenIdle();
    expect(r.telegram.calls.filter((c) => c.chatId === newsroom).map((c) => c.ok)).toEqual([false, false, false, true]);
    expect(r.chats.isActive(newsroom)).toBe(true);
    expect(r.sender.stats()).toMatchObject({ sent: 1, dropped: 0, deadLettered: 0 });
  });

  it("migrate_to_chat_id: settings move to the new id and the message is delivered there", async () => {
    const r = await rig();
    await r.chats.ensure(-555, "group");
    await r.chats.subscribe(-555, "city");
    await r.chats.update(-555, (c) => void (c.lang = "en"));
    r.telegram.migrate(-555, -100555);
    await r.outbox.fanOut({ priority: "bulk", payload: text("article"), recipients: [-555] });
    await r.outbox.enqueue({ chatId: -555, priority: "bulk", payload: text("digest"), notBeforeMs: r.time.now() + 10_000 });
    await go(r.sender).whenIdle();
    expect(r.telegram.delivered().map((c) => [c.chatId, c.params.text])).toEqual([
      [-100555, "article"],
      [-100555, "digest"],
    ]);
    expect(await r.chats.get(-555)).toBeUndefined();
    expect(await r.chats.get(-100555)).toMatchObject({ type: "supergroup", topics: ["city"], lang: "en", active: true });
    expect(await r.chats.subscribersFor(["city"])).toEqual([-100555]);
  });

  it("5xx and network errors then recovery: every delivery arrives, none dropped", async () => {
    const r = await rig({ sender: { retry: { maxAttempts: 2 } } });
    r.telegram.down = { code: 502, description: "Bad Gateway" };
    await r.outbox.fanOut({ priority: "bulk", payload: text("a"), recipients: Array.from({ length: 30 }, (_, i) => i + 1) });
    await r.outbox.enqueue({ chatId: 99, priority: "interactive", payload: text("r") });
    go(r.sender);
    await r.time.sleep(60_000);
    r.telegram.down = "network";
    await r.time.sleep(60_000);
    expect(r.sender.stats().pending).toBe(31);
    expect(r.sender.stats().failed).toBeGreaterThan(3);
    // backing off, not hammering: a few dozen attempts in two minutes
    expect(r.telegram.calls.length).toBeLessThan(80);
    r.telegram.down = undefined;
    await r.sender.whenIdle();
    const got = new Set(r.telegram.delivered().map((c) => c.chatId));
    expect(got.size).toBe(31);
    expect(r.sender.stats()).toMatchObject({ deadLettered: 0, pending: 0, sent: 31 });
  });

  it("dead-letters after maxAttempts with exponential backoff", async () => {
    const r = await rig({ sender: { retry: { maxAttempts: 4, baseDelaySeconds: 2, maxDelaySeconds: 300 } } });
    const bad = { code: 400, description: "Bad Request: can't parse entities: unsupported start tag" };
    r.telegram.failNext(8, bad, bad, bad, bad, bad);
    await r.outbox.enqueue({ chatId: 8, priority: "bulk", payload: text("<x>") });
    await r.outbox.fanOut({ priority: "bulk", payload: text("ok"), recipients: [9] });
    await go(r.sender).whenIdle();
    const times = r.telegram.calls.filter((c) => c.chatId === 8).map((c) => c.at);
    expect(times).toHaveLength(4);
    expect(times.slice(1).map((t, i) => t - times[i]!)).toEqual([2000, 4000, 8000]);
    expect(r.sender.stats()).toMatchObject({ deadLettered: 1, failed: 4, sent: 1, pending: 0 });
    const dead = await r.outbox.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ chatId: 8, attempts: 4, error: expect.stringContaining("can't parse entities") });
  });

  it("render: the lead's callback decides per chat; skip drops, hold waits", async () => {
    const seen: number[] = [];
    const r = await rig({
      sender: {
        render: (chatId, payload) => {
          seen.push(chatId);
          if (chatId === 2) return Promise.resolve({ action: "skip", reason: "unsubscribed" });
          if (chatId === 3 && seen.filter((c) => c === 3).length === 1) return Promise.resolve({ action: "hold", untilMs: 1_700_000_000_000 + 3_600_000 });
          return Promise.resolve({ action: "send", call: { method: "sendMessage", params: { text: `${String(payload.data.articleId)} for ${chatId}` } } });
        },
      },
    });
    const payload: DeliveryPayload = { kind: "render", type: "article", data: { articleId: "f:9" } };
    await r.outbox.fanOut({ priority: "bulk", payload, recipients: [1, 2, 3] });
    await go(r.sender).whenIdle();
    expect(r.telegram.delivered().map((c) => c.params.text)).toEqual(["f:9 for 1", "f:9 for 3"]);
    expect(r.telegram.delivered(3)[0]!.at).toBeGreaterThanOrEqual(1_700_000_000_000 + 3_600_000);
  });

  it("a failing store never loses a delivery: it stays pending and goes out once the store is back", async () => {
    const { countingKeyv } = await import("./fakes.js");
    const { kv, map } = countingKeyv();
    const r = await rig({ kv });
    await r.outbox.enqueue({ chatId: 1, priority: "bulk", payload: text("x") });
    map.failWrites = true;
    go(r.sender);
    await r.time.sleep(5000);
    expect(r.events.some((e) => e.type === "store-error")).toBe(true);
    expect(r.sender.stats().pending).toBe(1);
    map.failWrites = false;
    await r.sender.whenIdle();
    expect([...map.keys()].filter((k) => k.startsWith("msg:") && /^\w+:\d+$/.test(k))).toEqual([]);
    expect(r.telegram.delivered(1).length).toBeGreaterThanOrEqual(1);
  });

  it("a store hiccup while a failed fan-out recipient is moved to its own retry does not duplicate it", async () => {
    const { countingKeyv } = await import("./fakes.js");
    const { kv, map } = countingKeyv();
    const r = await rig({ kv });
    await r.outbox.fanOut({ priority: "bulk", payload: text("a"), recipients: [1, 2], id: "j" });
    r.telegram.failNext(1, { code: 502, description: "Bad Gateway" });
    map.failKeys = /^keyv:job:j$/;
    go(r.sender);
    await r.time.sleep(3000);
    expect(r.events.some((e) => e.type === "store-error")).toBe(true);
    map.failKeys = undefined;
    await r.sender.whenIdle();
    expect(r.telegram.delivered().map((c) => c.chatId).sort()).toEqual([1, 2]);
    expect(r.telegram.calls.filter((c) => c.chatId === 1)).toHaveLength(2);
  });

  it("stop() waits for sends in flight and records them", async () => {
    const r = await rig({ pacer: { globalPerSecond: 5 } });
    await r.outbox.fanOut({ priority: "bulk", payload: text("a"), recipients: Array.from({ length: 20 }, (_, i) => i + 1) });
    r.sender.start();
    while (r.telegram.calls.length < 5) await r.time.sleep(100);
    await r.sender.stop();
    const sent = r.telegram.delivered().length;
    expect(r.sender.stats()).toMatchObject({ sent, inFlight: 0, pending: 20 - sent });
  });
});
