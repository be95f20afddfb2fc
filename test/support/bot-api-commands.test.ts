import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Telegram, TelegramError } from "telegraf";
import { startBotApiDouble, type BotApiDouble } from "./bot-api-double.js";
import { command, groupCommand, supergroup, user } from "./updates.js";

const READER = 4343;
const ROOM = -1_001_234_567_890;

let double: BotApiDouble;
let telegram: Telegram;

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TelegramError) return `${error.code} ${error.description}`;
    throw error;
  }
  throw new Error("the call succeeded but a TelegramError was expected");
}

beforeEach(async () => {
  double = await startBotApiDouble();
  telegram = new Telegram(double.token, { apiRoot: double.apiRoot });
});
afterEach(() => double.close());

const list = (...names: string[]) => names.map((command) => ({ command, description: `do ${command}` }));

describe("the double's command scopes (BotCommandScope, language_code)", () => {
  it("keeps a list per chat scope and language, and refuses chats the bot does not know", async () => {
    expect(await failure(telegram.setMyCommands(list("stats"), { scope: { type: "chat", chat_id: ROOM } }))).toBe("400 Bad Request: chat not found");
    double.registerChat({ id: ROOM, type: "supergroup", title: "Newsroom" });
    await telegram.setMyCommands(list("stats"), { scope: { type: "chat", chat_id: ROOM }, language_code: "en" });
    await telegram.setMyCommands(list("stats", "feeds"), { scope: { type: "chat", chat_id: String(ROOM) } });
    expect(await telegram.getMyCommands({ scope: { type: "chat", chat_id: ROOM }, language_code: "en" })).toEqual(list("stats"));
    expect(await telegram.getMyCommands({ scope: { type: "chat", chat_id: ROOM } })).toEqual(list("stats", "feeds"));
    expect(await telegram.getMyCommands({ scope: { type: "chat", chat_id: ROOM }, language_code: "zh" })).toEqual([]);
    expect(await telegram.getMyCommands({})).toEqual([]);
    await telegram.deleteMyCommands({ scope: { type: "chat", chat_id: ROOM }, language_code: "en" });
    expect(await telegram.getMyCommands({ scope: { type: "chat", chat_id: ROOM }, language_code: "en" })).toEqual([]);

    // A user's private chat exists once they talked to the bot.
    expect(await failure(telegram.setMyCommands(list("stats"), { scope: { type: "chat", chat_id: READER } }))).toBe("400 Bad Request: chat not found");
    double.pushUpdate(command(user({ id: READER }), "/start"));
    await expect(telegram.setMyCommands(list("stats"), { scope: { type: "chat", chat_id: READER } })).resolves.toBe(true);
  });

  it("answers malformed scopes and language codes as Telegram does", async () => {
    double.pushUpdate(command(user({ id: READER }), "/start"));
    const bad = (scope: unknown, language_code?: string) =>
      failure(telegram.callApi("setMyCommands", { commands: list("help"), scope, ...(language_code ? { language_code } : {}) } as never));
    expect(await bad({ type: "everyone" })).toBe("400 Bad Request: can't parse BotCommandScope: wrong type");
    expect(await bad("chat")).toBe("400 Bad Request: can't parse BotCommandScope JSON object");
    expect(await bad({ type: "chat" })).toBe("400 Bad Request: chat_id is empty");
    expect(await bad({ type: "chat_administrators", chat_id: READER })).toBe("400 Bad Request: BOT_COMMAND_SCOPE_INVALID");
    expect(await bad({ type: "default" }, "english")).toBe("400 Bad Request: invalid language code specified");
    double.registerChat({ id: ROOM, type: "supergroup", title: "Newsroom" });
    expect(await bad({ type: "chat_member", chat_id: ROOM })).toBe("400 Bad Request: invalid user_id specified");
    const badCommand = failure(telegram.setMyCommands([{ command: "Stats!", description: "x" }]));
    expect(await badCommand).toBe("400 Bad Request: BOT_COMMAND_INVALID");
  });

  it("shows each user the list of the most specific scope, language first, as the Bot API documents", async () => {
    const room = supergroup({ id: ROOM, title: "Newsroom" });
    const editor = user({ id: 71, language_code: "en" });
    double.pushUpdate(groupCommand(room, editor, "/help"));
    double.pushUpdate(command(editor, "/start"));
    double.setChatAdmins(ROOM, [72, 73]);
    await telegram.setMyCommands(list("latest"));
    await telegram.setMyCommands(list("latest", "topics"), { language_code: "en" });
    await telegram.setMyCommands(list("latest", "stats"), { scope: { type: "chat", chat_id: ROOM } });
    await telegram.setMyCommands(list("latest", "stats", "block"), { scope: { type: "chat_administrators", chat_id: ROOM } });
    await telegram.setMyCommands(list("poll"), { scope: { type: "chat_member", chat_id: ROOM, user_id: 74 } });
    await telegram.setMyCommands(list("tips"), { scope: { type: "all_private_chats" }, language_code: "zh" });

    expect(double.commandsShown(ROOM, editor.id, "en").map((c) => c.command)).toEqual(["latest", "stats"]);
    expect(double.commandsShown(ROOM, 73, "en").map((c) => c.command)).toEqual(["latest", "stats", "block"]);
    expect(double.commandsShown(ROOM, 74).map((c) => c.command)).toEqual(["poll"]);
    expect(double.commandsShown(editor.id, editor.id, "en").map((c) => c.command)).toEqual(["latest", "topics"]);
    expect(double.commandsShown(editor.id, editor.id, "zh-hans").map((c) => c.command)).toEqual(["tips"]);
    expect(double.commandsShown(editor.id, editor.id, "de").map((c) => c.command)).toEqual(["latest"]);
    // An empty list removes the scope's own list: the next scope down shows again.
    await telegram.setMyCommands([], { scope: { type: "chat", chat_id: ROOM } });
    expect(double.commandsShown(ROOM, editor.id, "en").map((c) => c.command)).toEqual(["latest", "topics"]);
  });
});
