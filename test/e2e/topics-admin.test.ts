import { afterEach, describe, expect, it } from "vitest";
import type { Chat, Message } from "telegraf/types";
import { chatKey } from "../../src/chats/record.js";
import { NS } from "../../src/store/keys.js";
import type { SentMessage } from "../support/bot-api-double.js";
import { callbackQuery, command, forwarded, groupCommand, user } from "../support/updates.js";
import { startHarness, textOf, until, type Harness } from "./harness.js";

// Issue 14.4 / 14.7: the newsroom manages topics from chat; every consumer sees the live list.
const NEWSROOM = -1_002_999_000_001;
const room: Chat.SupergroupChat = { id: NEWSROOM, type: "supergroup", title: "Newsroom" };
const editor = user({ id: 9601, first_name: "Editor", language_code: "en" });
const outsider = user({ id: 9603, first_name: "Outsider", language_code: "en" });
const BILINGUAL = [
  "topics:",
  "  - { id: energy, name: { zh-CN: 新能源, en: New energy }, keywords: [新能源, 光伏, solar] }",
  "  - { id: travel, name: { zh-CN: 旅游, en: Travel }, keywords: [旅游, travel] }",
];

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function harness(opts: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const h = await startHarness(opts);
  open.push(h);
  return h;
}

/** Pushes a command into the newsroom and returns the bot's first answer there. */
async function inNewsroom(h: Harness, text: string, from = editor): Promise<SentMessage> {
  const before = h.double.sent(NEWSROOM).length;
  h.double.pushUpdate(groupCommand(room, from, text));
  await until(() => h.double.sent(NEWSROOM).length > before, 15_000, `answer to ${text}`);
  return h.double.sent(NEWSROOM)[before]!;
}

/** Pushes a command in a reader's private chat and returns the bot's first answer. */
async function asReader(h: Harness, reader: ReturnType<typeof user>, text: string): Promise<SentMessage> {
  const before = h.double.sent(reader.id).length;
  h.double.pushUpdate(command(reader, text));
  await until(() => h.double.sent(reader.id).length > before, 15_000, `answer to ${text}`);
  return h.double.sent(reader.id)[before]!;
}

/** Taps a button of a newsroom message; resolves once the message was edited. */
async function tap(h: Harness, sent: SentMessage, index = 0): Promise<SentMessage> {
  const data = buttonData(sent)[index]!;
  h.double.pushUpdate(callbackQuery(editor, data, sent.message));
  await until(() => h.double.sent(NEWSROOM).find((m) => m.messageId === sent.messageId)!.edited, 15_000, `edit after ${data}`);
  return h.double.sent(NEWSROOM).find((m) => m.messageId === sent.messageId)!;
}

function buttonData(sent: SentMessage): string[] {
  const markup = sent.replyMarkup as { inline_keyboard?: Array<Array<{ callback_data?: string }>> } | undefined;
  return (markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data ?? "");
}

function buttonTexts(sent: SentMessage): string[] {
  const markup = sent.replyMarkup as { inline_keyboard?: Array<Array<{ text: string }>> } | undefined;
  return (markup?.inline_keyboard ?? []).flat().map((b) => b.text);
}

/** The raw topic records of chat edits in the store (none: nothing was changed from chat). */
async function topicRecords(h: Harness): Promise<unknown[]> {
  const records: unknown[] = [];
  for await (const [, record] of h.app.store.entries(NS.topicRegistry)) records.push(record);
  return records;
}

const chatTopics = async (h: Harness, id: number) => ((await h.app.store.namespace(NS.chats).get(chatKey(id))) as { topics: string[] }).topics;

describe("managing topics from the newsroom", () => {
  it("staff add a topic in chat; a reader follows it by its English name and gets a matching article; it survives a restart; edited keywords change what matches", async () => {
    const h = await harness();
    const reader = user({ id: 9611, first_name: "Ann", language_code: "en" });

    const preview = await inNewsroom(h, "/addtopic Harbour 港口 | Harbour news | 港口, port, ferry");
    expect(preview.text).toBe(
      "New topic\nharbour\n中文: 港口\nEnglish: Harbour news\nKeywords: 港口, port, ferry\n\n" +
        "Add it? Readers see it in /topics at once; new articles with these keywords go to its subscribers.",
    );
    expect(buttonData(preview)).toEqual([expect.stringMatching(/^tp:[\w-]+:y$/), expect.stringMatching(/^tp:[\w-]+:n$/)]);
    expect(await topicRecords(h)).toEqual([]);
    const done = await tap(h, preview);
    expect(done.text).toBe("✅ Topic Harbour news (harbour) added. Readers find it in /topics; /edittopic harbour changes it.");
    expect(await topicRecords(h)).toHaveLength(1);

    expect(buttonTexts(await asReader(h, reader, "/topics"))).toEqual(["➕ 新能源", "➕ 旅游", "➕ Harbour news"]);
    expect((await asReader(h, reader, "/subscribe harbour news")).text).toBe("Following Harbour news. New articles will arrive here.");

    await h.app.scheduler.pollAll(); // the feed's first poll: its backlog is only archived
    h.feed.items.unshift(h.item(1, "New ferry route to Dalian opens", "The ferry leaves twice a day.", 1));
    await h.app.scheduler.pollAll();
    await until(() => h.deliveries(reader.id, "New ferry route").length === 1, 15_000, "the matching article");
    expect(textOf(h.deliveries(reader.id, "New ferry route")[0]!)).toContain("#Harbour");

    await h.restart(h.clock.now() + 60_000);
    expect(buttonTexts(await asReader(h, reader, "/topics"))).toEqual(["➕ 新能源", "➕ 旅游", "✅ Harbour news"]);
    const list = await inNewsroom(h, "/topics");
    expect(list.text).toContain("harbour 港口 / Harbour news · 1 chats\n   港口, port, ferry");

    const edited = await inNewsroom(h, "/edittopic harbour keywords +码头 -ferry");
    expect(edited.text).toBe("✏️ Topic changed:\nharbour\n中文: 港口\nEnglish: Harbour news\nKeywords: 港口, port, 码头\n\nNew articles are matched with these keywords from now on.");
    const sentBefore = h.double.sent(reader.id).length;
    h.feed.items.unshift(h.item(2, "Ferry timetable changes for winter", "Fewer ferry crossings.", 1));
    h.feed.items.unshift(h.item(3, "威海新码头今天启用", "新码头可停靠大型客轮。", 1));
    await h.app.scheduler.pollAll();
    await h.app.delivery.whenIdle();
    const after = h.double.sent(reader.id).slice(sentBefore);
    expect(after).toHaveLength(1);
    expect(after[0]!.text.split("\n")[0]).toBe("威海新码头今天启用");
    expect(after[0]!.text).not.toContain("Ferry timetable");
  });

  it("removing a topic asks first, then tells each subscriber in their language and unsubscribes them; it stays removed after a restart", async () => {
    const h = await harness({ topicsYaml: BILINGUAL, feeds: (url) => `[{ id: local, url: '${url}', name: 威海日报, topics: [energy] }]` });
    const en = user({ id: 9621, first_name: "Ann", language_code: "en" });
    const zh = user({ id: 9622, first_name: "王", language_code: "zh-hans" });
    await asReader(h, en, "/subscribe energy");
    await asReader(h, en, "/subscribe travel");
    await asReader(h, zh, "/subscribe 新能源");

    const ask = await inNewsroom(h, "/removetopic energy");
    expect(ask.text).toBe(
      "Remove topic New energy (energy)? 2 chats follow it: they will be told and unsubscribed.\nFeeds that give it to every article: 威海日报; they stop doing so.",
    );
    expect((await tap(h, ask, 1)).text).toBe("Cancelled; nothing was changed.");
    expect(await chatTopics(h, en.id)).toEqual(["energy", "travel"]);

    const done = await tap(h, await inNewsroom(h, "/removetopic energy"));
    expect(done.text).toBe("🗑 Topic New energy (energy) removed; 2 chats are being told. It stays removed after a restart, even while the YAML lists it.");
    const told = (id: number) => h.double.sent(id).find((m) => m.text.startsWith("The newsroom has") || m.text.startsWith("编辑部"));
    await until(() => told(en.id) !== undefined && told(zh.id) !== undefined, 15_000, "both subscribers told");
    expect(told(en.id)!.text).toBe("The newsroom has discontinued the topic New energy, so you no longer follow it. /topics shows the other topics.");
    expect(told(zh.id)!.text).toBe("编辑部已停用栏目新能源，您不再关注它。发送 /topics 查看其他栏目。");
    expect(await chatTopics(h, en.id)).toEqual(["travel"]);
    expect(await chatTopics(h, zh.id)).toEqual([]);

    await h.restart(h.clock.now() + 60_000);
    expect(buttonTexts(await asReader(h, en, "/topics"))).toEqual(["✅ Travel"]);
    expect((await asReader(h, en, "/subscribe energy")).text).toBe("There is no topic “energy”. /topics lists them all.");
    expect((await inNewsroom(h, "/stats")).text).not.toContain("New energy");
    // The feed that gave it by default no longer names it (OPML categories are live topics only).
    const exported = await inNewsroom(h, "/export");
    const opml = h.double.fileContent((exported.message as Message.DocumentMessage).document.file_id)!.toString("utf8");
    expect(opml).toContain('text="威海日报"');
    expect(opml).not.toContain("energy");
  });

  it("answers bad input clearly: usage, bad ids, duplicates, missing names or keywords, unknown ids, names taken", async () => {
    const h = await harness();
    const answers: Array<[string, string]> = [
      ["/addtopic", "Usage: /addtopic id 中文名 | English name | keywords"],
      ["/addtopic Port! 港口 | Port | 港口", "“Port!” cannot be a topic id: use lower-case letters, digits, _ or - (at most 32), e.g. energy."],
      ["/addtopic energy 能源 | Energy | 光伏", "There is already a topic energy: 新能源. /edittopic energy changes it."],
      ["/addtopic port 港口 | | 港口", "The English name is missing: readers of that language would see the other one. Give both: 中文名 | English name."],
      ["/addtopic port | Port | 港口", "The Chinese name is missing: readers of that language would see the other one. Give both: 中文名 | English name."],
      ["/addtopic port 港口 | Port | ，", "Give at least one keyword: articles are matched to the topic by them (e.g. 光伏, solar)."],
      ["/addtopic port 港口 | Port", "A topic needs three parts after its id, separated by |: 中文名 | English name | keywords (got 2)."],
      ["/addtopic port 旅游 | Port | 港口", "“旅游” is already the name or id of topic travel: readers could not tell which one they follow."],
      ["/edittopic nope keywords +x", "There is no topic with id nope. /topics in the newsroom lists the ids."],
      ["/edittopic energy keywords -wind", "Not a keyword of this topic: wind. /edittopic energy shows its keywords."],
      ["/edittopic energy keywords 储能, -光伏", "Either give the new keyword list (光伏, solar) or change it with + and - (+储能 -光伏), not both at once."],
      ["/edittopic energy keywords", "Give at least one keyword: articles are matched to the topic by them (e.g. 光伏, solar)."],
      ["/edittopic energy en", "The English name is missing: readers of that language would see the other one. Give both: 中文名 | English name."],
      ["/edittopic energy colour red", "Change topic energy:\n/edittopic energy keywords +储能 -光伏: add and remove keywords"],
      ["/removetopic", "Usage: /removetopic id (/topics in the newsroom lists the ids)"],
      ["/removetopic nope", "There is no topic with id nope. /topics in the newsroom lists the ids."],
    ];
    // Several editors, so no one of them meets the per-user command limit.
    for (const [i, [text, answer]] of answers.entries()) {
      const member = user({ id: 9700 + Math.floor(i / 5), first_name: "Editor", language_code: "en" });
      expect((await inNewsroom(h, text, member)).text, text).toContain(answer);
    }
    expect(await topicRecords(h)).toEqual([]);

    // A Chinese-speaking editor gets the same answers in Chinese.
    const zhEditor = user({ id: 9602, first_name: "编辑", language_code: "zh-hans" });
    expect((await inNewsroom(h, "/addtopic port 港口 | | 港口", zhEditor)).text).toBe("缺少英文名称：该语言的读者会看到另一种语言的名称。请两个都写：中文名 | 英文名。");
    expect((await inNewsroom(h, "/edittopic energy 关键词+储能", zhEditor)).text).toContain("关键词：新能源, 光伏, solar, 储能");
  });

  it("non-staff change nothing: a reader's /addtopic, /edittopic, /removetopic and a forged forward are refused and logged", async () => {
    const h = await harness();
    const refusals = () => h.logs.filter((l) => l.includes("staff command refused")).length;
    for (const text of ["/addtopic port 港口 | Port | 港口", "/edittopic energy keywords +x", "/removetopic energy"]) {
      expect((await asReader(h, outsider, text)).text).toBe("Sorry, this command is for newsroom staff only.");
    }
    const before = h.double.sent(outsider.id).length;
    h.double.pushUpdate(forwarded(outsider, "/addtopic port 港口 | Port | 港口", editor));
    await until(() => h.double.sent(outsider.id).length > before);
    expect(h.double.sent(outsider.id)[before]!.text).toBe("Sorry, this command is for newsroom staff only.");
    await until(() => refusals() === 4, 15_000, "refusals logged");
    expect(await topicRecords(h)).toEqual([]);
    expect(buttonTexts(await asReader(h, outsider, "/topics"))).toEqual(["➕ 新能源", "➕ 旅游"]);
  });
});
