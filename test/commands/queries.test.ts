import type { Message, Update } from "telegraf/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NS } from "../../src/store/keys.js";
import type { ApiCall } from "../support/bot-api-double.js";
import { callbackQuery, command, user } from "../support/updates.js";
import { startHarness, type Harness } from "../e2e/harness.js";

describe('the "more" button of a search (the real app)', () => {
  let h: Harness;
  const reader = user({ id: 5201, first_name: "Reader", language_code: "en" });
  const send = async (update: Update, match: (call: ApiCall) => boolean): Promise<ApiCall> => {
    const from = h.double.calls.length;
    h.double.pushUpdate(update);
    return h.double.waitFor((c) => h.double.calls.indexOf(c) >= from && match(c));
  };
  const replyTo = (id: number) => (c: ApiCall) => c.ok && c.method === "sendMessage" && Number(c.params.chat_id) === id;

  beforeEach(async () => {
    h = await startHarness({
      items: (clock) =>
        Array.from({ length: 12 }, (_, i) => ({
          guid: `ferry-${i + 1}`,
          title: `Harbour ferry timetable update number ${i + 1}`,
          link: `https://news.example.com/a/${i + 1}.html`,
          description: `The harbour ferry runs a new timetable, part ${i + 1}.`,
          pubDate: new Date(clock.now() - (i + 1) * 3600_000),
        })),
    });
    await h.app.scheduler.pollAll(); // the first poll archives them: searchable, not delivered
  });
  afterEach(() => h.close());

  const answerOf = (id: string) => (c: ApiCall) => c.method === "answerCallbackQuery" && c.params.callback_query_id === id;

  it("pages through the results while the query is stored", async () => {
    const first = await send(command(reader, "/search ferry"), replyTo(reader.id));
    const data = (first.params.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard[0]![0]!.callback_data;
    expect(data).toMatch(/^q:[A-Za-z0-9_-]{8}:5$/);
    const press = callbackQuery(reader, data, first.result as Message);
    const edit = await send(press, (c) => c.method === "editMessageText");
    expect(edit.ok).toBe(true);
    expect(edit.params.text).toMatch(/\n6\. /);
    expect(h.double.calls.find(answerOf(press.callback_query.id))?.params.show_alert).toBeUndefined();
  });

  it("answers an expired or forged id with an alert and leaves the message alone", async () => {
    const first = await send(command(reader, "/search ferry"), replyTo(reader.id));
    const data = (first.params.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard[0]![0]!.callback_data;
    await h.app.store.namespace(NS.queries).clear(); // the stored query expired
    for (const stale of [data, "q:AAAAAAAAAAAA:5", "q:../../etc:5", "q:AAAAAAAAAAAA:-5", "q:AAAAAAAAAAAA"]) {
      const press = callbackQuery(reader, stale, first.result as Message);
      const answer = await send(press, answerOf(press.callback_query.id));
      expect(answer.params.text).toBe("This result list has expired; please search again.");
      expect(answer.params.show_alert).toBe(true);
    }
    expect(h.double.calls.filter((c) => c.method === "editMessageText")).toHaveLength(0);
  });
});
