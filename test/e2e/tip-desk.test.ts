import { afterEach, describe, expect, it } from "vitest";
import type { Chat, InlineKeyboardMarkup, Message, Update, User } from "telegraf/types";
import type { ApiCall, SentMessage } from "../support/bot-api-double.js";
import { callbackQuery, command, groupCommand, groupText, privateText, reply, user } from "../support/updates.js";
import { startHarness, textOf, until, type Harness } from "./harness.js";

// Issue 14.5 / 14.7: the tip desk — status buttons on cards, /tips, a forum topic per tip.
const NEWSROOM = -1_002_999_000_001;
const room: Chat.SupergroupChat = { id: NEWSROOM, type: "supergroup", title: "Newsroom" };
const forumRoom: Chat.SupergroupChat = { ...room, is_forum: true };
const OWNER = 9400;
const editor = user({ id: 9401, first_name: "Editor", last_name: "Smith", language_code: "en" });

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function start(opts: { forum?: boolean } = {}): Promise<Harness> {
  return startHarness({
    extraYaml: ["locale: en"],
    beforeStart: (double) => {
      double.registerChat(opts.forum ? forumRoom : room);
      double.setChatAdmins(NEWSROOM, [OWNER, double.botUser.id]);
    },
  });
}

/** Pushes an update and resolves with the first later call that matches. */
function pushAndWait(hh: Harness, update: Update, match: (call: ApiCall) => boolean): Promise<ApiCall> {
  const from = hh.double.calls.length;
  hh.double.pushUpdate(update);
  return hh.double.waitFor((c) => hh.double.calls.indexOf(c) >= from && match(c), 15_000);
}

/** Waits for the bot's next message to a chat after the update. */
async function say(hh: Harness, chatId: number, update: Update): Promise<SentMessage> {
  const before = hh.double.sent(chatId).length;
  hh.double.pushUpdate(update);
  await until(() => hh.double.sent(chatId).length > before, 15_000, "the bot's answer");
  return hh.double.sent(chatId)[before]!;
}

/** A reader's tip of one text, through /tip and /done; resolves once it is in the newsroom. */
async function sendTip(hh: Harness, reader: User, text: string, named = false): Promise<{ ref: string; card: SentMessage }> {
  const intro = await say(hh, reader.id, command(reader, "/tip"));
  if (named) await pushAndWait(hh, callbackQuery(reader, "tip:anon:0", intro.message), (c) => c.method === "answerCallbackQuery");
  await say(hh, reader.id, privateText(reader, text));
  hh.double.pushUpdate(command(reader, "/done"));
  await until(() => hh.double.sent(reader.id).some((m) => /T-[A-Z0-9]{4,6}/.test(m.text)), 15_000, "the reader's thanks");
  const ref = /T-[A-Z0-9]{4,6}/.exec(hh.double.sent(reader.id).find((m) => /T-[A-Z0-9]{4,6}/.test(m.text))!.text)![0];
  await until(() => hh.double.sent(NEWSROOM).some((m) => m.method === "copyMessages" && m.text === text), 15_000, "the tip's copy in the newsroom");
  await hh.app.tipLine.whenIdle();
  const card = hh.double.sent(NEWSROOM).find((m) => m.method === "sendMessage" && m.text.includes(`Tip ${ref}`))!;
  return { ref, card };
}

/** Presses a button and resolves with the bot's answerCallbackQuery for that press. */
function press(hh: Harness, from: User, data: string, message: Message): Promise<ApiCall> {
  const update = callbackQuery(from, data, message);
  return pushAndWait(hh, update, (c) => c.method === "answerCallbackQuery" && c.params.callback_query_id === update.callback_query.id);
}

/** The button labels of a keyboard, row by row. */
const labels = (markup: unknown): string[][] => ((markup as InlineKeyboardMarkup | undefined)?.inline_keyboard ?? []).map((row) => row.map((b) => b.text));
const callbackData = (markup: unknown): string[] =>
  ((markup as InlineKeyboardMarkup | undefined)?.inline_keyboard ?? []).flat().map((b) => ("callback_data" in b ? b.callback_data : ""));

async function statusOf(hh: Harness, ref: string): Promise<string | undefined> {
  return (await hh.app.tipLine.repo.getTip(ref))?.status;
}

describe("status buttons on a tip card", () => {
  it("set the status, tell the reader in their language and redraw the card; block works from the card too", async () => {
    h = await start();
    const reader = user({ id: 9501, first_name: "王芳", language_code: "zh-hans" });
    const { ref, card } = await sendTip(h, reader, "学校的屋顶从周一开始漏水，孩子们在走廊里上课。");
    expect(labels(card.replyMarkup)).toEqual([["● 🆕 New", "🔍 Checking"], ["✅ Published", "✖ Declined"], ["⛔ Block reader"]]);
    expect(callbackData(card.replyMarkup)).toEqual([`desk:s:${ref}:n`, `desk:s:${ref}:c`, `desk:s:${ref}:p`, `desk:s:${ref}:d`, `desk:b:${ref}`]);

    const readerBefore = h.double.sent(reader.id).length;
    const answer = await press(h, editor, `desk:s:${ref}:c`, card.message);
    expect(answer.params.text).toBe(`${ref}: Checking. The reader was told.`);
    const told = h.double.sent(reader.id).slice(readerBefore);
    expect(told.map((m) => m.source)).toEqual([`您的报料 ${ref} 状态更新为：<b>核实中</b>。`]);
    expect(labels(card.replyMarkup)[0]).toEqual(["🆕 New", "● 🔍 Checking"]);
    expect(card.edited).toBe(true);
    expect(await statusOf(h, ref)).toBe("checking");

    // The same button again changes nothing and tells the reader nothing twice.
    const again = await press(h, editor, `desk:s:${ref}:c`, card.message);
    expect(again.params.text).toBe(`${ref} already is: Checking.`);
    expect(h.double.sent(reader.id)).toHaveLength(readerBefore + 1);

    const blocked = await press(h, editor, `desk:b:${ref}`, card.message);
    expect(blocked.params).toMatchObject({ show_alert: true });
    expect(String(blocked.params.text)).toMatch(new RegExp(`^The reader of ${ref} is blocked from the tip line \\(block B-[A-Z0-9]{4,6}\\)`));
    expect(labels(card.replyMarkup)[2]).toEqual(["⛔ Reader blocked"]);
    const refused = await say(h, reader.id, command(reader, "/tip"));
    expect(refused.text).toBe("编辑部已不再接受此账号的报料。");

    // /status still works and redraws the card the same way.
    const set = await say(h, NEWSROOM, groupCommand(room, editor, `/status ${ref} declined`));
    expect(set.text).toBe(`${ref}: status set to declined; the reader was told.`);
    expect(labels(card.replyMarkup)[1]).toEqual(["✅ Published", "● ✖ Declined"]);
  });

  it("refuse a press that is not staff's with an alert, change nothing and log no content; garbage gets a clear answer", async () => {
    h = await start();
    const reader = user({ id: 9502, first_name: "Reader", language_code: "en" });
    const secret = "The mayor's cousin got the bridge contract without a tender.";
    const { ref, card } = await sendTip(h, reader, secret);
    const readerBefore = h.double.sent(reader.id).length;
    const markupBefore = JSON.stringify(card.replyMarkup);

    // Another bot in the newsroom chat is no staff member.
    const otherBot = user({ id: 9503, first_name: "Helper", is_bot: true });
    const byBot = await press(h, otherBot, `desk:s:${ref}:p`, card.message);
    expect(byBot.params).toMatchObject({ text: "Sorry, only newsroom staff can do that.", show_alert: true });
    // A reader who forges the button on a message in their own chat.
    const thanks = h.double.sent(reader.id).at(-1)!.message;
    const forged = await press(h, reader, `desk:b:${ref}`, thanks);
    expect(forged.params).toMatchObject({ text: "Sorry, only newsroom staff can do that.", show_alert: true });

    expect(await statusOf(h, ref)).toBe("new");
    expect(await h.app.tipLine.repo.blockOfChat(reader.id)).toBeUndefined();
    expect(h.double.sent(reader.id)).toHaveLength(readerBefore);
    expect(JSON.stringify(card.replyMarkup)).toBe(markupBefore);
    const refusals = h.logs.filter((l) => l.includes("staff action refused"));
    expect(refusals.map((l) => (JSON.parse(l) as { action: string }).action)).toEqual(["desk-status", "desk-block"]);
    expect(h.logs.some((l) => l.includes("bridge contract"))).toBe(false);

    const garbage = await press(h, editor, "desk:s:T-ZZZZZ:x", card.message);
    expect(garbage.params).toMatchObject({ text: "This button is not valid (any more).", show_alert: true });
    const gone = await press(h, editor, "desk:s:T-ZZZZZ:p", card.message);
    expect(gone.params).toMatchObject({ text: "This tip is no longer kept (expired or deleted by the reader).", show_alert: true });
    expect(await statusOf(h, ref)).toBe("new");
  });
});

describe("/tips in the newsroom", () => {
  it("lists open tips with age, status and part count, newest first, paged with buttons; readers' /tips still starts a tip", async () => {
    h = await start();
    const refs: string[] = [];
    // 7 tips: 14 messages into the newsroom, under Telegram's 20 a minute for a group.
    for (let i = 0; i < 7; i++) {
      const reader = user({ id: 9600 + i, first_name: `Reader ${i}`, language_code: "en" });
      refs.push((await sendTip(h, reader, `Tip number ${i}: the streetlights on road ${i} have been dark for a week.`)).ref);
    }
    await say(h, NEWSROOM, groupCommand(room, editor, `/status ${refs[6]} published`));
    await say(h, NEWSROOM, groupCommand(room, editor, `/status ${refs[0]} checking`));
    h.clock.advance(3 * 3_600_000);

    const list = await say(h, NEWSROOM, groupCommand(room, editor, "/tips"));
    expect(list.source).toContain("<b>Open tips</b> (6), newest first · page 1/2");
    const lines = list.text.split("\n").filter((l) => l.startsWith("• "));
    // refs[6] is published (closed); the newest open one is refs[5].
    expect(lines.map((l) => /T-[A-Z0-9]+/.exec(l)?.[0])).toEqual([refs[5], refs[4], refs[3], refs[2], refs[1]]);
    expect(lines[0]).toMatch(/^• T-[A-Z0-9]+ · 3 h · new · 1 part$/);
    expect(list.source).toMatch(new RegExp(`<a href="https://t.me/c/2999000001/\\d+">${refs[5]}</a>`));
    expect(labels(list.replyMarkup)).toEqual([["Older ›"]]);

    const next = await press(h, editor, callbackData(list.replyMarkup)[0]!, list.message);
    expect(next.params.text).toBeUndefined();
    expect(list.text).toContain("page 2/2");
    expect(list.text.split("\n").filter((l) => l.startsWith("• "))).toEqual([expect.stringMatching(new RegExp(`^• ${refs[0]} · 3 h · checking · 1 part$`))]);
    expect(labels(list.replyMarkup)).toEqual([["‹ Newer"]]);

    // A page button from a list two days old, and one that is not ours.
    const oldStamp = Math.floor((h.clock.now() - 2 * 86_400_000) / 1000).toString(36);
    const stale = await press(h, editor, `desk:p:1:${oldStamp}`, list.message);
    expect(stale.params).toMatchObject({ text: "This list is out of date. Send /tips for a fresh one.", show_alert: true });
    const garbage = await press(h, editor, "desk:p:one:two", list.message);
    expect(garbage.params).toMatchObject({ text: "This button is not valid (any more).", show_alert: true });

    // Not staff in the newsroom (a bot) gets the refusal; a reader's /tips is their tip line.
    const otherBot = user({ id: 9699, first_name: "Helper", is_bot: true });
    expect((await say(h, NEWSROOM, groupCommand(room, otherBot, "/tips"))).text).toBe("Sorry, only newsroom staff can do that.");
    const reader = user({ id: 9698, first_name: "Late", language_code: "en" });
    expect((await say(h, reader.id, command(reader, "/tips"))).text).toContain("Send us a tip");
  });
});

describe("a forum newsroom: one topic per tip", () => {
  it("keeps card, copies, staff messages and the reader's answers in the tip's topic; closing the tip closes it", async () => {
    h = await start({ forum: true });
    const reader = user({ id: 9701, first_name: "Wang", last_name: "Fang", username: "wangfang_news", language_code: "en" });
    const { ref, card } = await sendTip(h, reader, "The factory on River Road dumps waste at night.", true);
    const created = h.double.calls.filter((c) => c.method === "createForumTopic");
    expect(created).toHaveLength(1);
    expect(created[0]!.params.name).toBe(`${ref} · tip`);
    const [topic] = h.double.forumTopics(NEWSROOM);
    const thread = topic!.messageThreadId;
    // The card names the reader (they chose so); the topic's name never does.
    expect(card.text).toContain("From: Wang Fang (@wangfang_news)");
    expect(card.text).toContain("Write in this topic to answer the reader");
    expect(card.message).toMatchObject({ message_thread_id: thread, is_topic_message: true });
    const copy = h.double.sent(NEWSROOM).find((m) => m.method === "copyMessages")!;
    expect(copy.message).toMatchObject({ message_thread_id: thread, is_topic_message: true });

    // A staff message in the topic, not a reply to anything, reaches the reader without the staff name.
    const before = h.double.sent(reader.id).length;
    const ack = await pushAndWait(h, groupText(forumRoom, editor, "Thanks. Do you have photos of the trucks?", { message_thread_id: thread }), (c) =>
      c.ok && c.method === "sendMessage" && Number(c.params.chat_id) === NEWSROOM,
    );
    expect(textOf(ack)).toContain(`Sent to the reader of ${ref}`);
    expect(ack.params.message_thread_id).toBe(thread);
    const relayed = h.double.sent(reader.id).slice(before);
    expect(relayed).toHaveLength(1);
    expect(relayed[0]!.text).toContain("Thanks. Do you have photos of the trucks?");
    expect(relayed[0]!.text).not.toMatch(/Editor|Smith/);

    // The reader's answer lands in the topic.
    const answer = await pushAndWait(h, reply(reader, "Yes, I will send them tonight.", relayed[0]!.message), (c) => c.ok && c.method === "copyMessage" && Number(c.params.chat_id) === NEWSROOM);
    expect(answer.params.message_thread_id).toBe(thread);

    // Published by button: the reader is told, the topic closes after the answer to staff.
    const readerBefore = h.double.sent(reader.id).length;
    const pressed = await press(h, editor, `desk:s:${ref}:p`, card.message);
    expect(pressed.params.text).toBe(`${ref}: Published. The reader was told.`);
    expect(h.double.sent(reader.id).slice(readerBefore).map((m) => m.text)).toEqual([`Your tip ${ref} is now: published.`]);
    const closed = await h.double.waitFor((c) => c.method === "closeForumTopic", 15_000);
    expect(closed).toMatchObject({ ok: true, params: { chat_id: NEWSROOM, message_thread_id: thread } });
    expect(h.double.forumTopics(NEWSROOM)[0]).toMatchObject({ closed: true });

    // The reader writes once more: the topic reopens for it, so the answer is not lost.
    const late = await pushAndWait(h, reply(reader, "One more thing: they come at 2 am.", relayed[0]!.message), (c) => c.ok && c.method === "copyMessage" && Number(c.params.chat_id) === NEWSROOM);
    expect(late.params.message_thread_id).toBe(thread);
    expect(h.double.calls.filter((c) => c.method === "reopenForumTopic" && c.ok)).toHaveLength(1);
    expect(h.double.calls.filter((c) => c.method === "createForumTopic")).toHaveLength(1);
  });

  it("reuses the stored topic after a restart between opening it and sending the card", async () => {
    h = await start({ forum: true });
    const reader = user({ id: 9702, first_name: "Anon", language_code: "en" });
    const { ref } = await sendTip(h, reader, "Someone is selling fake bus passes at the station.");
    const thread = h.double.forumTopics(NEWSROOM)[0]!.messageThreadId;
    // The state a crash leaves right after the topic's id was stored: no card, nothing copied.
    await h.app.tipLine.repo.updateTip(ref, (t) => ({ ...t, delivery: { threadId: t.delivery.threadId, copiedBatches: 0, done: false } }));
    await h.app.tipLine.repo.enqueue({ ref, kind: "tip" });
    const cardsBefore = h.double.sent(NEWSROOM).filter((m) => m.method === "sendMessage" && m.text.includes(`Tip ${ref}`)).length;
    await h.restart(h.clock.now() + 60_000);
    await until(() => h!.double.sent(NEWSROOM).filter((m) => m.method === "sendMessage" && m.text.includes(`Tip ${ref}`)).length > cardsBefore, 15_000, "the card again");
    await h.app.tipLine.whenIdle();
    const cards = h.double.sent(NEWSROOM).filter((m) => m.method === "sendMessage" && m.text.includes(`Tip ${ref}`));
    expect(cards.map((m) => m.params.message_thread_id)).toEqual([thread, thread]);
    expect(h.double.calls.filter((c) => c.method === "createForumTopic")).toHaveLength(1);
    expect(h.double.forumTopics(NEWSROOM)).toHaveLength(1);
  });

  it("falls back to replies to the card when the bot may not open topics", async () => {
    h = await start({ forum: true });
    h.double.setCanManageTopics(NEWSROOM, false);
    const reader = user({ id: 9703, first_name: "Anon", language_code: "en" });
    const { ref, card } = await sendTip(h, reader, "The new playground has sharp broken edges.");
    expect(h.double.calls.filter((c) => c.method === "createForumTopic").map((c) => c.description)).toEqual(["Bad Request: not enough rights to create a topic"]);
    expect(card.message).not.toHaveProperty("message_thread_id");
    expect(card.text).toContain("Reply to this card");
    const relayed = await pushAndWait(h, reply(editor, "Which playground exactly?", card.message), (c) => c.ok && Number(c.params.chat_id) === reader.id);
    expect(textOf(relayed)).toContain("Which playground exactly?");
    expect(await statusOf(h, ref)).toBe("new");
  });
});
