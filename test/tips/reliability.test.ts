import type { Message, User } from "telegraf/types";
import { describe, expect, it } from "vitest";
import type { Harness } from "../e2e/harness.js";
import { callbackQuery, command, photo, privateText, reply, supergroup, user } from "../support/updates.js";
import { fastForward, pushAndWait, sentTo, startTipDesk, textOfCall, until } from "./harness.js";

const NEWSROOM = supergroup({ title: "Newsroom" });

/** Sends a one-message tip and returns its reference. */
async function sendTip(h: Harness, reader: User, text: string): Promise<string> {
  await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
  await pushAndWait(h.double, privateText(reader, text), sentTo(reader.id, "sendMessage"));
  const thanks = await pushAndWait(h.double, command(reader, "/done"), (c) => sentTo(reader.id)(c) && textOfCall(c).includes("Thank you"));
  const ref = /T-[A-Z0-9]{4,6}/.exec(textOfCall(thanks))?.[0];
  if (!ref) throw new Error("no reference");
  return ref;
}

const okTo = (method: string) => (c: { ok: boolean; method: string; params: Record<string, unknown> }) =>
  c.ok && c.method === method && Number(c.params.chat_id) === NEWSROOM.id;

/** The card message in the newsroom, for staff replies. */
async function cardOf(h: Harness, ref: string): Promise<Message> {
  await h.double.waitFor((c) => okTo("sendMessage")(c) && textOfCall(c).includes(ref));
  const card = h.double.sent(NEWSROOM.id).find((m) => m.text.includes(ref));
  if (!card) throw new Error("no card");
  return card.message;
}

describe.concurrent("nothing is lost", () => {
  it("a newsroom chat answering 5xx for a while gets every tip once it recovers, each once", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id }, onTestFinished);
    h.double.setDown({ chatId: NEWSROOM.id, status: 502, description: "Bad Gateway" });
    const a = user();
    const b = user();
    const refA = await sendTip(h, a, "first tip during the outage");
    const refB = await sendTip(h, b, "second tip during the outage");
    // The queue's backoff sleeps on the app's clock: moving it on makes the retries come at once.
    const refusedByNewsroom = () => h.double.calls.filter((c) => !c.ok && c.errorCode === 502 && Number(c.params.chat_id) === NEWSROOM.id).length;
    await fastForward(h, () => refusedByNewsroom() >= 3, "three refused attempts");
    h.double.setDown(null);
    await fastForward(h, () => h.double.calls.filter(okTo("copyMessages")).length === 2, "both tips copied");
    await h.app.tipLine.whenIdle();
    const cards = h.double.calls.filter(okTo("sendMessage"));
    expect(cards.map(textOfCall).filter((t) => t.includes(refA))).toHaveLength(1);
    expect(cards.map(textOfCall).filter((t) => t.includes(refB))).toHaveLength(1);
    // In order: A's card, A's copies, B's card, B's copies.
    const order = h.double.calls.filter((c) => okTo("sendMessage")(c) || okTo("copyMessages")(c)).map((c) => (c.method === "copyMessages" ? `copy:${String(c.params.from_chat_id)}` : "card"));
    expect(order).toEqual(["card", `copy:${a.id}`, "card", `copy:${b.id}`]);
  });

  it("a 429 from the newsroom chat is waited out and the copy still goes once", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id }, onTestFinished);
    h.double.failNext("copyMessages", 1, { code: 429, description: "Too Many Requests: retry after 1", retryAfterSeconds: 1 });
    await sendTip(h, user(), "tip meeting a rate limit");
    await h.double.waitFor(okTo("copyMessages"));
    await h.app.tipLine.whenIdle();
    expect(h.double.calls.filter((c) => c.method === "copyMessages").map((c) => c.ok)).toEqual([false, true]);
  });

  it("a restart between 'stored' and 'sent to the newsroom' delivers the tip (new bot on the same SQLite file)", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id }, onTestFinished);
    h.double.setDown({ chatId: NEWSROOM.id, status: 500 });
    const reader = user();
      await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
      await pushAndWait(h.double, privateText(reader, "stored but not yet sent"), sentTo(reader.id, "sendMessage"));
      h.double.pushUpdate(photo(reader, "evidence"));
      await until(async () => (await h.app.tipLine.repo.getDraft(reader.id))?.items.length === 2);
      const thanks = await pushAndWait(h.double, command(reader, "/done"), (c) => sentTo(reader.id)(c) && textOfCall(c).includes("Thank you"));
      const ref = /T-[A-Z0-9]{4,6}/.exec(textOfCall(thanks))![0];
    await h.double.waitFor((c) => !c.ok && c.errorCode === 500 && Number(c.params.chat_id) === NEWSROOM.id);
    // The process stops (its store closed), the newsroom recovers meanwhile, a new app opens the same SQLite file.
    let cardsBeforeRestart = -1;
    await h.restart(h.clock.now() + 60_000, () => {
      cardsBeforeRestart = h.double.calls.filter(okTo("sendMessage")).length;
      h.double.setDown(null);
    });
    expect(cardsBeforeRestart).toBe(0);
    const copies = await h.double.waitFor(okTo("copyMessages"));
    expect(copies.params.message_ids).toHaveLength(2);
    expect(h.double.calls.filter(okTo("sendMessage")).map(textOfCall).filter((t) => t.includes(ref))).toHaveLength(1);
  });

  it("a message sent right before /done (same polling batch) still reaches the newsroom under the tip", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id }, onTestFinished);
    const reader = user();
    await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    await pushAndWait(h.double, privateText(reader, "first part"), sentTo(reader.id, "sendMessage"));
    const late = photo(reader, "late part");
    h.double.pushUpdate(late);
    h.double.pushUpdate(command(reader, "/done"));
    await h.double.waitFor(okTo("copyMessages"));
    await until(() => h.double.sent(NEWSROOM.id).some((m) => m.text === "late part"));
    await h.app.tipLine.whenIdle();
    expect(h.double.sent(NEWSROOM.id).filter((m) => m.text === "late part")).toHaveLength(1);
  });
});

describe.concurrent("abuse and privacy", () => {
  it("rate-limits tips per reader per hour and keeps the open tip", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id, limits: { maxPerHour: 2 } }, onTestFinished);
    const reader = user();
    await sendTip(h, reader, "one");
    await sendTip(h, reader, "two");
    await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    await pushAndWait(h.double, privateText(reader, "three"), sentTo(reader.id, "sendMessage"));
    const refused = await pushAndWait(h.double, command(reader, "/done"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(refused)).toContain("2 tips in the last hour");
    h.clock.advance(61 * 60_000);
    // An hour on, the open tip may also get its reminder (the sweep runs on the same clock): skip that one.
    const thanks = await pushAndWait(h.double, command(reader, "/done"), (c) => sentTo(reader.id, "sendMessage")(c) && !textOfCall(c).includes("not been sent yet"));
    expect(textOfCall(thanks)).toContain("Thank you");
  });

  it("refuses messages past the attachment and text limits with a clear message", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id, limits: { maxAttachments: 2, maxTextChars: 100 } }, onTestFinished);
    const reader = user();
    await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    const tooLong = await pushAndWait(h.double, privateText(reader, "x".repeat(101)), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(tooLong)).toContain("at most 100 characters");
    await pushAndWait(h.double, privateText(reader, "short"), sentTo(reader.id, "sendMessage"));
    h.double.pushUpdate(photo(reader));
    await until(async () => (await h.app.tipLine.repo.getDraft(reader.id))?.items.length === 2);
    const tooMany = await pushAndWait(h.double, photo(reader), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(tooMany)).toContain("at most 2 messages");
    expect((await h.app.tipLine.repo.getDraft(reader.id))?.items).toHaveLength(2);
  });

  it("a blocked reader is told once, then ignored; /unblock restores the line", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id }, onTestFinished);
    const reader = user();
    const staff = user();
    const ref = await sendTip(h, reader, "abusive nonsense");
    await cardOf(h, ref);
    const blocked = await pushAndWait(h.double, groupCommandIn(staff, `/block ${ref}`), sentTo(NEWSROOM.id, "sendMessage"));
    expect(textOfCall(blocked)).toContain("blocked");
    const told = await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(told)).toContain("no longer accepts");
    const before = h.double.calls.length;
    h.double.pushUpdate(command(reader, "/tip"));
    h.double.pushUpdate(command(reader, `/tip ${ref} let me in`));
    await pushAndWait(h.double, command(reader, "/help"), sentTo(reader.id, "sendMessage"));
    const toReader = h.double.calls.slice(before).filter(sentTo(reader.id));
    expect(toReader).toHaveLength(1);
    expect(textOfCall(toReader[0]!)).not.toContain("no longer accepts");
    await pushAndWait(h.double, groupCommandIn(staff, `/unblock ${ref}`), sentTo(NEWSROOM.id, "sendMessage"));
    const intro = await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(intro)).toContain("Send us a tip");
  });

  it("/forget deletes the reader's tips and links now; /privacy says what is kept", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id }, onTestFinished);
    const reader = user();
    const staff = user();
    const ref = await sendTip(h, reader, "please forget me later");
    const card = await cardOf(h, ref);
    await h.app.tipLine.whenIdle();
    const privacy = await pushAndWait(h.double, command(reader, "/privacy"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(privacy)).toContain("90 days");
    const asked = await pushAndWait(h.double, command(reader, "/forget"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(asked)).toContain("What should I delete?");
    expect(await h.app.tipLine.repo.getTip(ref)).toBeDefined();
    const question = h.double.sent(reader.id).at(-1)!.message;
    const forgot = await pushAndWait(h.double, callbackQuery(reader, "tip:forget:tips", question), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(forgot)).toContain("Deleted 1 tip,");
    expect(textOfCall(forgot)).toContain("stay there");
    expect(await h.app.tipLine.repo.getTip(ref)).toBeUndefined();
    const notKept = await pushAndWait(h.double, reply(staff, "hello?", card), sentTo(NEWSROOM.id, "sendMessage"));
    expect(textOfCall(notKept)).toContain("no longer kept");
    const unknown = await pushAndWait(h.double, command(reader, `/tip ${ref} hi`), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(unknown)).toContain("don't know that tip reference");
    expect(h.double.calls.filter(sentTo(reader.id)).map(textOfCall).some((t) => t.includes("hello?"))).toBe(false);
  });

  it("tips and reply links expire after retentionDays", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id, limits: { retentionDays: 30 } }, onTestFinished);
    const reader = user();
    const staff = user();
    const ref = await sendTip(h, reader, "old news");
    const card = await cardOf(h, ref);
    await h.app.tipLine.whenIdle();
    h.clock.advance(29 * 86_400_000);
    expect(await h.app.tipLine.repo.getTip(ref)).toBeDefined();
    h.clock.advance(2 * 86_400_000);
    expect(await h.app.tipLine.repo.getTip(ref)).toBeUndefined();
    const notKept = await pushAndWait(h.double, reply(staff, "still there?", card), sentTo(NEWSROOM.id, "sendMessage"));
    expect(textOfCall(notKept)).toContain("no longer kept");
    const notFound = await pushAndWait(h.double, groupCommandIn(staff, `/status ${ref} published`), sentTo(NEWSROOM.id, "sendMessage"));
    expect(textOfCall(notFound)).toContain(`No tip ${ref}`);
  });
});

describe.concurrent("only staff", () => {
  it("a non-staff user cannot change status, block or relay (also without `from`); admins can from anywhere", async ({ onTestFinished }) => {
    const admin = user();
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id, admins: [admin.id] }, onTestFinished);
    const reader = user();
    const stranger = user();
    const ref = await sendTip(h, reader, "status target");
    const card = await cardOf(h, ref);
    await h.app.tipLine.whenIdle();

    for (const text of [`/status ${ref} published`, `/block ${ref}`, `/unblock ${ref}`]) {
      const refused = await pushAndWait(h.double, command(stranger, text), sentTo(stranger.id, "sendMessage"));
      expect(textOfCall(refused)).toContain("only newsroom staff");
    }
    expect((await h.app.tipLine.repo.getTip(ref))?.status).toBe("new");
    expect(await h.app.tipLine.repo.getBlock(reader.id)).toBeUndefined();

    // A reply to the card without `from`, and one posted as a foreign channel: refused, nothing reaches the reader.
    const noFrom = reply(stranger, "leak attempt one", card);
    delete (noFrom.message as { from?: unknown }).from;
    const refusedNoFrom = await pushAndWait(h.double, noFrom, sentTo(NEWSROOM.id, "sendMessage"));
    expect(textOfCall(refusedNoFrom)).toContain("only newsroom staff");
    const asChannel = reply({ id: 136817688, is_bot: true, first_name: "Channel" }, "leak attempt two", card);
    (asChannel.message as { sender_chat?: unknown }).sender_chat = { id: -1003999, type: "channel", title: "Other" };
    await pushAndWait(h.double, asChannel, (c) => sentTo(NEWSROOM.id, "sendMessage")(c) && textOfCall(c).includes("only newsroom staff"));
    expect(h.double.calls.filter(sentTo(reader.id)).map(textOfCall).some((t) => t.includes("leak attempt"))).toBe(false);

    const set = await pushAndWait(h.double, command(admin, `/status ${ref} published`), sentTo(admin.id, "sendMessage"));
    expect(textOfCall(set)).toContain("status set to published");
    expect((await h.app.tipLine.repo.getTip(ref))?.status).toBe("published");
    const logs = h.logs.join("");
    expect(logs).toContain("staff action refused");
    expect(logs).not.toContain("leak attempt");
  });
});

function groupCommandIn(from: User, text: string) {
  const update = command(from, text);
  (update.message as { chat: unknown }).chat = NEWSROOM;
  return update;
}
