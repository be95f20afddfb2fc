import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Telegram, TelegramError } from "telegraf";
import { startBotApiDouble } from "./bot-api-double.js";
import type { BotApiDouble } from "./bot-api-double.js";
import { groupText, messageOf, reply, supergroup, user } from "./updates.js";

const OWNER = 777;
const forum = supergroup({ title: "Forum", is_forum: true });
const plain = supergroup({ title: "Plain" });

let double: BotApiDouble;
let telegram: Telegram;

async function failure(promise: Promise<unknown>): Promise<TelegramError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TelegramError) return error;
    throw error;
  }
  throw new Error("the call succeeded but a TelegramError was expected");
}

beforeEach(async () => {
  double = await startBotApiDouble();
  telegram = new Telegram(double.token, { apiRoot: double.apiRoot });
  double.registerChat(forum);
  double.registerChat(plain);
  double.setChatAdmins(forum.id, [OWNER, double.botUser.id]);
  double.setChatAdmins(plain.id, [OWNER, double.botUser.id]);
});

afterEach(async () => {
  await double.close();
});

describe("forum topics", () => {
  it("creates a topic whose messages carry message_thread_id and is_topic_message", async () => {
    const topic = await telegram.createForumTopic(forum.id, "T-ABCDE tip");
    expect(topic).toEqual({ message_thread_id: expect.any(Number), name: "T-ABCDE tip", icon_color: 0x6fb9f0 });
    const sent = await telegram.sendMessage(forum.id, "card", { message_thread_id: topic.message_thread_id });
    expect(sent).toMatchObject({ message_thread_id: topic.message_thread_id, is_topic_message: true });
    const chat = await telegram.getChat(forum.id);
    expect(chat).toMatchObject({ is_forum: true });
    const general = await telegram.sendMessage(forum.id, "general");
    expect(general).not.toHaveProperty("message_thread_id");
    expect(double.forumTopics(forum.id)).toMatchObject([{ name: "T-ABCDE tip", closed: false, deleted: false, createdBy: double.botUser.id }]);
  });

  it("puts copies, albums and replies into the thread", async () => {
    const { message_thread_id: thread } = await telegram.createForumTopic(forum.id, "tip");
    const member = user();
    const update = groupText(plain, member, "source text");
    double.pushUpdate(update);
    const copy = await telegram.copyMessage(forum.id, plain.id, messageOf(update).message_id, { message_thread_id: thread });
    const copied = double.sent(forum.id).find((m) => m.messageId === copy.message_id);
    expect(copied?.message).toMatchObject({ message_thread_id: thread, is_topic_message: true, text: "source text" });
    const album = await telegram.sendMediaGroup(forum.id, [{ type: "photo", media: "p1" }, { type: "photo", media: "p2" }], { message_thread_id: thread });
    expect(album.map((m) => m.message_thread_id)).toEqual([thread, thread]);
    const card = await telegram.sendMessage(forum.id, "card", { message_thread_id: thread });
    // a reply without message_thread_id lands in the thread of the message it answers
    const answer = await telegram.sendMessage(forum.id, "answer", { reply_parameters: { message_id: card.message_id } });
    expect(answer).toMatchObject({ message_thread_id: thread, is_topic_message: true });
  });

  it("refuses unknown and closed threads, and reopens", async () => {
    const unknown = await failure(telegram.sendMessage(forum.id, "x", { message_thread_id: 99_999 }));
    expect([unknown.code, unknown.description]).toEqual([400, "Bad Request: message thread not found"]);
    const { message_thread_id: thread } = await telegram.createForumTopic(forum.id, "tip");
    await telegram.closeForumTopic(forum.id, thread);
    const closed = await failure(telegram.sendMessage(forum.id, "x", { message_thread_id: thread }));
    expect(closed.description).toBe("Bad Request: TOPIC_CLOSED");
    const again = await failure(telegram.closeForumTopic(forum.id, thread));
    expect(again.description).toBe("Bad Request: TOPIC_NOT_MODIFIED");
    await telegram.reopenForumTopic(forum.id, thread);
    await telegram.sendMessage(forum.id, "x", { message_thread_id: thread });
    await telegram.editForumTopic(forum.id, thread, { name: "renamed" });
    expect(double.forumTopics(forum.id)[0]).toMatchObject({ name: "renamed", closed: false });
    await telegram.deleteForumTopic(forum.id, thread);
    expect(double.sent(forum.id).every((m) => m.deleted)).toBe(true);
    const gone = await failure(telegram.sendMessage(forum.id, "x", { message_thread_id: thread }));
    expect(gone.description).toBe("Bad Request: message thread not found");
  });

  it("refuses topics in a chat that is not a forum, and without the right", async () => {
    const notForum = await failure(telegram.createForumTopic(plain.id, "tip"));
    expect(notForum.description).toBe("Bad Request: the chat is not a forum");
    const noThread = await failure(telegram.sendMessage(plain.id, "x", { message_thread_id: 5 }));
    expect(noThread.description).toBe("Bad Request: message thread not found");
    double.setCanManageTopics(forum.id, false);
    const noRight = await failure(telegram.createForumTopic(forum.id, "tip"));
    expect(noRight.description).toBe("Bad Request: not enough rights to create a topic");
    const member = await telegram.getChatMember(forum.id, double.botUser.id);
    expect(member).toMatchObject({ status: "administrator", can_manage_topics: false });
    double.setChatAdmins(forum.id, [OWNER]);
    double.setCanManageTopics(forum.id, true);
    const notAdmin = await failure(telegram.createForumTopic(forum.id, "tip"));
    expect(notAdmin.description).toBe("Bad Request: not enough rights to create a topic");
  });

  it("lets tests open a topic as a member and write in it", async () => {
    const topic = double.addForumTopic(forum.id, "Sports");
    const member = user();
    const update = groupText(forum, member, "hello", { message_thread_id: topic.message_thread_id });
    expect(update.message).toMatchObject({ message_thread_id: topic.message_thread_id, is_topic_message: true });
    double.pushUpdate(update);
    const answer = reply(member, "re", messageOf(update));
    expect(answer.message).toMatchObject({ message_thread_id: topic.message_thread_id, is_topic_message: true });
    const sent = await telegram.sendMessage(forum.id, "news", { message_thread_id: topic.message_thread_id });
    expect(sent.is_topic_message).toBe(true);
    // a member's topic may be closed by the bot only with can_manage_topics
    double.setCanManageTopics(forum.id, false);
    const refused = await failure(telegram.closeForumTopic(forum.id, topic.message_thread_id));
    expect(refused.description).toBe("Bad Request: CHAT_ADMIN_REQUIRED");
  });
});
