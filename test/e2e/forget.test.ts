import type { Message } from "telegraf/types";
import { afterEach, describe, expect, it } from "vitest";
import { NS } from "../../src/store/keys.js";
import { callbackQuery, command, privateText, user } from "../support/updates.js";
import { startHarness, until, type Harness } from "./harness.js";

/** A message the bot sent, with the fields these tests read. */
type Sent = Message & { text?: string; reply_markup?: unknown };

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const NEWSROOM_ID = -1_002_999_000_001;

/** Sends an update and waits for the bot's next message to that chat; returns it. */
async function say(hh: Harness, chatId: number, update: Parameters<Harness["double"]["pushUpdate"]>[0]): Promise<Sent> {
  const before = hh.double.sent(chatId).length;
  hh.double.pushUpdate(update);
  await until(() => hh.double.sent(chatId).length > before, 10_000, "the bot's answer");
  return hh.double.sent(chatId)[before]!.message;
}

/** Every key and value in every namespace of the store, one line each. */
async function storeDump(hh: Harness): Promise<string[]> {
  const lines: string[] = [];
  for (const ns of Object.values(NS)) {
    for await (const [key, value] of hh.app.store.entries(ns)) lines.push(`${ns}/${key} ${JSON.stringify(value)}`);
  }
  return lines;
}

describe("/forget", () => {
  it("asks first; 'everything' leaves no key or value in the store that names the reader, and /stats never shows the reader's id", async () => {
    const admin = user({ id: 9_990_001, first_name: "Desk", language_code: "en" });
    h = await startHarness({ admins: [admin.id], delivery: "{ retry: { baseDelaySeconds: 0.05, maxDelaySeconds: 0.1, maxAttempts: 2 } }" });
    const reader = user({ id: 7_770_654_321, first_name: "Forgettable", last_name: "Person", username: "forget_me_user", language_code: "en" });
    const id = reader.id;

    expect((await say(h, id, command(reader, "/subscribe travel"))).text).toContain("旅游");
    // A delivery to the reader that Telegram keeps refusing becomes a dead letter naming the chat.
    h.feed.items.push(h.item(1, "威海旅游旧闻", "旧闻。", 60));
    await h.app.scheduler.pollAll();
    h.double.failNext("sendMessage", 2, { code: 400, description: "Bad Request: refused for the test" });
    h.feed.items.unshift(h.item(2, "威海旅游新闻", "新闻。", 1));
    await h.app.scheduler.pollAll();
    await until(() => h!.app.delivery.stats().deadLetterTotal === 1, 10_000, "a dead letter");
    // It expires on its own (30 days), /forget or not.
    const dead = await h.app.store.namespace(NS.outbox).getRaw("dead:0");
    expect(dead?.expires).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(dead?.expires).toBeLessThan(Date.now() + 31 * 86_400_000);

    await say(h, id, command(reader, "/digest 00:00"));
    await say(h, id, command(reader, "/quiet 01-02"));
    await say(h, id, command(reader, "/lang en"));
    // A tip with the reader's name shown, a staff block, a rate-limit record.
    await say(h, id, command(reader, "/tip"));
    const intro = h.double.sent(id).at(-1)!.message;
    h.double.pushUpdate(callbackQuery(reader, "tip:anon:0", intro));
    await h.double.waitFor((c) => c.method === "answerCallbackQuery");
    await say(h, id, privateText(reader, "The harbour crane is unsafe, nobody listens"));
    const thanks = await say(h, id, command(reader, "/done"));
    const ref = /T-[A-Z0-9]{4,6}/.exec(thanks.text ?? "")?.[0];
    expect(ref).toBeDefined();
    await h.double.waitFor((c) => c.ok && c.method === "copyMessages" && Number(c.params.chat_id) === NEWSROOM_ID);
    const blocked = await say(h, admin.id, command(admin, `/block ${ref}`));
    expect(blocked.text).toMatch(/B-[A-Z0-9]{4,6}/);

    const before = await storeDump(h);
    expect(before.filter((l) => l.includes(String(id))).length).toBeGreaterThan(3);

    const stats = await say(h, admin.id, command(admin, "/stats"));
    expect(stats.text).not.toContain(String(id));

    const asked = await say(h, id, command(reader, "/forget"));
    expect(asked.text).toContain("Tips only");
    expect(asked.text).toContain("旅游");
    expect(asked.text).toContain("00:00");
    expect(asked.text).toContain("no more news");
    expect(JSON.stringify(asked.reply_markup)).toContain("tip:forget:all");
    // Nothing is gone before the reader chose.
    expect(await storeDump(h)).toEqual(before);

    const done = await say(h, id, callbackQuery(reader, "tip:forget:all", asked));
    expect(done.text).toContain("everything else we kept about you");
    await h.app.tipLine.whenIdle();

    const after = await storeDump(h);
    const naming = after.filter((l) => [String(id), "Forgettable", "forget_me_user"].some((s) => l.includes(s)));
    expect(naming).toEqual([]);
    // The block is still there, under a fingerprint: /forget is no way around it.
    expect(after.some((l) => l.startsWith(`${NS.tipBlocks}/f:`))).toBe(true);
    const stillBlocked = await say(h, id, command(reader, "/tip"));
    expect(stillBlocked.text).toContain("no longer accepts");
    expect((await say(h, admin.id, command(admin, "/stats"))).text).not.toContain(String(id));
  });
});
