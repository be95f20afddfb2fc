import { Composer } from "telegraf";
import { afterEach, describe, expect, it } from "vitest";
import type { NewsdeskContext } from "../../src/bot/context.js";
import { messages } from "../../src/i18n/index.js";
import { StoreError } from "../../src/store/errors.js";
import { startCommandBot, type CommandBot } from "./bare-bot.js";
import { callbackQuery, command, user } from "../support/updates.js";

/** A feature whose store is locked by another process past the wait deadline. */
function lockedStore(): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();
  const fail = (): never => {
    throw new StoreError("busy", "sqlite", "sqlite store locked by another connection for over 5000 ms");
  };
  c.command("subscribe", fail);
  c.action(/^t:/, fail);
  return c;
}

let bot: CommandBot | undefined;
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
});

describe("an update whose store is unavailable", () => {
  it("is answered 'temporarily unavailable, try again' in the reader's language", async () => {
    bot = await startCommandBot([lockedStore()]);
    const zh = user({ language_code: "zh-hans" });
    const reply = await bot.send(command(zh, "/subscribe energy"), (c) => c.method === "sendMessage");
    expect(reply.ok).toBe(true);
    expect(reply.params.text).toBe(messages("zh-CN").storeUnavailable());
    const en = user({ language_code: "en" });
    const press = callbackQuery(en, "t:energy", command(en, "/topics").message);
    const answer = await bot.send(press, (c) => c.method === "answerCallbackQuery");
    expect(answer.ok).toBe(true);
    expect(answer.params.text).toBe(messages("en").storeUnavailable());
  });
});
