import { TelegramError } from "telegraf";
import { describe, expect, it } from "vitest";
import { BadRequest, ChatGone, ChatMigrated, RateLimited, Transient, classifyTelegramError } from "../../src/telegram/errors.js";

const tg = (error_code: number, description: string, parameters?: object): TelegramError => new TelegramError({ error_code, description, parameters });

describe("classifyTelegramError", () => {
  it("a 429 is the chat's own, private or group: one reader's burst must not pause everyone", () => {
    const priv = classifyTelegramError(tg(429, "Too Many Requests: retry after 7", { retry_after: 7 }), 42);
    expect(priv).toBeInstanceOf(RateLimited);
    expect(priv).toMatchObject({ retryAfterSeconds: 7, scope: "chat" });
    expect(classifyTelegramError(tg(429, "Too Many Requests", { retry_after: 3 }), -100123)).toMatchObject({ scope: "chat", retryAfterSeconds: 3 });
  });

  it("403 and 400 chat not found mean the chat is gone", () => {
    expect(classifyTelegramError(tg(403, "Forbidden: bot was blocked by the user"), 5)).toEqual(new ChatGone(5, "Forbidden: bot was blocked by the user"));
    expect(classifyTelegramError(tg(403, "Forbidden: user is deactivated"), 6)).toBeInstanceOf(ChatGone);
    expect(classifyTelegramError(tg(400, "Bad Request: chat not found"), 7)).toMatchObject({ kind: "chat-gone", chatId: 7 });
  });

  it("400 with migrate_to_chat_id carries the new id", () => {
    const err = classifyTelegramError(tg(400, "Bad Request: group chat was upgraded to a supergroup chat", { migrate_to_chat_id: -1001234 }), -1234);
    expect(err).toBeInstanceOf(ChatMigrated);
    expect(err).toMatchObject({ newChatId: -1001234 });
  });

  it("other 4xx are bad requests; 5xx, auth and network failures are transient", () => {
    expect(classifyTelegramError(tg(400, "Bad Request: can't parse entities"), 1)).toBeInstanceOf(BadRequest);
    expect(classifyTelegramError(tg(413, "Request Entity Too Large"), 1)).toMatchObject({ kind: "bad-request", errorCode: 413 });
    expect(classifyTelegramError(tg(502, "Bad Gateway"), 1)).toBeInstanceOf(Transient);
    expect(classifyTelegramError(tg(401, "Unauthorized"), 1)).toBeInstanceOf(Transient);
    expect(classifyTelegramError(new Error("socket hang up"), 1)).toBeInstanceOf(Transient);
    expect(classifyTelegramError("weird", 1)).toBeInstanceOf(Transient);
  });
});
