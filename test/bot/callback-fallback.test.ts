import { Composer } from "telegraf";
import { afterEach, describe, expect, it } from "vitest";
import type { NewsdeskContext } from "../../src/bot/context.js";
import { messages } from "../../src/i18n/index.js";
import { startCommandBot, type CommandBot } from "./bare-bot.js";
import { callbackQuery, command, user } from "../support/updates.js";

/** A feature that owns `known:` buttons, as the real command composers own their prefixes. */
function knownButtons(): Composer<NewsdeskContext> {
  const c = new Composer<NewsdeskContext>();
  c.action(/^known:/, async (ctx) => {
    await ctx.answerCbQuery("handled");
  });
  return c;
}

let bot: CommandBot | undefined;
afterEach(async () => {
  await bot?.stop();
  bot = undefined;
});

const answerTo = (queryId: string) => (c: { method: string; params: Record<string, unknown> }) =>
  c.method === "answerCallbackQuery" && c.params.callback_query_id === queryId;

describe("callback queries nobody handles", () => {
  it.each([
    ["an unknown prefix", "zz:1"],
    ["garbage", "\u0000\u{1F4A5}<b>"],
    ["an empty string", ""],
  ])("answers %s in English so the button stops spinning", async (_name, data) => {
    bot = await startCommandBot([knownButtons()]);
    const reader = user({ language_code: "en" });
    const update = callbackQuery(reader, data, command(reader, "/topics").message);
    const answer = await bot.send(update, answerTo(update.callback_query.id));
    expect(answer.ok).toBe(true);
    expect(answer.params.text).toBe(messages("en").unknownButton());
  });

  it("answers in Chinese for a zh reader", async () => {
    bot = await startCommandBot([knownButtons()]);
    const reader = user({ language_code: "zh-hans" });
    const update = callbackQuery(reader, "t:no-such-topic-ever", command(reader, "/topics").message);
    const answer = await bot.send(update, answerTo(update.callback_query.id));
    expect(answer.params.text).toBe(messages("zh-CN").unknownButton());
    expect(answer.params.text).toMatch(/按钮已失效/);
  });

  it("leaves buttons a feature handled to that feature (answered once, not twice)", async () => {
    bot = await startCommandBot([knownButtons()]);
    const reader = user({ language_code: "en" });
    const known = callbackQuery(reader, "known:1", command(reader, "/topics").message);
    const first = await bot.send(known, answerTo(known.callback_query.id));
    expect(first.params.text).toBe("handled");
    // Updates are handled batch after batch: once the next one is answered, the first is finished.
    const next = callbackQuery(reader, "zz", command(reader, "/topics").message);
    await bot.send(next, answerTo(next.callback_query.id));
    const answers = bot.double.calls.filter(answerTo(known.callback_query.id));
    expect(answers).toHaveLength(1);
    expect(bot.double.calls.filter((c) => c.method === "answerCallbackQuery" && !c.ok)).toEqual([]);
  });
});
