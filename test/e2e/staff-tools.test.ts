import { afterEach, describe, expect, it } from "vitest";
import type { Chat, Update } from "telegraf/types";
import { STAFF_COMMANDS } from "../../src/i18n/commands.js";
import type { ApiCall } from "../support/bot-api-double.js";
import { channel, channelPost, command, groupCommand, groupText, reply, supergroup, user } from "../support/updates.js";
import { startHarness, textOf, until, type Harness } from "./harness.js";

// Issue 14.1: staff discover their tools (command menus, /help, /id).
const NEWSROOM = -1_002_999_000_001;
const room: Chat.SupergroupChat = { id: NEWSROOM, type: "supergroup", title: "Newsroom" };
const editor = user({ id: 9201, first_name: "Editor", language_code: "en" });
const zhEditor = user({ id: 9202, first_name: "编辑", language_code: "zh-hans" });
const chief = user({ id: 9203, first_name: "Chief", language_code: "en" });
/** An admin who never started a private chat with the bot: Telegram has no chat for them. */
const absentAdmin = 9204;
const reader = user({ id: 9205, first_name: "Reader", language_code: "en" });

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(): Promise<Harness> {
  return startHarness({
    admins: [chief.id, absentAdmin],
    beforeStart: (double) => {
      // The bot is in the newsroom group, and the chief has talked to it before.
      double.registerChat(room);
      double.registerChat({ id: chief.id, type: "private", first_name: chief.first_name });
    },
  });
}

async function send(hh: Harness, update: Update, chatId: number): Promise<ApiCall> {
  const from = hh.double.calls.length;
  hh.double.pushUpdate(update);
  return hh.double.waitFor((c) => hh.double.calls.indexOf(c) >= from && c.ok && c.method === "sendMessage" && Number(c.params.chat_id) === chatId, 15_000);
}
const names = (list: Array<{ command: string }>) => list.map((c) => c.command);
const isMenu = (chatId: number, lang: string) => (c: ApiCall) =>
  c.method === "setMyCommands" && (c.params.scope as { chat_id?: number } | undefined)?.chat_id === chatId && c.params.language_code === lang;

describe("staff command menus", () => {
  it("sets the staff menu for the newsroom chat and each admin's private chat in zh and en; a failing admin does not stop the rest", async () => {
    h = await start();
    // The last list registered: the admin without a chat. Telegram refuses it; it is logged.
    const absent = await h.double.waitFor(isMenu(absentAdmin, "en"), 15_000);
    expect(absent.description).toBe("Bad Request: chat not found");

    const staff = names(STAFF_COMMANDS.en);
    expect(staff).toEqual(expect.arrayContaining(["stats", "feeds", "poll", "broadcast", "status", "block", "unblock", "id"]));
    const inRoom = h.double.commandsShown(NEWSROOM, editor.id, "en");
    expect(names(inRoom).slice(0, staff.length)).toEqual(staff);
    expect(names(inRoom)).toEqual(expect.arrayContaining(["latest", "topics", "help"]));
    expect(inRoom.find((c) => c.command === "stats")?.description).toBe(STAFF_COMMANDS.en[0]!.description);
    const inRoomZh = h.double.commandsShown(NEWSROOM, zhEditor.id, "zh-hans");
    expect(inRoomZh.find((c) => c.command === "stats")?.description).toBe("统计：订阅、文章、投递、报料");
    expect(inRoomZh.find((c) => c.command === "latest")?.description).toBe("最新文章");
    expect(names(h.double.commandsShown(chief.id, chief.id, "en")).slice(0, staff.length)).toEqual(staff);
    expect(names(h.double.commandsShown(chief.id, chief.id, "zh"))).toEqual(names(inRoomZh));

    // Readers keep the reader menu, in their language.
    const readerMenu = h.double.commandsShown(reader.id, reader.id, "en");
    expect(names(readerMenu)).toContain("latest");
    expect(names(readerMenu)).not.toContain("stats");
    expect(h.double.commandsShown(reader.id, reader.id, "zh-hans").find((c) => c.command === "latest")?.description).toBe("最新文章");
    // The log line follows Telegram's answer.
    await until(() => h!.logs.filter((l) => l.includes("setMyCommands failed")).length === 3, 10_000, "three failures logged");
    expect(h.logs.filter((l) => l.includes("setMyCommands failed") && l.includes("newsroom.admins[1]"))).toHaveLength(3);

    // Once that admin starts the bot, their private chat exists and gets the staff menu.
    const from = h.double.calls.length;
    h.double.pushUpdate(command(user({ id: absentAdmin, first_name: "Late", language_code: "en" }), "/start"));
    await h.double.waitFor((c) => h!.double.calls.indexOf(c) >= from && c.ok && isMenu(absentAdmin, "en")(c), 15_000);
    expect(names(h.double.commandsShown(absentAdmin, absentAdmin, "en")).slice(0, staff.length)).toEqual(staff);
    expect(h.double.commandsShown(absentAdmin, absentAdmin, "zh").find((c) => c.command === "stats")?.description).toBe("统计：订阅、文章、投递、报料");
  });
});

describe("/help for staff", () => {
  it("lists the staff commands in the newsroom and in an admin's private chat, in their language; not for readers or in reader groups", async () => {
    h = await start();
    const inRoom = textOf(await send(h, groupCommand(room, editor, "/help"), NEWSROOM));
    expect(inRoom).toContain("<b>Newsroom</b> (staff only)");
    expect(inRoom).toContain("/status ref new|checking|published|declined: Set a tip's status (the reader is told)");
    expect(inRoom).toContain("/id: ");
    expect(inRoom).toContain("/topics: topics, with buttons to follow them");
    const zh = textOf(await send(h, groupCommand(room, zhEditor, "/help"), NEWSROOM));
    expect(zh).toContain("<b>编辑部</b>");
    expect(zh).toContain("/stats：统计");
    expect(textOf(await send(h, command(chief, "/help"), chief.id))).toContain("<b>Newsroom</b>");

    expect(textOf(await send(h, command(reader, "/help"), reader.id))).not.toContain("Newsroom");
    const readers = supergroup({ id: -1_003_100_000_001, title: "Readers" });
    expect(textOf(await send(h, groupCommand(readers, chief, "/help"), readers.id))).not.toContain("Newsroom");
  });
});

describe("/id", () => {
  it("answers the chat id and the sender's own user id in any chat, in their language, and never another user's id", async () => {
    h = await start();
    const inRoom = textOf(await send(h, groupCommand(room, editor, "/id"), NEWSROOM));
    expect(inRoom).toContain(`This chat's id: <code>${NEWSROOM}</code>`);
    expect(inRoom).toContain(`Your user id: <code>${editor.id}</code>`);

    const zhReader = user({ id: 9206, first_name: "王", language_code: "zh-hans" });
    expect(textOf(await send(h, command(zhReader, "/id"), zhReader.id))).toContain(`您的用户 ID：<code>${zhReader.id}</code>`);

    // In a reader group anyone may ask; a reply to someone else's message shows only the asker.
    const readers = supergroup({ id: -1_003_100_000_002, title: "Readers" });
    const other = user({ id: 9207, first_name: "Other", language_code: "en" });
    const theirs = groupText(readers, other, "hello");
    h.double.pushUpdate(theirs);
    const asker = user({ id: 9208, first_name: "Asker", language_code: "en" });
    const answer = reply(asker, "/id", theirs.message);
    const inGroup = textOf(await send(h, answer, readers.id));
    expect(inGroup).toContain(`<code>${readers.id}</code>`);
    expect(inGroup).toContain(`<code>${asker.id}</code>`);
    expect(inGroup).not.toContain(String(other.id));

    // An anonymous group admin posts as the group: no user id to show (and no language: the default, Chinese).
    const anonymous = groupCommand(readers, user({ id: 1087968824, first_name: "Group", username: "GroupAnonymousBot", is_bot: true }), "/id");
    Object.assign(anonymous.message, { sender_chat: readers });
    const anon = textOf(await send(h, anonymous, readers.id));
    expect(anon).toContain(`<code>${readers.id}</code>`);
    expect(anon).not.toContain("1087968824");
    expect(anon).toContain("以聊天身份发言");

    const desk = channel({ id: -1_003_100_000_003, title: "Desk" });
    // A channel post has no sender: the channel's id, in the bot's default language.
    expect(textOf(await send(h, channelPost(desk, "/id"), desk.id))).toContain(`本频道的 ID：<code>${desk.id}</code>`);
  });
});
