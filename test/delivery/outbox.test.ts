import Keyv from "keyv";
import { describe, expect, it } from "vitest";
import { Outbox } from "../../src/delivery/outbox.js";
import type { Delivery, DeliveryPayload } from "../../src/delivery/types.js";
import { countingKeyv, VirtualTime } from "./fakes.js";

const text = (t: string): DeliveryPayload => ({ kind: "call", method: "sendMessage", params: { text: t } });
const article: DeliveryPayload = { kind: "render", type: "article", data: { articleId: "f:1" } };
const ready = (): number => 0;

async function take(outbox: Outbox, n: number): Promise<Delivery[]> {
  const out: Delivery[] = [];
  for (let i = 0; i < n; i++) {
    const got = await outbox.next(ready);
    if (!("ref" in got)) break;
    out.push(got);
  }
  return out;
}

async function opened(kv: Keyv, clock = new VirtualTime()): Promise<Outbox> {
  const outbox = new Outbox(kv, { clock, chunkSize: 10 });
  await outbox.load();
  return outbox;
}

describe("Outbox", () => {
  it("hands out interactive before broadcast before bulk, oldest first within one", async () => {
    const outbox = await opened(new Keyv());
    await outbox.enqueue({ chatId: 1, priority: "bulk", payload: text("b1") });
    await outbox.fanOut({ priority: "bulk", payload: article, recipients: [10, 11] });
    await outbox.enqueue({ chatId: 2, priority: "broadcast", payload: text("news") });
    await outbox.enqueue({ chatId: 3, priority: "interactive", payload: text("reply") });
    await outbox.enqueue({ chatId: 4, priority: "bulk", payload: text("b2") });
    const order = (await take(outbox, 10)).map((d) => d.chatId);
    expect(order).toEqual([3, 2, 1, 4, 10, 11]);
  });

  it("survives a restart: singles and job progress are read back, finished recipients are not handed out again", async () => {
    const kv = new Keyv();
    const first = await opened(kv);
    await first.enqueue({ chatId: 1, priority: "interactive", payload: text("hi") });
    const recipients = Array.from({ length: 25 }, (_, i) => 100 + i);
    await first.fanOut({ priority: "bulk", payload: article, recipients });
    const handed = await take(first, 8); // the single + 7 recipients
    for (const d of handed.slice(0, 5)) await first.complete(d); // single + 100..103 done; 104..106 "in flight" at the crash
    expect(first.pendingCount()).toBe(21);

    const second = await opened(kv);
    expect(second.pendingCount()).toBe(21);
    const again = (await take(second, 50)).map((d) => d.chatId);
    expect(again).toEqual(recipients.slice(4));
  });

  it("completing recipients out of order keeps only the finished ones beyond the cursor", async () => {
    const kv = new Keyv();
    const first = await opened(kv);
    await first.fanOut({ priority: "bulk", payload: article, recipients: [1, 2, 3, 4, 5], id: "a1" });
    const [d1, d2, d3] = await take(first, 3);
    await first.complete(d3!);
    await first.complete(d1!);
    const stored = (await kv.get("job:a1")) as { cursor: number; done: number[] };
    expect(stored).toMatchObject({ cursor: 1, done: [2] });
    const second = await opened(kv);
    expect((await take(second, 10)).map((d) => d.chatId)).toEqual([2, 4, 5]);
    expect(d2!.chatId).toBe(2);
  });

  it("a fan-out to n chats costs ceil(n / chunkSize) + 2 writes before the first message, and is deleted when done", async () => {
    const { kv, map } = countingKeyv();
    const outbox = await opened(kv);
    await outbox.fanOut({ priority: "bulk", payload: article, recipients: Array.from({ length: 95 }, (_, i) => i + 1), id: "big" });
    expect(map.writes).toBe(10 + 2);
    const all = await take(outbox, 200);
    expect(all).toHaveLength(95);
    for (const d of all) await outbox.complete(d);
    expect(outbox.pendingCount()).toBe(0);
    expect([...map.keys()].filter((k) => k.includes("job:big"))).toEqual([]);
  });

  it("a second fanOut with the same id while pending is a no-op", async () => {
    const outbox = await opened(new Keyv());
    await outbox.fanOut({ priority: "bulk", payload: article, recipients: [1, 2], id: "art:1" });
    await outbox.fanOut({ priority: "bulk", payload: article, recipients: [1, 2], id: "art:1" });
    expect(outbox.pendingCount()).toBe(2);
  });

  it("a counted retry of a fan-out recipient becomes a durable single with its attempts", async () => {
    const kv = new Keyv();
    const clock = new VirtualTime();
    const outbox = await opened(kv, clock);
    await outbox.fanOut({ priority: "bulk", payload: article, recipients: [1, 2] });
    const [d1] = await take(outbox, 1);
    await outbox.retryLater(d1!, clock.now() + 4000, { attempts: 1, error: "502" });
    const second = await opened(kv, clock);
    const got = await take(second, 5);
    expect(got.map((d) => [d.chatId, d.attempts, d.ref.kind])).toEqual([[2, 0, "job"]]);
    const later = await second.next(ready);
    expect(later).toEqual({ wakeAt: clock.now() + 4000 });
  });

  it("dead letters are kept and listed newest first", async () => {
    const kv = new Keyv();
    const outbox = await opened(kv);
    await outbox.enqueue({ chatId: 1, priority: "bulk", payload: text("x") });
    await outbox.enqueue({ chatId: 2, priority: "bulk", payload: text("y") });
    const [a, b] = await take(outbox, 2);
    await outbox.deadLetter(a!, 5, "400: can't parse entities");
    await outbox.deadLetter(b!, 5, "400: message is too long");
    const reopened = await opened(kv);
    expect(reopened.pendingCount()).toBe(0);
    expect(reopened.deadLetterTotal).toBe(2);
    expect((await reopened.deadLetters()).map((d) => [d.chatId, d.error])).toEqual([
      [2, "400: message is too long"],
      [1, "400: can't parse entities"],
    ]);
  });

  it("skips chats that are not ready without blocking the others", async () => {
    const outbox = await opened(new Keyv());
    await outbox.fanOut({ priority: "bulk", payload: article, recipients: [1, 2, 3] });
    const got = await outbox.next((id) => (id === 1 ? Infinity : 0));
    expect("ref" in got && got.chatId).toBe(2);
    const got2 = await outbox.next(() => 0);
    expect("ref" in got2 && got2.chatId).toBe(1);
  });

  it("many enqueues cost about one write each, and all survive a restart", async () => {
    const { kv, map } = countingKeyv();
    const outbox = await opened(kv);
    await Promise.all(Array.from({ length: 600 }, (_, i) => outbox.enqueue({ chatId: i, priority: "bulk", payload: text(String(i)) })));
    expect(map.writes).toBeLessThanOrEqual(600 + 3);
    const again = await opened(kv);
    expect(again.pendingCount()).toBe(600);
  });

  it("releases held fan-out recipients, and one held while the release happened (quiet hours ended during its render)", async () => {
    const outbox = await opened(new Keyv());
    const later = Date.now() + 8 * 3600_000;
    await outbox.fanOut({ id: "a1", priority: "bulk", payload: article, recipients: [7, 8] });
    const [first, second] = await take(outbox, 2);
    // Chat 7: held, then released.
    await outbox.retryLater(first!, later, { attempts: 0, error: "held" });
    expect(await outbox.releaseHeld(7)).toBe(1);
    // Chat 8: its render saw quiet hours, the reader ended them before it came back.
    await outbox.releaseHeld(8);
    await outbox.retryLater(second!, later, { attempts: 0, error: "held" });
    const again = await take(outbox, 3);
    expect(again.map((d) => d.chatId).sort()).toEqual([7, 8]);
  });
});
