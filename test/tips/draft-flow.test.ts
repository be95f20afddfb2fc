import type { Message } from "telegraf/types";
import { describe, expect, it } from "vitest";
import type { Harness } from "../e2e/harness.js";
import type { ApiCall } from "../support/bot-api-double.js";
import { callbackQuery, command, contact, photo, privateText, supergroup, user } from "../support/updates.js";
import { nextCall, pushAndWait, sentTo, startTipDesk, textOfCall, until } from "./harness.js";

const NEWSROOM = supergroup({ title: "Newsroom" });
const HOUR_MS = 3_600_000;


/** The app's answer to a search (plain text, /search, or "search instead"): results, a topic's latest, or nothing found. */
const isSearchAnswer = (c: ApiCall): boolean => /^Nothing found for “|^<b>[^<]*<\/b>: (\d+ articles?|latest of \d+)/.test(textOfCall(c));

const buttonsOf = (call: ApiCall): string[] =>
  ((call.params.reply_markup as { inline_keyboard?: Array<Array<{ callback_data?: string }>> } | undefined)?.inline_keyboard ?? [])
    .flat()
    .map((b) => b.callback_data ?? "");

/** The bot's message that a call sent (for callbackQuery and reply_to_message). */
function messageOfCall(h: Harness, call: ApiCall): Message {
  const id = (call.result as { message_id: number }).message_id;
  const found = h.double.sent(Number(call.params.chat_id)).find((m) => m.message.message_id === id);
  if (!found) throw new Error("sent message not found");
  return found.message;
}

// Not concurrent: the status message is edited only while it is in sight (few message ids up), and
// the update builders number messages across the whole file, so a concurrent test would push it out.
describe("a tip in progress does not swallow what the reader meant elsewhere", () => {
  it("commands go to their command; a topic word or a short line is asked about; every part is acknowledged on one status message", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id }, onTestFinished);
    const reader = user({ language_code: "en" });
    await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    const status = await pushAndWait(h.double, privateText(reader, "The mayor's office shredded files tonight"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(status)).toContain("<b>1</b> message (");
    expect(buttonsOf(status)).toEqual(["tip:send", "tip:cancel"]);

    // A command is never tip content.
    const help = await pushAndWait(h.double, command(reader, "/help"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(help)).toContain("/tip");
    expect((await h.app.tipLine.repo.getDraft(reader.id))?.items).toHaveLength(1);

    // A topic word (旅游 is the travel topic's name): asked, not added.
    const travel = privateText(reader, "旅游");
    const asked = await pushAndWait(h.double, travel, sentTo(reader.id, "sendMessage"));
    expect(textOfCall(asked)).toContain("“旅游”");
    expect(buttonsOf(asked)).toEqual([`tip:q:add:${travel.message.message_id}`, `tip:q:search:${travel.message.message_id}`]);
    expect((asked.params.reply_parameters as { message_id: number }).message_id).toBe(travel.message.message_id);
    expect((await h.app.tipLine.repo.getDraft(reader.id))?.items).toHaveLength(1);
    // "Search instead" runs the search with the quoted words; the tip stays as it was.
    const question = messageOfCall(h, asked);
    const results = await pushAndWait(h.double, callbackQuery(reader, `tip:q:search:${travel.message.message_id}`, question), sentTo(reader.id, "sendMessage"));
    expect(isSearchAnswer(results), textOfCall(results)).toBe(true);
    expect(textOfCall(results)).toContain("旅游");
    expect((await h.app.tipLine.repo.getDraft(reader.id))?.items).toHaveLength(1);
    // The same button again: the question is closed, and the reader is told so.
    const again = await pushAndWait(h.double, callbackQuery(reader, `tip:q:search:${travel.message.message_id}`, question), (c) => c.method === "answerCallbackQuery");
    expect(String(again.params.text)).toContain("no longer open");

    // A short line after the first part: asked too; "add to tip" adds it, and later short lines go in unasked.
    const shortLine = privateText(reader, "east gate");
    const askedShort = await pushAndWait(h.double, shortLine, sentTo(reader.id, "sendMessage"));
    expect(buttonsOf(askedShort)).toContain(`tip:q:add:${shortLine.message.message_id}`);
    const edited = await pushAndWait(
      h.double,
      callbackQuery(reader, `tip:q:add:${shortLine.message.message_id}`, messageOfCall(h, askedShort)),
      (c) => c.ok && c.method === "editMessageText" && Number(c.params.message_id) === (status.result as { message_id: number }).message_id,
    );
    expect(textOfCall(edited)).toContain("<b>2</b> messages (");
    await pushAndWait(h.double, privateText(reader, "also trucks"), (c) => c.ok && c.method === "editMessageText" && textOfCall(c).includes("<b>3</b>"));
    expect((await h.app.tipLine.repo.getDraft(reader.id))?.items).toHaveLength(3);

    // An album: no message per picture. The status message is ten messages up by now, out of sight,
    // so one fresh status message is sent and then edited.
    const sendsBefore = h.double.calls.filter(sentTo(reader.id, "sendMessage")).length;
    for (let i = 0; i < 3; i++) h.double.pushUpdate(photo(reader, undefined, { media_group_id: "alb-7" }));
    await h.double.waitFor((c) => c.ok && (c.method === "editMessageText" || c.method === "sendMessage") && textOfCall(c).includes("<b>6</b>"));
    await until(async () => (await h.app.tipLine.repo.getDraft(reader.id))?.shownCount === 6);
    expect(h.double.calls.filter(sentTo(reader.id, "sendMessage")).length - sendsBefore).toBeLessThanOrEqual(1);

    // Sent with the status message's button: the tip holds the six parts the reader saw counted.
    const thanks = await pushAndWait(h.double, callbackQuery(reader, "tip:send", messageOfCall(h, status)), (c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c).includes("Thank you"));
    expect(textOfCall(thanks)).toMatch(/T-[2-9A-HJKMNP-Z]{4,6}/);
    const copies = await h.double.waitFor(sentTo(NEWSROOM.id, "copyMessages"));
    expect(copies.params.message_ids).toHaveLength(6);
    expect(copies.params.message_ids).not.toContain(travel.message.message_id);
    // Nothing of the tip went to the plain-text search: the one search answer is the button's.
    expect(h.double.calls.filter((c) => sentTo(reader.id, "sendMessage")(c) && isSearchAnswer(c))).toHaveLength(1);
  });

  it("garbage tip buttons get a clear answer", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id }, onTestFinished);
    const reader = user({ language_code: "en" });
    await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    const intro = h.double.sent(reader.id).at(-1)!.message;
    for (const data of ["tip:zzz", "tip:q:add:", "tip:forget:maybe", "tip:anon:7"]) {
      const answer = await pushAndWait(h.double, callbackQuery(reader, data, intro), (c) => c.method === "answerCallbackQuery");
      expect(String(answer.params.text), data).toContain("not valid");
    }
  });
});

describe.concurrent("an unfinished tip is never dropped silently", () => {
  it("gets one reminder with send/drop buttons, kept across a restart; the send button sends it", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id }, onTestFinished);
    const reader = user({ language_code: "en" });
    const reminders = () => h.double.calls.filter((c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c).includes("not been sent yet"));
    await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    await pushAndWait(h.double, privateText(reader, "Water in the tunnel again"), sentTo(reader.id, "sendMessage"));
    expect(await h.app.tipLine.sweepDrafts()).toEqual({ reminded: 0, expired: 0 });

    // An hour on the app's clock: its own sweep timer wakes and reminds the reader once.
    const reminder = nextCall(h.double, (c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c).includes("not been sent yet"));
    h.clock.advance(61 * 60_000);
    const call = await reminder;
    expect(textOfCall(call)).toContain("about 23 hours");
    expect(buttonsOf(call)).toEqual(["tip:send", "tip:cancel"]);
    expect(await h.app.tipLine.sweepDrafts()).toEqual({ reminded: 0, expired: 0 });
    expect(reminders()).toHaveLength(1);

    // A restart on the same store: the reminder was already sent, the draft is still open.
    await h.restart(h.clock.now() + HOUR_MS);
    expect(await h.app.tipLine.sweepDrafts()).toEqual({ reminded: 0, expired: 0 });
    expect(reminders()).toHaveLength(1);

    const thanks = await pushAndWait(h.double, callbackQuery(reader, "tip:send", messageOfCall(h, call)), (c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c).includes("Thank you"));
    expect(textOfCall(thanks)).toContain("T-");
    await h.double.waitFor(sentTo(NEWSROOM.id, "copyMessages"));
    expect(reminders()).toHaveLength(1);
  });

  it("tells the reader when it expires, also when the bot was down at the time (the start-up sweep)", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id, limits: { draftHours: 2 } }, onTestFinished);
    const reader = user({ language_code: "zh-hans" });
    await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    await pushAndWait(h.double, privateText(reader, "化工厂夜里偷排污水"), sentTo(reader.id, "sendMessage"));

    // Down from now until after the draft's expiry: the new process's start-up sweep tells the reader.
    const notice = nextCall(h.double, (c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c).includes("已被放弃"));
    await h.restart(h.clock.now() + 2 * HOUR_MS + 60_000);
    expect(textOfCall(await notice)).toContain("1 条消息");
    await until(async () => (await h.app.tipLine.repo.draftChats()).length === 0);
    expect(await h.app.tipLine.sweepDrafts()).toEqual({ reminded: 0, expired: 0 });
    expect(h.double.calls.filter((c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c).includes("已被放弃"))).toHaveLength(1);
    expect(h.double.calls.filter(sentTo(NEWSROOM.id))).toHaveLength(0);
  });

  it("a reader who writes after the expiry (before any sweep) is told first, and the message is not swallowed", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id }, onTestFinished);
    const reader = user({ language_code: "en" });
    await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    await pushAndWait(h.double, privateText(reader, "Noise from the quarry at night"), sentTo(reader.id, "sendMessage"));
    // Past the expiry, before the sweep timer's next tick.
    h.clock.advanceBetweenTicks(25 * HOUR_MS);
    const notice = await pushAndWait(h.double, privateText(reader, "quarry"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(notice)).toContain("was dropped");
    // …and the words still reach the plain-text search (the only search answer).
    const answer = await h.double.waitFor((c) => sentTo(reader.id, "sendMessage")(c) && isSearchAnswer(c));
    expect(textOfCall(answer)).toBe("Nothing found for “quarry”. Try other words, or browse /topics.");
    expect(h.double.calls.filter((c) => sentTo(reader.id, "sendMessage")(c) && isSearchAnswer(c))).toHaveLength(1);
  });
});

// Not concurrent: the status message is edited only while it is in sight (few message ids up), and
// the update builders number messages across the whole file, so a concurrent test would push it out.
describe("a shared contact does not unmask an anonymous tipster", () => {
  it("asks before adding the reader's own contact; another person's contact goes in; /tip says so", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id }, onTestFinished);
    const reader = user({ first_name: "Hidden", last_name: "Person", language_code: "en" });
    const intro = await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(intro)).toContain("your own card would also show your Telegram account");
    await pushAndWait(h.double, privateText(reader, "The landlord cut the heating in winter"), sentTo(reader.id, "sendMessage"));

    const own = contact(reader, "+86 138 0000 1111");
    const asked = await pushAndWait(h.double, own, sentTo(reader.id, "sendMessage"));
    expect(textOfCall(asked)).toContain("your own contact card");
    expect(buttonsOf(asked)).toEqual([`tip:ct:add:${own.message.message_id}`, `tip:ct:skip:${own.message.message_id}`]);
    expect((await h.app.tipLine.repo.getDraft(reader.id))?.items).toHaveLength(1);
    await pushAndWait(h.double, callbackQuery(reader, `tip:ct:skip:${own.message.message_id}`, messageOfCall(h, asked)), (c) => c.ok && c.method === "editMessageText" && textOfCall(c).includes("left out"));
    expect((await h.app.tipLine.repo.getDraft(reader.id))?.items).toHaveLength(1);

    // Another person's contact (the landlord) does not unmask the reader: it joins at once.
    await pushAndWait(h.double, contact(reader, "+86 139 2222 3333", { first_name: "Landlord", user_id: 424242 }), (c) => c.ok && c.method === "editMessageText" && textOfCall(c).includes("<b>2</b>"));

    // Own contact again, this time added knowingly: the card says so.
    const again = contact(reader, "+86 138 0000 1111");
    const askedAgain = await pushAndWait(h.double, again, sentTo(reader.id, "sendMessage"));
    await pushAndWait(h.double, callbackQuery(reader, `tip:ct:add:${again.message.message_id}`, messageOfCall(h, askedAgain)), (c) => c.ok && c.method === "editMessageText" && textOfCall(c).includes("<b>3</b>"));
    await pushAndWait(h.double, command(reader, "/done"), (c) => sentTo(reader.id)(c) && textOfCall(c).includes("Thank you"));
    const card = await h.double.waitFor(sentTo(NEWSROOM.id, "sendMessage"));
    expect(textOfCall(card)).toContain("anonymous reader");
    expect(textOfCall(card)).toContain("reader's own contact card");
    expect(textOfCall(card)).not.toContain("Hidden");
  });

  it("a tip sent with the own-contact question unanswered leaves the contact out and says so", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id }, onTestFinished);
    const reader = user({ language_code: "en" });
    await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    await pushAndWait(h.double, privateText(reader, "Fake invoices at the port authority"), sentTo(reader.id, "sendMessage"));
    const own = contact(reader, "+86 138 5555 6666");
    await pushAndWait(h.double, own, sentTo(reader.id, "sendMessage"));
    const thanks = await pushAndWait(h.double, command(reader, "/done"), (c) => sentTo(reader.id)(c) && textOfCall(c).includes("Thank you"));
    expect(textOfCall(thanks)).toContain("1 message you did not confirm was left out");
    const copies = await h.double.waitFor(sentTo(NEWSROOM.id, "copyMessages"));
    expect(copies.params.message_ids).not.toContain(own.message.message_id);
  });
});
