import { afterEach, describe, expect, it } from "vitest";
import type { Chat, Message, Update } from "telegraf/types";
import type { ApiCall } from "../support/bot-api-double.js";
import { callbackQuery, command, groupCommand, inlineQuery, user } from "../support/updates.js";
import { startHarness, textOf, until, type Harness } from "./harness.js";

// Topic names per language (issue 13.5 / 14.4): English readers see English names everywhere.
const BILINGUAL = [
  "topics:",
  "  - { id: energy, name: { zh-CN: 新能源, en: New energy }, keywords: [新能源, 光伏, solar] }",
  "  - { id: travel, name: { zh-CN: 旅游, en: Travel }, keywords: [旅游, travel] }",
];
const NEWSROOM = -1_002_999_000_001;
const room: Chat.SupergroupChat = { id: NEWSROOM, type: "supergroup", title: "Newsroom" };
const HAN = /\p{Script=Han}/u;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Pushes an update and waits for the first matching call after it. */
async function send(hh: Harness, update: Update, match: (call: ApiCall) => boolean): Promise<ApiCall> {
  const from = hh.double.calls.length;
  hh.double.pushUpdate(update);
  return hh.double.waitFor((c) => hh.double.calls.indexOf(c) >= from && match(c), 15_000);
}
const replyIn = (chatId: number) => (c: ApiCall) => c.ok && c.method === "sendMessage" && Number(c.params.chat_id) === chatId;
const buttonsOf = (call: ApiCall) =>
  (call.params.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> }).inline_keyboard.flat();

describe("topic names in the reader's language", () => {
  it("English readers get English names in /topics, confirmations, toggles, /topic and /stats; Chinese readers get Chinese", async () => {
    h = await startHarness({ topicsYaml: BILINGUAL });
    const en = user({ id: 9801, first_name: "Ann", language_code: "en" });
    const zh = user({ id: 9802, first_name: "王", language_code: "zh-hans" });

    const topics = await send(h, command(en, "/topics"), replyIn(en.id));
    expect(buttonsOf(topics).map((b) => b.text)).toEqual(["➕ New energy", "➕ Travel"]);
    const zhTopics = await send(h, command(zh, "/topics"), replyIn(zh.id));
    expect(buttonsOf(zhTopics).map((b) => b.text)).toEqual(["➕ 新能源", "➕ 旅游"]);

    // Any language's name (or the id) finds the topic; the answer uses the reader's language.
    expect(textOf(await send(h, command(en, "/subscribe new energy"), replyIn(en.id)))).toBe(
      "Following <b>New energy</b>. New articles will arrive here.",
    );
    expect(textOf(await send(h, command(en, "/subscribe 新能源"), replyIn(en.id)))).toBe("Already following <b>New energy</b>.");
    expect(textOf(await send(h, command(zh, "/subscribe energy"), replyIn(zh.id)))).toBe("已关注<b>新能源</b>，新文章会推送到这里。");
    expect(textOf(await send(h, command(zh, "/unsubscribe New Energy"), replyIn(zh.id)))).toBe("已取消关注<b>新能源</b>。");

    const travel = buttonsOf(topics).find((b) => b.callback_data === "t:travel")!;
    const press = callbackQuery(en, travel.callback_data, topics.result as Message);
    const answer = await send(h, press, (c) => c.method === "answerCallbackQuery" && c.params.callback_query_id === press.callback_query.id);
    expect(answer.params.text).toBe("Following Travel");
    const edited = await h.double.waitFor((c) => c.method === "editMessageReplyMarkup" && Number(c.params.chat_id) === en.id);
    expect(buttonsOf(edited).map((b) => b.text)).toEqual(["✅ New energy", "✅ Travel"]);

    h.feed.items.push(h.item(1, "威海光伏新能源项目开工", "高区新能源项目今天开工。", 30));
    await h.app.scheduler.pollAll(); // archived, searchable
    expect(textOf(await send(h, command(en, "/topic new energy"), replyIn(en.id))).split("\n")[0]).toBe(
      "<b>New energy</b>: latest of 1",
    );

    const editor = user({ id: 9803, first_name: "Ed", language_code: "en" });
    const stats = textOf(await send(h, groupCommand(room, editor, "/stats"), replyIn(NEWSROOM)));
    expect(stats).toContain("• New energy: 1");
    expect(stats).toContain("• Travel: 1");
    expect(stats).not.toMatch(HAN);
  });

  it("delivers articles with hashtags and labels in each chat's language, and inline results in the reader's chosen language", async () => {
    h = await startHarness({ topicsYaml: BILINGUAL });
    const en = user({ id: 9811, first_name: "Ann", language_code: "en" });
    const zh = user({ id: 9812, first_name: "王", language_code: "zh-hans" });
    await send(h, command(en, "/subscribe energy"), replyIn(en.id));
    await send(h, command(zh, "/subscribe energy"), replyIn(zh.id));
    await h.app.scheduler.pollAll(); // first poll of the feed: nothing to deliver
    h.feed.items.unshift(h.item(2, "威海光伏新能源项目开工", "高区新能源项目今天开工。", 1));
    await h.app.scheduler.pollAll();
    await until(() => h!.deliveries(en.id, "威海光伏").length === 1 && h!.deliveries(zh.id, "威海光伏").length === 1, 15_000, "deliveries");

    const english = textOf(h.deliveries(en.id, "威海光伏")[0]!);
    expect(english).toContain(">Read more</a>");
    expect(english.split("\n").at(-1)).toBe("#New_energy");
    expect(english).not.toContain("阅读全文");
    const chinese = textOf(h.deliveries(zh.id, "威海光伏")[0]!);
    expect(chinese).toContain(">阅读全文</a>");
    expect(chinese.split("\n").at(-1)).toBe("#新能源");

    // A reader whose Telegram is in Chinese but who chose English in the private chat.
    const chose = user({ id: 9813, first_name: "Li", language_code: "zh-hans" });
    await send(h, command(chose, "/lang en"), replyIn(chose.id));
    const answered = await send(h, inlineQuery(chose, "光伏"), (c) => c.method === "answerInlineQuery");
    const results = answered.params.results as Array<{ input_message_content: { message_text: string } }>;
    expect(results).toHaveLength(1);
    expect(results[0]!.input_message_content.message_text).toContain(">Read more</a>");
  });

  it("/subscribe with a topic's keyword instead of its name offers that topic in the reader's language; a tap follows it", async () => {
    h = await startHarness({ topicsYaml: BILINGUAL });
    const en = user({ id: 9821, first_name: "Ann", language_code: "en" });
    const zh = user({ id: 9822, first_name: "王", language_code: "zh-hans" });

    const offer = await send(h, command(en, "/subscribe Solar"), replyIn(en.id));
    expect(textOf(offer)).toBe("There is no topic “Solar”, but this topic follows it: <b>New energy</b>. Tap to follow.");
    expect(buttonsOf(offer).map((b) => [b.text, b.callback_data])).toEqual([["➕ New energy", "t:energy"]]);
    const zhOffer = await send(h, command(zh, "/subscribe 光伏"), replyIn(zh.id));
    expect(textOf(zhOffer)).toBe("没有“光伏”这个栏目，不过这些栏目会推送相关文章：<b>新能源</b>。点按即可关注。");
    expect(buttonsOf(zhOffer).map((b) => b.text)).toEqual(["➕ 新能源"]);

    const press = callbackQuery(en, "t:energy", offer.result as Message);
    const answer = await send(h, press, (c) => c.method === "answerCallbackQuery" && c.params.callback_query_id === press.callback_query.id);
    expect(answer.params.text).toBe("Following New energy");
    expect(textOf(await send(h, command(en, "/subscribe new energy"), replyIn(en.id)))).toBe("Already following <b>New energy</b>.");

    // Neither a name nor a keyword: the plain answer, no buttons.
    const none = await send(h, command(en, "/subscribe knitting"), replyIn(en.id));
    expect(textOf(none)).toBe("There is no topic “knitting”. /topics lists them all.");
    expect(none.params.reply_markup).toBeUndefined();
  });
});
