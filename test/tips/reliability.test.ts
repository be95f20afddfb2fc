import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Message, User } from "telegraf/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { startBotApiDouble, type BotApiDouble } from "../support/bot-api-double.js";
import { callbackQuery, command, photo, privateText, reply, supergroup, user } from "../support/updates.js";
import { memoryStore, pushAndWait, runBot, sentTo, textOfCall, until, type Running } from "./harness.js";

const NEWSROOM = supergroup({ title: "Newsroom" });

let double: BotApiDouble;
let running: Running | undefined;

beforeEach(async () => {
  double = await startBotApiDouble({ limits: { enabled: false } });
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await double.close();
});

/** Sends a one-message tip and returns its reference. */
async function sendTip(reader: User, text: string): Promise<string> {
  await pushAndWait(double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
  await pushAndWait(double, privateText(reader, text), sentTo(reader.id, "sendMessage"));
  const thanks = await pushAndWait(double, command(reader, "/done"), (c) => sentTo(reader.id)(c) && textOfCall(c).includes("Thank you"));
  const ref = /T-[A-Z0-9]{4,6}/.exec(textOfCall(thanks))?.[0];
  if (!ref) throw new Error("no reference");
  return ref;
}

const okTo = (method: string) => (c: { ok: boolean; method: string; params: Record<string, unknown> }) =>
  c.ok && c.method === method && Number(c.params.chat_id) === NEWSROOM.id;

/** The card message in the newsroom, for staff replies. */
async function cardOf(ref: string): Promise<Message> {
  await double.waitFor((c) => okTo("sendMessage")(c) && textOfCall(c).includes(ref));
  const card = double.sent(NEWSROOM.id).find((m) => m.text.includes(ref));
  if (!card) throw new Error("no card");
  return card.message;
}

describe("nothing is lost", () => {
  it("a newsroom chat answering 5xx for a while gets every tip once it recovers, each once", async () => {
    running = await runBot(double, { store: memoryStore(), newsroomChatId: NEWSROOM.id });
    double.setDown({ chatId: NEWSROOM.id, status: 502, description: "Bad Gateway" });
    const a = user();
    const b = user();
    const refA = await sendTip(a, "first tip during the outage");
    const refB = await sendTip(b, "second tip during the outage");
    await double.waitFor(() => double.calls.filter((c) => !c.ok && c.errorCode === 502).length >= 3);
    double.setDown(null);
    await until(() => double.calls.filter(okTo("copyMessages")).length === 2);
    await running.line.whenIdle();
    const cards = double.calls.filter(okTo("sendMessage"));
    expect(cards.map(textOfCall).filter((t) => t.includes(refA))).toHaveLength(1);
    expect(cards.map(textOfCall).filter((t) => t.includes(refB))).toHaveLength(1);
    // In order: A's card, A's copies, B's card, B's copies.
    const order = double.calls.filter((c) => okTo("sendMessage")(c) || okTo("copyMessages")(c)).map((c) => (c.method === "copyMessages" ? `copy:${String(c.params.from_chat_id)}` : "card"));
    expect(order).toEqual(["card", `copy:${a.id}`, "card", `copy:${b.id}`]);
  });

  it("a 429 from the newsroom chat is waited out and the copy still goes once", async () => {
    running = await runBot(double, { store: memoryStore(), newsroomChatId: NEWSROOM.id });
    double.failNext("copyMessages", 1, { code: 429, description: "Too Many Requests: retry after 1", retryAfterSeconds: 1 });
    await sendTip(user(), "tip meeting a rate limit");
    await double.waitFor(okTo("copyMessages"));
    await running.line.whenIdle();
    expect(double.calls.filter((c) => c.method === "copyMessages").map((c) => c.ok)).toEqual([false, true]);
  });

  it("a restart between 'stored' and 'sent to the newsroom' delivers the tip (new bot on the same SQLite file)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tips-restart-"));
    try {
      const url = `sqlite://${join(dir, "store.sqlite")}`;
      const first = await openStore(url);
      double.setDown({ chatId: NEWSROOM.id, status: 500 });
      running = await runBot(double, { store: first, newsroomChatId: NEWSROOM.id });
      const reader = user();
      await pushAndWait(double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
      await pushAndWait(double, privateText(reader, "stored but not yet sent"), sentTo(reader.id, "sendMessage"));
      double.pushUpdate(photo(reader, "evidence"));
      await until(async () => (await running!.line.repo.getDraft(reader.id))?.items.length === 2);
      const thanks = await pushAndWait(double, command(reader, "/done"), (c) => sentTo(reader.id)(c) && textOfCall(c).includes("Thank you"));
      const ref = /T-[A-Z0-9]{4,6}/.exec(textOfCall(thanks))![0];
      await double.waitFor((c) => !c.ok && c.errorCode === 500);
      await running.stop();
      running = undefined;
      await first.close();
      expect(double.calls.some(okTo("sendMessage"))).toBe(false);

      double.setDown(null);
      const second = await openStore(url);
      running = await runBot(double, { store: second, newsroomChatId: NEWSROOM.id });
      const copies = await double.waitFor(okTo("copyMessages"));
      expect(copies.params.message_ids).toHaveLength(2);
      expect(double.calls.filter(okTo("sendMessage")).map(textOfCall).filter((t) => t.includes(ref))).toHaveLength(1);
      await running.stop();
      running = undefined;
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a message sent right before /done (same polling batch) still reaches the newsroom under the tip", async () => {
    running = await runBot(double, { store: memoryStore(), newsroomChatId: NEWSROOM.id });
    const reader = user();
    await pushAndWait(double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    await pushAndWait(double, privateText(reader, "first part"), sentTo(reader.id, "sendMessage"));
    const late = photo(reader, "late part");
    double.pushUpdate(late);
    double.pushUpdate(command(reader, "/done"));
    await double.waitFor(okTo("copyMessages"));
    await until(() => double.sent(NEWSROOM.id).some((m) => m.text === "late part"));
    await running.line.whenIdle();
    expect(double.sent(NEWSROOM.id).filter((m) => m.text === "late part")).toHaveLength(1);
  });
});

describe("abuse and privacy", () => {
  it("rate-limits tips per reader per hour and keeps the open tip", async () => {
    let now = Date.UTC(2024, 1, 20);
    running = await runBot(double, { store: memoryStore(), newsroomChatId: NEWSROOM.id, limits: { maxPerHour: 2 }, clock: { now: () => now } });
    const reader = user();
    await sendTip(reader, "one");
    await sendTip(reader, "two");
    await pushAndWait(double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    await pushAndWait(double, privateText(reader, "three"), sentTo(reader.id, "sendMessage"));
    const refused = await pushAndWait(double, command(reader, "/done"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(refused)).toContain("2 tips in the last hour");
    now += 61 * 60_000;
    const thanks = await pushAndWait(double, command(reader, "/done"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(thanks)).toContain("Thank you");
  });

  it("refuses messages past the attachment and text limits with a clear message", async () => {
    running = await runBot(double, { store: memoryStore(), newsroomChatId: NEWSROOM.id, limits: { maxAttachments: 2, maxTextChars: 100 } });
    const reader = user();
    await pushAndWait(double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    const tooLong = await pushAndWait(double, privateText(reader, "x".repeat(101)), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(tooLong)).toContain("at most 100 characters");
    await pushAndWait(double, privateText(reader, "short"), sentTo(reader.id, "sendMessage"));
    double.pushUpdate(photo(reader));
    await until(async () => (await running!.line.repo.getDraft(reader.id))?.items.length === 2);
    const tooMany = await pushAndWait(double, photo(reader), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(tooMany)).toContain("at most 2 messages");
    expect((await running.line.repo.getDraft(reader.id))?.items).toHaveLength(2);
  });

  it("a blocked reader is told once, then ignored; /unblock restores the line", async () => {
    running = await runBot(double, { store: memoryStore(), newsroomChatId: NEWSROOM.id });
    const reader = user();
    const staff = user();
    const ref = await sendTip(reader, "abusive nonsense");
    await cardOf(ref);
    const blocked = await pushAndWait(double, groupCommandIn(staff, `/block ${ref}`), sentTo(NEWSROOM.id, "sendMessage"));
    expect(textOfCall(blocked)).toContain("blocked");
    const told = await pushAndWait(double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(told)).toContain("no longer accepts");
    const before = double.calls.length;
    double.pushUpdate(command(reader, "/tip"));
    double.pushUpdate(command(reader, `/tip ${ref} let me in`));
    await pushAndWait(double, command(reader, "/help"), sentTo(reader.id, "sendMessage"));
    const toReader = double.calls.slice(before).filter(sentTo(reader.id));
    expect(toReader).toHaveLength(1);
    expect(textOfCall(toReader[0]!)).not.toContain("no longer accepts");
    await pushAndWait(double, groupCommandIn(staff, `/unblock ${ref}`), sentTo(NEWSROOM.id, "sendMessage"));
    const intro = await pushAndWait(double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(intro)).toContain("Send us a tip");
  });

  it("/forget deletes the reader's tips and links now; /privacy says what is kept", async () => {
    running = await runBot(double, { store: memoryStore(), newsroomChatId: NEWSROOM.id });
    const reader = user();
    const staff = user();
    const ref = await sendTip(reader, "please forget me later");
    const card = await cardOf(ref);
    await running.line.whenIdle();
    const privacy = await pushAndWait(double, command(reader, "/privacy"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(privacy)).toContain("90 days");
    const asked = await pushAndWait(double, command(reader, "/forget"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(asked)).toContain("What should I delete?");
    expect(await running.line.repo.getTip(ref)).toBeDefined();
    const question = double.sent(reader.id).at(-1)!.message;
    const forgot = await pushAndWait(double, callbackQuery(reader, "tip:forget:tips", question), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(forgot)).toContain("Deleted 1 tip(s)");
    expect(textOfCall(forgot)).toContain("stay there");
    expect(await running.line.repo.getTip(ref)).toBeUndefined();
    const notKept = await pushAndWait(double, reply(staff, "hello?", card), sentTo(NEWSROOM.id, "sendMessage"));
    expect(textOfCall(notKept)).toContain("no longer kept");
    const unknown = await pushAndWait(double, command(reader, `/tip ${ref} hi`), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(unknown)).toContain("don't know that tip reference");
    expect(double.calls.filter(sentTo(reader.id)).map(textOfCall).some((t) => t.includes("hello?"))).toBe(false);
  });

  it("tips and reply links expire after retentionDays", async () => {
    let now = Date.UTC(2024, 1, 20);
    running = await runBot(double, { store: memoryStore(), newsroomChatId: NEWSROOM.id, limits: { retentionDays: 30 }, clock: { now: () => now } });
    const reader = user();
    const staff = user();
    const ref = await sendTip(reader, "old news");
    const card = await cardOf(ref);
    await running.line.whenIdle();
    now += 29 * 86_400_000;
    expect(await running.line.repo.getTip(ref)).toBeDefined();
    now += 2 * 86_400_000;
    expect(await running.line.repo.getTip(ref)).toBeUndefined();
    const notKept = await pushAndWait(double, reply(staff, "still there?", card), sentTo(NEWSROOM.id, "sendMessage"));
    expect(textOfCall(notKept)).toContain("no longer kept");
    const notFound = await pushAndWait(double, groupCommandIn(staff, `/status ${ref} published`), sentTo(NEWSROOM.id, "sendMessage"));
    expect(textOfCall(notFound)).toContain(`No tip ${ref}`);
  });
});

describe("only staff", () => {
  it("a non-staff user cannot change status, block or relay (also without `from`); admins can from anywhere", async () => {
    const admin = user();
    const logLines: string[] = [];
    running = await runBot(double, { store: memoryStore(), newsroomChatId: NEWSROOM.id, admins: [admin.id], logLines });
    const reader = user();
    const stranger = user();
    const ref = await sendTip(reader, "status target");
    const card = await cardOf(ref);
    await running.line.whenIdle();

    for (const text of [`/status ${ref} published`, `/block ${ref}`, `/unblock ${ref}`]) {
      const refused = await pushAndWait(double, command(stranger, text), sentTo(stranger.id, "sendMessage"));
      expect(textOfCall(refused)).toContain("only newsroom staff");
    }
    expect((await running.line.repo.getTip(ref))?.status).toBe("new");
    expect(await running.line.repo.getBlock(reader.id)).toBeUndefined();

    // A reply to the card without `from`, and one posted as a foreign channel: refused, nothing reaches the reader.
    const noFrom = reply(stranger, "leak attempt one", card);
    delete (noFrom.message as { from?: unknown }).from;
    const refusedNoFrom = await pushAndWait(double, noFrom, sentTo(NEWSROOM.id, "sendMessage"));
    expect(textOfCall(refusedNoFrom)).toContain("only newsroom staff");
    const asChannel = reply({ id: 136817688, is_bot: true, first_name: "Channel" }, "leak attempt two", card);
    (asChannel.message as { sender_chat?: unknown }).sender_chat = { id: -1003999, type: "channel", title: "Other" };
    await pushAndWait(double, asChannel, (c) => sentTo(NEWSROOM.id, "sendMessage")(c) && textOfCall(c).includes("only newsroom staff"));
    expect(double.calls.filter(sentTo(reader.id)).map(textOfCall).some((t) => t.includes("leak attempt"))).toBe(false);

    const set = await pushAndWait(double, command(admin, `/status ${ref} published`), sentTo(admin.id, "sendMessage"));
    expect(textOfCall(set)).toContain("status set to published");
    expect((await running.line.repo.getTip(ref))?.status).toBe("published");
    const logs = logLines.join("");
    expect(logs).toContain("staff action refused");
    expect(logs).not.toContain("leak attempt");
  });
});

function groupCommandIn(from: User, text: string) {
  const update = command(from, text);
  (update.message as { chat: unknown }).chat = NEWSROOM;
  return update;
}
