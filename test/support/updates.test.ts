import { describe, expect, it } from "vitest";
import { Telegraf } from "telegraf";
import { message } from "telegraf/filters";
import type { UserFromGetMe } from "telegraf/types";
import {
  BOT_USERNAME,
  callbackQuery,
  channel,
  channelPost,
  command,
  contact,
  document,
  forwarded,
  group,
  groupCommand,
  groupText,
  inlineQuery,
  location,
  messageOf,
  photo,
  privateText,
  reply,
  supergroup,
  user,
  video,
  voice,
} from "./updates.js";

const botInfo: UserFromGetMe = {
  id: 1,
  is_bot: true,
  first_name: "Newsdesk Test",
  username: BOT_USERNAME,
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: true,
};

/** A bot that never talks to Telegram: handlers only record what they saw. */
function offlineBot(): Telegraf {
  const bot = new Telegraf("1:offline");
  bot.botInfo = botInfo;
  return bot;
}

describe("update builders", () => {
  it("number updates and messages in increasing order", () => {
    const reader = user({ first_name: "Li", username: "li_reader", language_code: "zh-hans" });
    const updates = [privateText(reader, "a"), privateText(reader, "b"), photo(reader)];
    const ids = updates.map((u) => u.update_id);
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    expect(new Set(ids).size).toBe(3);
    const messageIds = updates.map((u) => messageOf(u).message_id);
    expect(messageIds[1]! > messageIds[0]! && messageIds[2]! > messageIds[1]!).toBe(true);
    expect(messageOf(updates[0]!)).toMatchObject({ from: reader, chat: { id: reader.id, type: "private", username: "li_reader" } });
  });

  it("mark commands the way telegraf matches them, with payloads and @bot suffixes", async () => {
    const bot = offlineBot();
    const seen: string[] = [];
    bot.start((ctx) => void seen.push(`start:${ctx.payload}`));
    bot.command("topics", (ctx) => void seen.push(`topics:${ctx.chat.type}`));
    const reader = user();
    const room = group();
    const start = command(reader, "/start tip");
    expect(start.message.entities).toEqual([{ type: "bot_command", offset: 0, length: 6 }]);
    await bot.handleUpdate(start);
    await bot.handleUpdate(groupCommand(room, reader, `/topics@${BOT_USERNAME}`));
    await bot.handleUpdate(groupCommand(room, reader, "/topics@some_other_bot"));
    await bot.handleUpdate(groupText(room, reader, "no command here"));
    expect(seen).toEqual(["start:tip", "topics:group"]);
    expect(() => command(reader, "start")).toThrow(/starting with "\/"/);
  });

  it("build media, location and contact messages telegraf's filters recognise", async () => {
    const bot = offlineBot();
    const kinds: string[] = [];
    bot.on(message("photo"), (ctx) => void kinds.push(`photo:${ctx.message.caption ?? ""}:${ctx.message.media_group_id ?? ""}`));
    bot.on(message("video"), () => void kinds.push("video"));
    bot.on(message("voice"), (ctx) => void kinds.push(`voice:${ctx.message.voice.duration}`));
    bot.on(message("document"), (ctx) => void kinds.push(`document:${ctx.message.document.file_name ?? ""}`));
    bot.on(message("location"), (ctx) => void kinds.push(`location:${ctx.message.location.latitude}`));
    bot.on(message("contact"), (ctx) => void kinds.push(`contact:${ctx.message.contact.phone_number}`));
    const reader = user();
    for (const update of [
      photo(reader, "fire", { media_group_id: "album1" }),
      video(reader),
      voice(reader, { durationSeconds: 3 }),
      document(reader, { file_name: "memo.pdf" }),
      location(reader, 30.5, 114.3),
      contact(reader, "+86 10 1234 5678"),
    ]) {
      await bot.handleUpdate(update);
    }
    expect(kinds).toEqual(["photo:fire:album1", "video", "voice:3", "document:memo.pdf", "location:30.5", "contact:+86 10 1234 5678"]);
  });

  it("build replies, callback queries and inline queries", async () => {
    const bot = offlineBot();
    const seen: string[] = [];
    bot.action(/^sub:(.+)$/, (ctx) => void seen.push(`action:${ctx.match[1]}`));
    bot.on("inline_query", (ctx) => void seen.push(`inline:${ctx.inlineQuery.query}:${ctx.inlineQuery.offset}`));
    bot.on(message("reply_to_message"), (ctx) => void seen.push(`reply-to:${ctx.message.reply_to_message.message_id}`));
    const staff = user();
    const newsroom = supergroup({ title: "Newsroom" });
    const card = messageOf(groupText(newsroom, user(), "tip card"));
    const answer = reply(staff, "thanks, we are on it", messageOf(reply(staff, "earlier", card)));
    expect(answer.message.chat).toEqual(newsroom);
    expect(answer.message.reply_to_message).not.toHaveProperty("reply_to_message");
    await bot.handleUpdate(answer);
    await bot.handleUpdate(callbackQuery(staff, "sub:energy", card));
    await bot.handleUpdate(inlineQuery(staff, "旅游", "20"));
    expect(seen).toEqual([`reply-to:${answer.message.reply_to_message!.message_id}`, "action:energy", "inline:旅游:20"]);
  });

  it("build channel posts without `from` and forwarded messages with forward_origin", () => {
    const news = channel({ title: "Newsroom channel", username: "newsroom_ch" });
    const post = channelPost(news, "/stats");
    expect(post.channel_post).not.toHaveProperty("from");
    expect(post.channel_post.sender_chat).toEqual(news);
    expect(post.channel_post.entities).toEqual([{ type: "bot_command", offset: 0, length: 6 }]);
    const reader = user();
    const source = user({ first_name: "Witness" });
    expect(forwarded(reader, "seen this?", source).message.forward_origin).toMatchObject({ type: "user", sender_user: source });
    expect(forwarded(reader, "post", news, { originMessageId: 9 }).message.forward_origin).toMatchObject({ type: "channel", chat: news, message_id: 9 });
    expect(forwarded(reader, "anon", "Hidden Person").message.forward_origin).toMatchObject({ type: "hidden_user", sender_user_name: "Hidden Person" });
  });
});
