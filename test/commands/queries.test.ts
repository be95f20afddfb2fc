import Keyv from "keyv";
import type { Message } from "telegraf/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { queryCommands } from "../../commands/queries.js";
import type { Article } from "../../src/articles/article.js";
import { ArticleIndex } from "../../src/articles/search.js";
import type { ApiCall } from "../support/bot-api-double.js";
import { callbackQuery, command, user } from "../support/updates.js";
import { replyTo, startCommandBot, type CommandBot } from "./bot.js";

function article(n: number): Article {
  return {
    id: `local:${n}`,
    feedId: "local",
    source: "Test Daily",
    title: `Harbour ferry timetable update number ${n}`,
    link: `https://news.example.com/a/${n}.html`,
    summary: `The harbour ferry runs a new timetable, part ${n}.`,
    categories: [],
    publishedAt: Date.parse("2025-03-10T00:00:00Z") - n * 3600_000,
    firstSeenAt: Date.parse("2025-03-10T00:00:00Z"),
    topics: [],
  };
}

describe('the "more" button of a search', () => {
  let bot: CommandBot;
  let queries: Keyv<string>;
  const reader = user({ id: 5201, first_name: "Reader", language_code: "en" });

  beforeEach(async () => {
    const index = new ArticleIndex();
    for (let n = 1; n <= 12; n++) index.add(article(n));
    queries = new Keyv<string>();
    bot = await startCommandBot([queryCommands({ index, topics: [], timeZone: "Asia/Shanghai", queries })]);
  });
  afterEach(() => bot.stop());

  const answerOf = (id: string) => (c: ApiCall) => c.method === "answerCallbackQuery" && c.params.callback_query_id === id;

  it("pages through the results while the query is stored", async () => {
    const first = await bot.send(command(reader, "/search ferry"), replyTo(reader.id));
    const data = (first.params.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard[0]![0]!.callback_data;
    expect(data).toMatch(/^q:[A-Za-z0-9_-]{8}:5$/);
    const press = callbackQuery(reader, data, first.result as Message);
    const edit = await bot.send(press, (c) => c.method === "editMessageText");
    expect(edit.ok).toBe(true);
    expect(edit.params.text).toMatch(/\n6\. /);
    expect(bot.double.calls.find(answerOf(press.callback_query.id))?.params.show_alert).toBeUndefined();
  });

  it("answers an expired or forged id with an alert and leaves the message alone", async () => {
    const first = await bot.send(command(reader, "/search ferry"), replyTo(reader.id));
    const data = (first.params.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard[0]![0]!.callback_data;
    await queries.clear(); // the stored query expired
    for (const stale of [data, "q:AAAAAAAAAAAA:5", "q:../../etc:5", "q:AAAAAAAAAAAA:-5", "q:AAAAAAAAAAAA"]) {
      const press = callbackQuery(reader, stale, first.result as Message);
      const answer = await bot.send(press, answerOf(press.callback_query.id));
      expect(answer.params.text).toBe("This result list has expired; please search again.");
      expect(answer.params.show_alert).toBe(true);
    }
    expect(bot.double.calls.filter((c) => c.method === "editMessageText")).toHaveLength(0);
  });
});
