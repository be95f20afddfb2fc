import { Composer } from "telegraf";
import type { Message } from "telegraf/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NewsdeskContext } from "../../src/bot/context.js";
import { startBotApiDouble, type ApiCall, type BotApiDouble } from "../support/bot-api-double.js";
import { callbackQuery, command, contact, photo, privateText, supergroup, user } from "../support/updates.js";
import { manualClock, memoryStore, pushAndWait, runBot, sentTo, textOfCall, until, type Running } from "./harness.js";

const NEWSROOM = supergroup({ title: "Newsroom" });
const HOUR_MS = 3_600_000;

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

/** A stand-in for plain-text search after the tip line: it answers "results for …". */
function fakeSearch(seen: string[]): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();
  c.on("text", async (ctx) => {
    seen.push(ctx.message.text);
    await ctx.reply(`results for ${ctx.message.text}`);
  });
  return c;
}

const buttonsOf = (call: ApiCall): string[] =>
  ((call.params.reply_markup as { inline_keyboard?: Array<Array<{ callback_data?: string }>> } | undefined)?.inline_keyboard ?? [])
    .flat()
    .map((b) => b.callback_data ?? "");

/** The bot's message that a call sent (for callbackQuery and reply_to_message). */
function messageOfCall(call: ApiCall): Message {
  const id = (call.result as { message_id: number }).message_id;
  const found = double.sent(Number(call.params.chat_id)).find((m) => m.message.message_id === id);
  if (!found) throw new Error("sent message not found");
  return found.message;
}

describe("a tip in progress does not swallow what the reader meant elsewhere", () => {
  it("commands go to their command; a topic word or a short line is asked about; every part is acknowledged on one status message", async () => {
    const searched: string[] = [];
    const searchedInstead: string[] = [];
    running = await runBot(double, {
      store: memoryStore(),
      newsroomChatId: NEWSROOM.id,
      tipOptions: {
        looksLikeQuery: (t) => t === "旅游",
        search: async (ctx, text) => {
          searchedInstead.push(text);
          await ctx.reply(`results for ${text}`);
        },
      },
      after: [fakeSearch(searched)],
    });
    const reader = user({ language_code: "en" });
    await pushAndWait(double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    const status = await pushAndWait(double, privateText(reader, "The mayor's office shredded files tonight"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(status)).toContain("<b>1</b> message(s)");
    expect(buttonsOf(status)).toEqual(["tip:send", "tip:cancel"]);

    // A command is never tip content.
    const help = await pushAndWait(double, command(reader, "/help"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(help)).toContain("/tip");
    expect((await running.line.repo.getDraft(reader.id))?.items).toHaveLength(1);

    // A topic word: asked, not added.
    const travel = privateText(reader, "旅游");
    const asked = await pushAndWait(double, travel, sentTo(reader.id, "sendMessage"));
    expect(textOfCall(asked)).toContain("“旅游”");
    expect(buttonsOf(asked)).toEqual([`tip:q:add:${travel.message.message_id}`, `tip:q:search:${travel.message.message_id}`]);
    expect((asked.params.reply_parameters as { message_id: number }).message_id).toBe(travel.message.message_id);
    expect((await running.line.repo.getDraft(reader.id))?.items).toHaveLength(1);
    // "Search instead" runs the search with the quoted words; the tip stays as it was.
    const question = messageOfCall(asked);
    const results = await pushAndWait(double, callbackQuery(reader, `tip:q:search:${travel.message.message_id}`, question), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(results)).toBe("results for 旅游");
    expect(searchedInstead).toEqual(["旅游"]);
    expect((await running.line.repo.getDraft(reader.id))?.items).toHaveLength(1);
    // The same button again: the question is closed, and the reader is told so.
    const again = await pushAndWait(double, callbackQuery(reader, `tip:q:search:${travel.message.message_id}`, question), (c) => c.method === "answerCallbackQuery");
    expect(String(again.params.text)).toContain("no longer open");

    // A short line after the first part: asked too; "add to tip" adds it, and later short lines go in unasked.
    const shortLine = privateText(reader, "solar farm");
    const askedShort = await pushAndWait(double, shortLine, sentTo(reader.id, "sendMessage"));
    expect(buttonsOf(askedShort)).toContain(`tip:q:add:${shortLine.message.message_id}`);
    const edited = await pushAndWait(
      double,
      callbackQuery(reader, `tip:q:add:${shortLine.message.message_id}`, messageOfCall(askedShort)),
      (c) => c.ok && c.method === "editMessageText" && Number(c.params.message_id) === (status.result as { message_id: number }).message_id,
    );
    expect(textOfCall(edited)).toContain("<b>2</b> message(s)");
    await pushAndWait(double, privateText(reader, "also trucks"), (c) => c.ok && c.method === "editMessageText" && textOfCall(c).includes("<b>3</b>"));
    expect((await running.line.repo.getDraft(reader.id))?.items).toHaveLength(3);

    // An album: no message per picture. The status message is ten messages up by now, out of sight,
    // so one fresh status message is sent and then edited.
    const sendsBefore = double.calls.filter(sentTo(reader.id, "sendMessage")).length;
    for (let i = 0; i < 3; i++) double.pushUpdate(photo(reader, undefined, { media_group_id: "alb-7" }));
    await double.waitFor((c) => c.ok && (c.method === "editMessageText" || c.method === "sendMessage") && textOfCall(c).includes("<b>6</b>"));
    await until(async () => (await running!.line.repo.getDraft(reader.id))?.shownCount === 6);
    expect(double.calls.filter(sentTo(reader.id, "sendMessage")).length - sendsBefore).toBeLessThanOrEqual(1);

    // Sent with the status message's button: the tip holds the six parts the reader saw counted.
    const thanks = await pushAndWait(double, callbackQuery(reader, "tip:send", messageOfCall(status)), (c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c).includes("Thank you"));
    expect(textOfCall(thanks)).toMatch(/T-[2-9A-HJKMNP-Z]{4,6}/);
    const copies = await double.waitFor(sentTo(NEWSROOM.id, "copyMessages"));
    expect(copies.params.message_ids).toHaveLength(6);
    expect(copies.params.message_ids).not.toContain(travel.message.message_id);
    expect(searched).toEqual([]);
  });

  it("garbage tip buttons get a clear answer", async () => {
    running = await runBot(double, { store: memoryStore(), newsroomChatId: NEWSROOM.id });
    const reader = user({ language_code: "en" });
    await pushAndWait(double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    const intro = double.sent(reader.id).at(-1)!.message;
    for (const data of ["tip:zzz", "tip:q:add:", "tip:forget:maybe", "tip:anon:7"]) {
      const answer = await pushAndWait(double, callbackQuery(reader, data, intro), (c) => c.method === "answerCallbackQuery");
      expect(String(answer.params.text), data).toContain("not valid");
    }
  });
});

describe("an unfinished tip is never dropped silently", () => {
  it("gets one reminder with send/drop buttons, kept across a restart; the send button sends it", async () => {
    const clock = manualClock();
    const store = memoryStore();
    running = await runBot(double, { store, newsroomChatId: NEWSROOM.id, clock });
    const reader = user({ language_code: "en" });
    await pushAndWait(double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    await pushAndWait(double, privateText(reader, "Water in the tunnel again"), sentTo(reader.id, "sendMessage"));
    expect(await running.line.sweepDrafts()).toEqual({ reminded: 0, expired: 0 });

    clock.advance(61 * 60_000);
    const reminder = double.waitFor((c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c).includes("not been sent yet"));
    expect(await running.line.sweepDrafts()).toEqual({ reminded: 1, expired: 0 });
    const call = await reminder;
    expect(textOfCall(call)).toContain("about 23 hour(s)");
    expect(buttonsOf(call)).toEqual(["tip:send", "tip:cancel"]);
    expect(await running.line.sweepDrafts()).toEqual({ reminded: 0, expired: 0 });

    // A restart on the same store: the reminder was already sent, the draft is still open.
    await running.stop();
    running = await runBot(double, { store, newsroomChatId: NEWSROOM.id, clock });
    clock.advance(HOUR_MS);
    expect(await running.line.sweepDrafts()).toEqual({ reminded: 0, expired: 0 });
    expect(double.calls.filter((c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c).includes("not been sent yet"))).toHaveLength(1);

    const thanks = await pushAndWait(double, callbackQuery(reader, "tip:send", messageOfCall(call)), (c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c).includes("Thank you"));
    expect(textOfCall(thanks)).toContain("T-");
    await double.waitFor(sentTo(NEWSROOM.id, "copyMessages"));
  });

  it("tells the reader when it expires, also when the bot was down at the time (the start-up sweep)", async () => {
    const clock = manualClock();
    const store = memoryStore();
    running = await runBot(double, { store, newsroomChatId: NEWSROOM.id, clock, limits: { draftHours: 2 } });
    const reader = user({ language_code: "zh-hans" });
    await pushAndWait(double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    await pushAndWait(double, privateText(reader, "化工厂夜里偷排污水"), sentTo(reader.id, "sendMessage"));
    await running.stop();
    running = undefined;

    clock.advance(2 * HOUR_MS + 60_000);
    const notice = double.waitFor((c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c).includes("已被放弃"));
    running = await runBot(double, { store, newsroomChatId: NEWSROOM.id, clock, limits: { draftHours: 2 } });
    expect(textOfCall(await notice)).toContain("1 条消息");
    await until(async () => (await running!.line.repo.draftChats()).length === 0);
    expect(await running.line.sweepDrafts()).toEqual({ reminded: 0, expired: 0 });
    expect(double.calls.filter((c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c).includes("已被放弃"))).toHaveLength(1);
    expect(double.calls.filter(sentTo(NEWSROOM.id))).toHaveLength(0);
  });

  it("a reader who writes after the expiry (before any sweep) is told first, and the message is not swallowed", async () => {
    const clock = manualClock();
    const searched: string[] = [];
    running = await runBot(double, { store: memoryStore(), newsroomChatId: NEWSROOM.id, clock, after: [fakeSearch(searched)] });
    const reader = user({ language_code: "en" });
    await pushAndWait(double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    await pushAndWait(double, privateText(reader, "Noise from the quarry at night"), sentTo(reader.id, "sendMessage"));
    clock.advance(25 * HOUR_MS);
    const notice = await pushAndWait(double, privateText(reader, "quarry"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(notice)).toContain("was dropped");
    await double.waitFor((c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c) === "results for quarry");
    expect(searched).toEqual(["quarry"]);
  });
});

describe("a shared contact does not unmask an anonymous tipster", () => {
  it("asks before adding the reader's own contact; another person's contact goes in; /tip says so", async () => {
    running = await runBot(double, { store: memoryStore(), newsroomChatId: NEWSROOM.id });
    const reader = user({ first_name: "Hidden", last_name: "Person", language_code: "en" });
    const intro = await pushAndWait(double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(intro)).toContain("your own card would also show your Telegram account");
    await pushAndWait(double, privateText(reader, "The landlord cut the heating in winter"), sentTo(reader.id, "sendMessage"));

    const own = contact(reader, "+86 138 0000 1111");
    const asked = await pushAndWait(double, own, sentTo(reader.id, "sendMessage"));
    expect(textOfCall(asked)).toContain("your own contact card");
    expect(buttonsOf(asked)).toEqual([`tip:ct:add:${own.message.message_id}`, `tip:ct:skip:${own.message.message_id}`]);
    expect((await running.line.repo.getDraft(reader.id))?.items).toHaveLength(1);
    await pushAndWait(double, callbackQuery(reader, `tip:ct:skip:${own.message.message_id}`, messageOfCall(asked)), (c) => c.ok && c.method === "editMessageText" && textOfCall(c).includes("left out"));
    expect((await running.line.repo.getDraft(reader.id))?.items).toHaveLength(1);

    // Another person's contact (the landlord) does not unmask the reader: it joins at once.
    await pushAndWait(double, contact(reader, "+86 139 2222 3333", { first_name: "Landlord", user_id: 424242 }), (c) => c.ok && c.method === "editMessageText" && textOfCall(c).includes("<b>2</b>"));

    // Own contact again, this time added knowingly: the card says so.
    const again = contact(reader, "+86 138 0000 1111");
    const askedAgain = await pushAndWait(double, again, sentTo(reader.id, "sendMessage"));
    await pushAndWait(double, callbackQuery(reader, `tip:ct:add:${again.message.message_id}`, messageOfCall(askedAgain)), (c) => c.ok && c.method === "editMessageText" && textOfCall(c).includes("<b>3</b>"));
    await pushAndWait(double, command(reader, "/done"), (c) => sentTo(reader.id)(c) && textOfCall(c).includes("Thank you"));
    const card = await double.waitFor(sentTo(NEWSROOM.id, "sendMessage"));
    expect(textOfCall(card)).toContain("anonymous reader");
    expect(textOfCall(card)).toContain("reader's own contact card");
    expect(textOfCall(card)).not.toContain("Hidden");
  });

  it("a tip sent with the own-contact question unanswered leaves the contact out and says so", async () => {
    running = await runBot(double, { store: memoryStore(), newsroomChatId: NEWSROOM.id });
    const reader = user({ language_code: "en" });
    await pushAndWait(double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    await pushAndWait(double, privateText(reader, "Fake invoices at the port authority"), sentTo(reader.id, "sendMessage"));
    const own = contact(reader, "+86 138 5555 6666");
    await pushAndWait(double, own, sentTo(reader.id, "sendMessage"));
    const thanks = await pushAndWait(double, command(reader, "/done"), (c) => sentTo(reader.id)(c) && textOfCall(c).includes("Thank you"));
    expect(textOfCall(thanks)).toContain("1 message(s) you did not confirm were left out");
    const copies = await double.waitFor(sentTo(NEWSROOM.id, "copyMessages"));
    expect(copies.params.message_ids).not.toContain(own.message.message_id);
  });
});
