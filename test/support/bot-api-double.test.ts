import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Telegraf, Telegram, TelegramError } from "telegraf";
import { startBotApiDouble } from "./bot-api-double.js";
import type { BotApiDouble } from "./bot-api-double.js";
import { parseTelegramHtml } from "./telegram-html.js";
import { callbackQuery, command, messageOf, photo, privateText, user } from "./updates.js";

const READER = 4242;
const GROUP = -987654;

let double: BotApiDouble;
let telegram: Telegram;
let clockMs: number;

async function failure(promise: Promise<unknown>): Promise<TelegramError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TelegramError) return error;
    throw error;
  }
  throw new Error("the call succeeded but a TelegramError was expected");
}

/** Polls a condition every 5 ms (up to 2 s): for waiting on the double's state, not for timing. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  if (!condition()) throw new Error("condition not reached within 2 s");
}

beforeEach(async () => {
  clockMs = 1_700_000_000_000;
  double = await startBotApiDouble({ now: () => clockMs });
  telegram = new Telegram(double.token, { apiRoot: double.apiRoot });
});

afterEach(async () => {
  await double.close();
});

describe("transport", () => {
  it("answers getMe with the test bot", async () => {
    const me = await telegram.getMe();
    expect(me).toMatchObject({ is_bot: true, username: "newsdesk_test_bot", can_join_groups: true, supports_inline_queries: true });
    expect(double.calls.map((c) => c.method)).toEqual(["getMe"]);
  });

  it("rejects a wrong token with 401 and an unknown method with 404", async () => {
    const stranger = new Telegram("1:wrong", { apiRoot: double.apiRoot });
    const unauthorized = await failure(stranger.getMe());
    expect([unauthorized.code, unauthorized.description]).toEqual([401, "Unauthorized"]);
    const unknown = await failure(telegram.callApi("sendTelepathy" as "getMe", {}));
    expect([unknown.code, unknown.description]).toEqual([404, "Not Found"]);
  });

  it("accepts multipart uploads and answers with a file id", async () => {
    const sent = await telegram.sendPhoto(READER, { source: Buffer.from("not really a jpeg"), filename: "p.jpg" }, { caption: "<b>Hi</b>", parse_mode: "HTML" });
    expect(sent.photo.at(-1)?.file_id).toMatch(/^dbl-upload-/);
    expect(double.sent(READER)[0]).toMatchObject({ kind: "photo", text: "Hi", method: "sendPhoto" });
  });
});

describe("text checks", () => {
  it("parses HTML into plain text and entities", async () => {
    const html = '<b>Flood</b> &amp; <a href="https://example.com/a">more</a>';
    const message = await telegram.sendMessage(READER, html, { parse_mode: "HTML" });
    expect(message.text).toBe("Flood & more");
    expect(message.entities).toEqual([
      { type: "bold", offset: 0, length: 5 },
      { type: "text_link", offset: 8, length: 4, url: "https://example.com/a" },
    ]);
    expect(message.chat).toEqual({ id: READER, type: "private", first_name: `User ${READER}` });
    expect(message.date).toBe(Math.floor(clockMs / 1000));
    expect(double.sent(READER).map((m) => [m.text, m.source])).toEqual([["Flood & more", html]]);
  });

  it("rejects broken HTML with the parser's description", async () => {
    const html = "<b>unclosed & wrong";
    const expected = parseTelegramHtml(html);
    const error = await failure(telegram.sendMessage(READER, html, { parse_mode: "HTML" }));
    expect(expected.ok).toBe(false);
    expect(error.code).toBe(400);
    expect(error.description).toBe(expected.ok ? "" : expected.description);
    expect(error.description).toMatch(/^Bad Request: can't parse entities/);
    expect(double.sent()).toHaveLength(0);
  });

  it("measures length after parsing: 4096 plain characters pass, 4097 do not", async () => {
    const wrapped = `<b>${"x".repeat(4096)}</b>`;
    await expect(telegram.sendMessage(READER, wrapped, { parse_mode: "HTML" })).resolves.toMatchObject({ text: "x".repeat(4096) });
    clockMs += 10_000;
    const error = await failure(telegram.sendMessage(READER, "x".repeat(4097)));
    expect([error.code, error.description]).toEqual([400, "Bad Request: message is too long"]);
    const caption = await failure(telegram.sendPhoto(READER, "https://example.com/p.jpg", { caption: "y".repeat(1025) }));
    expect(caption.description).toBe("Bad Request: message caption is too long");
  });

  it("refuses half a surrogate pair in any string, as Telegram refuses text that is not UTF-8", async () => {
    const cut = "😀".repeat(3).slice(0, 5);
    const text = await failure(telegram.sendMessage(READER, cut));
    expect([text.code, text.description]).toEqual([400, "Bad Request: strings must be encoded in UTF-8"]);
    const caption = await failure(telegram.sendPhoto(READER, "https://example.com/p.jpg", { caption: cut }));
    expect(caption.description).toBe("Bad Request: strings must be encoded in UTF-8");
    const inline = await failure(
      telegram.answerInlineQuery("iq-1", [{ type: "article", id: "a", title: cut, input_message_content: { message_text: "ok" } }]),
    );
    expect(inline.description).toBe("Bad Request: strings must be encoded in UTF-8");
    await expect(telegram.sendMessage(READER, "😀".repeat(3))).resolves.toMatchObject({ text: "😀😀😀" });
  });

  it("needs a chat_id and an existing message to copy", async () => {
    const noChat = await failure(telegram.callApi("sendMessage", { text: "hi" } as never));
    expect(noChat.description).toBe("Bad Request: chat_id is empty");
    const noSource = await failure(telegram.copyMessage(GROUP, READER, 99));
    expect(noSource.description).toBe("Bad Request: message to copy not found");
  });
});

describe("rate limits", () => {
  it("lets a private chat take a short burst, then answers 429 until the window frees", async () => {
    for (let i = 0; i < 3; i++) await telegram.sendMessage(READER, `m${i}`);
    const limited = await failure(telegram.sendMessage(READER, "m3"));
    expect([limited.code, limited.description, limited.parameters?.retry_after]).toEqual([429, "Too Many Requests: retry after 3", 3]);
    clockMs += 1000;
    expect((await failure(telegram.sendMessage(READER, "m3"))).parameters?.retry_after).toBe(2);
    clockMs += 2000;
    await expect(telegram.sendMessage(READER, "m3")).resolves.toMatchObject({ text: "m3" });
    expect(double.stats()).toMatchObject({ rejected429: 2, messagesSent: 4 });
  });

  it("allows 20 messages a minute into a group", async () => {
    for (let i = 0; i < 20; i++) {
      await telegram.sendMessage(GROUP, `g${i}`);
      clockMs += 1000;
    }
    // the first message (t=0) leaves the window at t=60 s; now t=20 s
    const limited = await failure(telegram.sendMessage(GROUP, "g20"));
    expect(limited.parameters?.retry_after).toBe(40);
    clockMs += 40_000;
    await expect(telegram.sendMessage(GROUP, "g20")).resolves.toBeTruthy();
  });

  it("lets paid broadcasts (allow_paid_broadcast) past the 30/s limit, up to 1000/s, still within each chat's limit, and counts them", async () => {
    for (let chat = 1; chat <= 30; chat++) await telegram.sendMessage(chat, "free");
    expect((await failure(telegram.sendMessage(31, "free"))).code).toBe(429);
    // telegraf's typings predate the parameter (Bot API 7.11): send it as data.
    const paid = (chatId: number, text: string) => telegram.callApi("sendMessage", { chat_id: chatId, text, allow_paid_broadcast: true } as never);
    // The same second: paid messages still go, to as many chats as Telegram allows paid.
    for (let chat = 31; chat <= 130; chat++) await paid(chat, "paid");
    // A chat's own limit holds for paid messages too (a private chat takes a burst of 3).
    for (let i = 0; i < 3; i++) await paid(READER, `paid ${i}`);
    expect((await failure(paid(READER, "paid 3"))).code).toBe(429);
    expect(double.stats()).toMatchObject({ paidMessages: 103, messagesSent: 133 });
  });

  it("caps messages per second over all chats and can be switched off", async () => {
    double.setLimits({ globalPerSecond: 5 });
    for (let chat = 1; chat <= 5; chat++) await telegram.sendMessage(chat, "news");
    const limited = await failure(telegram.sendMessage(6, "news"));
    expect([limited.code, limited.parameters?.retry_after]).toEqual([429, 1]);
    clockMs += 1000;
    await telegram.sendMessage(6, "news");
    double.setLimits({ enabled: false });
    for (let i = 0; i < 10; i++) await telegram.sendMessage(READER, `free ${i}`);
    expect(double.sent()).toHaveLength(16);
  });
});

describe("fault injection", () => {
  it("answers 403 for blocked private chats and kicked groups", async () => {
    double.blockChat(READER);
    double.blockChat(GROUP);
    const blocked = await failure(telegram.sendMessage(READER, "hi"));
    expect([blocked.code, blocked.description]).toEqual([403, "Forbidden: bot was blocked by the user"]);
    const kicked = await failure(telegram.sendPhoto(GROUP, "https://example.com/p.jpg"));
    expect([kicked.code, kicked.description]).toEqual([403, "Forbidden: bot was kicked from the group chat"]);
  });

  it("tells where a group migrated and accepts the new id", async () => {
    double.migrateChat(GROUP, -1001234567890);
    const moved = await failure(telegram.sendMessage(GROUP, "hi"));
    expect(moved.description).toBe("Bad Request: group chat was upgraded to a supergroup chat");
    expect(moved.parameters?.migrate_to_chat_id).toBe(-1001234567890);
    const message = await telegram.sendMessage(-1001234567890, "hi");
    expect(message.chat.type).toBe("supergroup");
  });

  it("fails the next n calls of a method, then recovers", async () => {
    double.failNext("sendMessage", 2, { code: 429, description: "Too Many Requests: retry after 7", retryAfterSeconds: 7 });
    const first = await failure(telegram.sendMessage(READER, "a"));
    expect(first.parameters?.retry_after).toBe(7);
    await failure(telegram.sendMessage(READER, "a"));
    await expect(telegram.sendMessage(READER, "a")).resolves.toMatchObject({ text: "a" });
    expect(double.calls.map((c) => c.errorCode ?? 200)).toEqual([429, 429, 200]);
  });

  it("can take one chat or the whole API down with a 5xx", async () => {
    double.setDown({ chatId: READER, status: 502 });
    const down = await failure(telegram.sendMessage(READER, "a"));
    expect([down.code, down.description]).toEqual([502, "Bad Gateway"]);
    await telegram.sendMessage(GROUP, "still fine");
    double.setDown({ status: 503, description: "Service Unavailable" });
    expect((await failure(telegram.getMe())).code).toBe(503);
    double.setDown(null);
    await expect(telegram.sendMessage(READER, "a")).resolves.toBeTruthy();
  });
});

describe("messages", () => {
  it("edits only existing messages, and only when something changes", async () => {
    const missing = await failure(telegram.editMessageText(READER, 77, undefined, "x"));
    expect(missing.description).toBe("Bad Request: message to edit not found");
    const message = await telegram.sendMessage(READER, "<b>v1</b>", { parse_mode: "HTML" });
    const same = await failure(telegram.editMessageText(READER, message.message_id, undefined, "<b>v1</b>", { parse_mode: "HTML" }));
    expect(same.description).toMatch(/^Bad Request: message is not modified: /);
    await telegram.editMessageText(READER, message.message_id, undefined, "<i>v2</i>", { parse_mode: "HTML" });
    expect(double.sent(READER)[0]).toMatchObject({ text: "v2", edited: true });
  });

  it("copies a reader's photo (from a pushed update) and numbers messages per chat", async () => {
    const reader = user({ id: READER });
    const update = photo(reader, "flooded street");
    double.pushUpdate(update);
    const copy = await telegram.copyMessage(GROUP, READER, messageOf(update).message_id);
    const second = await telegram.sendMessage(GROUP, "card");
    expect([copy.message_id, second.message_id]).toEqual([1, 2]);
    expect(double.sent(GROUP)[0]).toMatchObject({ method: "copyMessage", kind: "photo", text: "flooded street" });
  });

  it("keeps message ids growing per chat when a pushed update's id was already used by the bot", async () => {
    const reader = user({ id: READER });
    const first = privateText(reader, "one");
    double.pushUpdate(first);
    const answers = [await telegram.sendMessage(READER, "a"), await telegram.sendMessage(READER, "b")];
    const second = privateText(reader, "two");
    const builderId = second.message.message_id;
    double.pushUpdate(second);
    expect(builderId).toBeLessThanOrEqual(answers[1]!.message_id);
    expect(second.message.message_id).toBe(answers[1]!.message_id + 1);
    await expect(telegram.copyMessage(GROUP, READER, second.message.message_id)).resolves.toBeTruthy();
    expect(double.sent(GROUP)[0]?.text).toBe("two");
  });

  it("addresses a public channel by @username", async () => {
    const post = await telegram.sendMessage("@newsdesk_channel", "breaking");
    expect(post.chat).toMatchObject({ type: "channel", username: "newsdesk_channel" });
    expect(post).not.toHaveProperty("from");
    expect(double.sent("@newsdesk_channel").map((m) => m.chatId)).toEqual([post.chat.id]);
  });

  it("checks media group sizes and inline answers", async () => {
    const one = await failure(telegram.sendMediaGroup(READER, [{ type: "photo", media: "https://example.com/1.jpg" }]));
    expect(one.code).toBe(400);
    const album = await telegram.sendMediaGroup(READER, [
      { type: "photo", media: "https://example.com/1.jpg" },
      { type: "photo", media: "https://example.com/2.jpg", caption: "two" },
    ]);
    expect(new Set(album.map((m) => m.media_group_id)).size).toBe(1);
    const reader = user();
    const query = { update_id: 1, inline_query: { id: "q1", from: reader, query: "x", offset: "" } };
    double.pushUpdate(query);
    const result = (id: string) => ({ type: "article" as const, id, title: id, input_message_content: { message_text: id } });
    const duplicate = await failure(telegram.answerInlineQuery("q1", [result("a"), result("a")]));
    expect(duplicate.description).toBe("Bad Request: RESULT_ID_DUPLICATE");
    const tooMany = await failure(telegram.answerInlineQuery("q1", Array.from({ length: 51 }, (_, i) => result(`r${i}`))));
    expect(tooMany.description).toBe("Bad Request: RESULTS_TOO_MUCH");
    await expect(telegram.answerInlineQuery("q1", [result("a")])).resolves.toBe(true);
  });

  it("keeps commands per scope and language, and admins per chat", async () => {
    await telegram.setMyCommands([{ command: "tip", description: "Send a tip" }], { language_code: "en" });
    await telegram.setMyCommands([{ command: "tip", description: "爆料" }], { scope: { type: "all_private_chats" } });
    expect(await telegram.getMyCommands({ language_code: "en" })).toEqual([{ command: "tip", description: "Send a tip" }]);
    expect(await telegram.getMyCommands({})).toEqual([]);
    double.setChatAdmins(GROUP, [1, 2]);
    expect((await telegram.getChatMember(GROUP, 2)).status).toBe("administrator");
    expect((await telegram.getChatMember(GROUP, 3)).status).toBe("member");
    expect((await telegram.getChatAdministrators(GROUP)).map((m) => m.user.id)).toEqual([1, 2]);
  });
});

describe("updates", () => {
  it("delivers pushed updates to bot.launch() handlers and stops cleanly", async () => {
    const bot = new Telegraf(double.token, { telegram: { apiRoot: double.apiRoot } });
    const payloads: string[] = [];
    bot.start(async (ctx) => {
      payloads.push(ctx.payload);
      await ctx.reply("welcome");
    });
    bot.on("text", (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
    const running = bot.launch();
    const reader = user({ id: READER });
    double.pushUpdate(command(reader, "/start tip"));
    double.pushUpdate(privateText(reader, "hello"));
    await double.waitFor((c) => c.method === "sendMessage" && (c.params.text as string).startsWith("echo"));
    bot.stop("test over");
    await running;
    expect(payloads).toEqual(["tip"]);
    expect(double.sent(READER).map((m) => m.text)).toEqual(["welcome", "echo: hello"]);
    expect(double.stats().updatesDelivered).toBe(2);
    // the offset was confirmed: nothing is handed out again
    expect(await telegram.getUpdates(0, 100, 0, undefined)).toEqual([]);
  });

  it("holds a long poll until an update arrives and ends an older poll with 409", async () => {
    const waiting = telegram.getUpdates(5, 100, 0, undefined);
    await until(() => double.isLongPolling());
    expect(double.calls).toEqual([]);
    const update = privateText(user(), "first");
    double.pushUpdate(update);
    expect((await waiting).map((u) => u.update_id)).toEqual([update.update_id]);
    expect(double.isLongPolling()).toBe(false);
    const older = failure(telegram.getUpdates(5, 100, update.update_id + 1, undefined));
    await until(() => double.isLongPolling());
    await telegram.getUpdates(0, 100, update.update_id + 1, undefined);
    const conflict = await older;
    expect([conflict.code, conflict.description]).toEqual([409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"]);
  });

  it("refuses getUpdates while a webhook is set, and delivers to the webhook instead", async () => {
    const bot = new Telegraf(double.token, { telegram: { apiRoot: double.apiRoot } });
    bot.botInfo = double.botUser;
    bot.on("text", (ctx) => ctx.reply(`got ${ctx.message.text}`));
    // telegraf answers callback queries inside the webhook response; the double must run that call
    bot.action("ok", (ctx) => ctx.answerCbQuery("noted"));
    const hook = createServer((req, res) => void bot.webhookCallback("/hook", { secretToken: "s3cret" })(req, res));
    await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
      await telegram.setWebhook(url, { secret_token: "s3cret" });
      const conflict = await failure(telegram.getUpdates(0, 100, 0, undefined));
      expect(conflict.description).toBe("Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
      expect((await telegram.getWebhookInfo()).url).toBe(url);
      double.pushUpdate(privateText(user({ id: READER }), "via hook"));
      await double.waitFor((c) => c.method === "sendMessage");
      expect(double.sent(READER).map((m) => m.text)).toEqual(["got via hook"]);
      double.pushUpdate(callbackQuery(user({ id: READER }), "ok", double.sent(READER)[0]!.message));
      const answered = await double.waitFor((c) => c.method === "answerCallbackQuery");
      expect([answered.ok, answered.params.text]).toEqual([true, "noted"]);
      await telegram.deleteWebhook();
      await expect(telegram.getUpdates(0, 100, 0, undefined)).resolves.toEqual([]);
    } finally {
      hook.closeAllConnections();
      hook.close();
    }
  });
});
