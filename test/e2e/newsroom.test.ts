import { afterEach, describe, expect, it } from "vitest";
import type { Chat, Message } from "telegraf/types";
import type { ApiCall } from "../support/bot-api-double.js";
import { callbackQuery, channel, channelPost, command, forwarded, group, groupCommand, user } from "../support/updates.js";
import { shanghai, startHarness, textOf, until, type Harness } from "./harness.js";

const NEWSROOM = -1_002_999_000_001;
const room: Chat.SupergroupChat = { id: NEWSROOM, type: "supergroup", title: "Newsroom" };
const editor = user({ id: 9001, first_name: "Editor", language_code: "en" });
const remoteAdmin = user({ id: 9002, first_name: "Chief", language_code: "en" });
const outsider = user({ id: 9003, first_name: "Outsider", language_code: "en" });

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Pushes a staff command into the newsroom chat and returns the bot's first answer there. */
async function inNewsroom(hh: Harness, text: string, from = editor): Promise<Message & { text?: string }> {
  const before = hh.double.sent(NEWSROOM).length;
  hh.double.pushUpdate(groupCommand(room, from, text));
  await until(() => hh.double.sent(NEWSROOM).length > before, 15_000, `answer to ${text}`);
  return { ...hh.double.sent(NEWSROOM)[before]!.message, text: hh.double.sent(NEWSROOM)[before]!.text };
}

function refusalsLogged(hh: Harness): number {
  return hh.logs.filter((l) => l.includes("staff command refused")).length;
}

describe("staff commands: from the newsroom they work, from anyone else they are refused", () => {
  it("/stats, /feeds and /poll answer staff with counts, feed health and the poll outcome", async () => {
    h = await startHarness({ admins: [remoteAdmin.id] });
    h.feed.items.push(h.item(1, "威海新能源产业集群剑指营收200亿", "威海能源总装机容量为786万千瓦。", 600));
    const reader = user({ id: 9101, first_name: "Reader", language_code: "en" });
    h.double.pushUpdate(command(reader, "/subscribe energy"));
    await until(() => h!.double.sent(reader.id).length === 1);
    await h.app.scheduler.pollAll();
    h.feed.items.unshift(h.item(2, "威海光伏新能源项目开工", "高区新能源项目今天开工。", 1));
    await h.app.scheduler.pollAll();
    await until(() => h!.double.sent(reader.id).length === 2);
    await h.app.delivery.whenIdle();

    const stats = (await inNewsroom(h, "/stats")).text!;
    expect(stats).toContain("Newsdesk statistics");
    expect(stats).toContain("Chats: 1 active, 0 inactive");
    expect(stats).toContain("• 新能源: 1");
    expect(stats).toContain("• 旅游: 0");
    expect(stats).toMatch(/Deliveries: 0 pending, 1 sent/);
    expect(stats).toMatch(/Backlog: about 0 messages, under a minute to send at [\d.]+ msg\/s/);

    const feeds = (await inNewsroom(h, "/feeds")).text!;
    expect(feeds).toContain("Feeds (1)");
    expect(feeds).toMatch(/🟢 威海日报: last ok .+, 2 items/);

    h.feed.failWith = 503;
    const started = await inNewsroom(h, "/poll");
    expect(started.text).toContain("Polling all feeds now");
    await until(() => h!.double.sent(NEWSROOM).length === 4, 15_000, "poll outcome");
    expect(h.double.sent(NEWSROOM)[3]!.text).toMatch(/Polled 1 feed in [\d.]+ s: 0 ok, 0 unchanged, 1 failed; 0 new articles/);
    const after = (await inNewsroom(h, "/feeds")).text!;
    expect(after).toContain("last error: http-status 503 ×1");

    // An admin from config may use them from a private chat too.
    h.double.pushUpdate(command(remoteAdmin, "/stats"));
    await until(() => h!.double.sent(remoteAdmin.id).length === 1);
    expect(h.double.sent(remoteAdmin.id)[0]!.text).toContain("Newsdesk statistics");
    expect(refusalsLogged(h)).toBe(0);
  });

  it("refuses everyone else politely: a reader, a channel post elsewhere, a forged forward, a post as another chat", async () => {
    h = await startHarness({ admins: [remoteAdmin.id] });
    const stranger = user({ id: 9201, first_name: "Stranger", language_code: "en" });

    for (const cmd of ["/stats", "/feeds", "/poll", "/broadcast hello"]) {
      const before = h.double.sent(stranger.id).length;
      h.double.pushUpdate(command(stranger, cmd));
      await until(() => h!.double.sent(stranger.id).length > before);
      expect(h.double.sent(stranger.id)[before]!.text).toBe("Sorry, this command is for newsroom staff only.");
    }
    expect(h.feed.requests).toBe(0); // /poll did not poll

    // A reader forwards an admin's /stats: forward_origin proves nothing.
    h.double.pushUpdate(forwarded(outsider, "/stats", remoteAdmin));
    await until(() => h!.double.sent(outsider.id).length === 1);
    expect(h.double.sent(outsider.id)[0]!.text).toBe("Sorry, this command is for newsroom staff only.");

    // A channel post (no `from`) in some other channel: no answer there, but logged.
    const other = channel({ title: "Elsewhere" });
    h.double.registerChat({ id: other.id, type: "channel", title: "Elsewhere" });
    const logged = refusalsLogged(h);
    h.double.pushUpdate(channelPost(other, "/stats"));
    await until(() => refusalsLogged(h!) > logged, 5000, "refusal logged");

    // Inside the newsroom, a message posted as another chat (e.g. a linked channel) is not staff.
    const linked = channel({ title: "Linked" });
    const asChat = groupCommand(room, user({ id: 136817688, first_name: "Channel", is_bot: true }), "/stats");
    (asChat.message as Message.TextMessage & { sender_chat?: Chat }).sender_chat = linked;
    h.double.pushUpdate(asChat);
    await until(() => h!.double.sent(NEWSROOM).length === 1);
    expect(h.double.sent(NEWSROOM)[0]!.text).toBe("抱歉，这个命令仅限编辑部人员使用。"); // no language_code: zh-CN

    await h.allUpdatesHandled();
    expect(h.double.sent(other.id)).toHaveLength(0);
    const leaked = h.double.calls.filter((c) => c.ok && textOf(c).includes("statistics"));
    expect(leaked).toHaveLength(0);
    expect(refusalsLogged(h)).toBe(7);
    // The log line names no chat id or text of the refused message.
    expect(h.logs.filter((l) => l.includes("staff command refused")).join("\n")).not.toContain(String(stranger.id));
  });
});

describe("a newsroom that is a private channel", () => {
  it("takes staff commands from posts in that channel (they carry no `from`)", async () => {
    const newsroomChannel = channel({ title: "Newsroom channel" });
    h = await startHarness({ newsroomChatId: newsroomChannel.id });
    h.double.registerChat({ id: newsroomChannel.id, type: "channel", title: "Newsroom channel" });
    h.double.pushUpdate(channelPost(newsroomChannel, "/stats"));
    await until(() => h!.double.sent(newsroomChannel.id).length === 1, 10_000, "/stats in the channel");
    expect(h.double.sent(newsroomChannel.id)[0]!.text).toContain("统计");
    h.double.pushUpdate(channelPost(newsroomChannel, "/feeds@newsdesk_test_bot"));
    await until(() => h!.double.sent(newsroomChannel.id).length === 2, 10_000, "/feeds in the channel");
    expect(h.double.sent(newsroomChannel.id)[1]!.text).toContain("威海日报");
    expect(refusalsLogged(h)).toBe(0);
  });
});

describe("/broadcast: confirmation, then ahead of bulk deliveries, to every active chat and the channel", () => {
  const CHANNEL = -1_002_555_000_002;

  it("goes out ahead of a pending fan-out, ignoring quiet hours and digests; cancel, double taps and outsiders do nothing", async () => {
    h = await startHarness({
      startAt: shanghai("2025-03-10T23:00:00"),
      delivery: "{ maxMessagesPerSecond: 4 }",
      extraYaml: [`channel: { chatId: ${CHANNEL} }`],
    });
    h.double.registerChat({ id: CHANNEL, type: "channel", title: "频道" });
    h.feed.items.push(h.item(1, "威海新能源产业集群剑指营收200亿", "威海能源总装机容量为786万千瓦。", 600));
    await h.app.scheduler.pollAll();

    const groups = Array.from({ length: 10 }, (_, i) => -4_200_000 - i);
    const groupAdmin = user({ id: 9301, first_name: "GroupAdmin" });
    for (const id of groups) {
      h.double.setChatAdmins(id, [groupAdmin.id]);
      h.double.pushUpdate(groupCommand(group({ id }), groupAdmin, "/subscribe@newsdesk_test_bot energy"));
    }
    const sleeper = user({ id: 9302, first_name: "Sleeper", language_code: "en" });
    const digester = user({ id: 9303, first_name: "Digester", language_code: "en" });
    h.double.pushUpdate(command(sleeper, "/quiet 22-07"));
    h.double.pushUpdate(command(digester, "/digest 08:00"));
    await until(() => groups.every((id) => h!.double.sent(id).length === 1) && h!.double.sent(sleeper.id).length === 1 && h!.double.sent(digester.id).length === 1, 20_000, "set-up replies");

    // Staff prepare the broadcast first; the confirmation shows the recipient count.
    const confirm = await inNewsroom(h, "/broadcast 突发：<暴雨> 红色预警 & 停课");
    expect(confirm.text).toContain("Send this breaking news to 13 chats");
    expect(confirm.text).toContain("突发：<暴雨> 红色预警 & 停课");
    const data = (h.double.sent(NEWSROOM)[0]!.replyMarkup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard
      .flat()
      .map((b) => b.callback_data);
    expect(data).toHaveLength(2);
    const [yes, no] = data as [string, string];
    expect(yes).toMatch(/^bc:.+:y$/);

    const answerTo = async (update: ReturnType<typeof callbackQuery>): Promise<ApiCall> => {
      h!.double.pushUpdate(update);
      return h!.double.waitFor((c) => c.method === "answerCallbackQuery" && c.params.callback_query_id === update.callback_query.id);
    };
    const isBroadcast = (c: ApiCall) => c.ok && c.method === "sendMessage" && textOf(c).startsWith("🔴 ") && textOf(c).includes("红色预警");
    const isBulk = (c: ApiCall) => c.ok && c.method === "sendMessage" && textOf(c).includes("威海光伏新能源项目开工");

    // An outsider's forged tap on the same data (in their own chat) is refused and changes nothing.
    const ownMessage = { message_id: 1, date: 0, chat: { id: outsider.id, type: "private", first_name: "Outsider" } } as Message;
    const refused = await answerTo(callbackQuery(outsider, yes, ownMessage));
    expect(refused.params.text).toBe("Sorry, this command is for newsroom staff only.");
    expect(refused.params.show_alert).toBe(true);

    // A bulk fan-out to 10 groups and the channel starts (4 messages/s at most).
    h.feed.items.unshift(h.item(2, "威海光伏新能源项目开工", "高区新能源项目今天开工。", 1));
    await h.app.scheduler.pollAll();
    await until(() => h!.double.calls.filter(isBulk).length >= 2, 10_000, "bulk under way");

    const confirmed = await answerTo(callbackQuery(editor, yes, confirm));
    expect(confirmed.ok).toBe(true);
    const again = await answerTo(callbackQuery(editor, yes, confirm));
    expect(again.params.text).toContain("expired");

    await until(() => h!.double.calls.filter(isBulk).length === 11, 30_000, "bulk finished");
    await h.app.delivery.whenIdle();
    const broadcastCalls = h.double.calls.filter(isBroadcast);
    const recipients = broadcastCalls.map((c) => Number(c.params.chat_id)).sort((a, b) => a - b);
    expect(recipients).toEqual([...groups, CHANNEL, sleeper.id, digester.id].sort((a, b) => a - b));
    expect(textOf(broadcastCalls[0]!)).toContain("&lt;暴雨&gt;");

    // Order: once the broadcast started, every broadcast message went before the remaining bulk ones.
    const sends = h.double.calls.filter((c) => isBroadcast(c) || isBulk(c));
    const firstBroadcast = sends.findIndex(isBroadcast);
    const lastBroadcast = sends.length - 1 - [...sends].reverse().findIndex(isBroadcast);
    const bulkInside = sends.slice(firstBroadcast, lastBroadcast + 1).filter(isBulk).length;
    const bulkAfter = sends.slice(lastBroadcast + 1).filter(isBulk).length;
    expect(bulkInside).toBeLessThanOrEqual(1);
    expect(bulkAfter).toBeGreaterThanOrEqual(3);
    expect(h.double.sent(NEWSROOM)[0]!.text).toContain("Breaking news queued for 13 chats");

    // Cancel sends nothing.
    const second = await inNewsroom(h, "/broadcast 第二条测试");
    const cancel = (h.double.sent(NEWSROOM).at(-1)!.replyMarkup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard.flat()[1]!.callback_data;
    expect(cancel).toMatch(/:n$/);
    await answerTo(callbackQuery(editor, cancel, second));
    await until(() => h!.double.sent(NEWSROOM).at(-1)!.text === "Broadcast cancelled.", 5000, "cancelled");
    expect(no).not.toBe(cancel);
    await h.allUpdatesHandled();
    await h.app.delivery.whenIdle();
    expect(h.double.calls.filter((c) => c.method === "sendMessage" && textOf(c).includes("第二条测试") && Number(c.params.chat_id) !== NEWSROOM)).toHaveLength(0);
    expect(h.double.calls.filter(isBroadcast)).toHaveLength(13);
  }, 60_000);
});

describe("feed-down alert on the injected clock", () => {
  it("tells the newsroom once after alertAfterMinutes of failures, and once when the feed works again", async () => {
    h = await startHarness({ poll: "{ schedule: '0 0 1 1 *', alertAfterMinutes: 60, atStart: false }" });
    h.feed.items.push(h.item(1, "威海新能源产业集群剑指营收200亿", "威海能源总装机容量为786万千瓦。", 600));
    expect((await h.app.scheduler.pollAll()).ok).toBe(1);
    h.feed.failWith = 500;
    const alerts = () => h!.double.sent(NEWSROOM).filter((m) => m.text.includes("持续失败"));
    const recoveries = () => h!.double.sent(NEWSROOM).filter((m) => m.text.includes("已恢复正常"));

    expect((await h.app.scheduler.pollAll()).failed).toBe(1);
    h.clock.advance(30 * 60_000);
    await h.app.scheduler.pollAll();
    h.clock.advance(29 * 60_000);
    await h.app.scheduler.pollAll();
    await h.app.delivery.whenIdle();
    expect(alerts()).toHaveLength(0);

    h.clock.advance(2 * 60_000);
    await h.app.scheduler.pollAll();
    await until(() => alerts().length === 1, 5000, "feed-down alert");
    expect(alerts()[0]!.text).toContain("威海日报");
    h.clock.advance(60 * 60_000);
    await h.app.scheduler.pollAll();
    await h.app.delivery.whenIdle();
    expect(alerts()).toHaveLength(1);
    expect(recoveries()).toHaveLength(0);

    h.feed.failWith = null;
    expect((await h.app.scheduler.pollAll()).ok).toBe(1);
    await until(() => recoveries().length === 1, 5000, "recovery message");
    await h.app.scheduler.pollAll();
    await h.app.delivery.whenIdle();
    expect(recoveries()).toHaveLength(1);
    expect(alerts()).toHaveLength(1);
  });
});
