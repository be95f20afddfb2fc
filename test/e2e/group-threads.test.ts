import { afterEach, describe, expect, it } from "vitest";
import type { Chat, Update, User } from "telegraf/types";
import type { ApiCall } from "../support/bot-api-double.js";
import { groupCommand, supergroup, user } from "../support/updates.js";
import { startHarness, TOKEN, textOf, until, type Harness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const admin = user({ id: 7301, first_name: "Mei", language_code: "en" });
const member = user({ id: 7302, first_name: "Jun", language_code: "en" });

/** A forum group whose creator is `admin`, with the bot as an admin too (so tests can close its threads). */
async function forumHarness(): Promise<{ hh: Harness; forum: Chat.SupergroupChat; threadA: number }> {
  const forum = supergroup({ title: "Readers' forum", is_forum: true });
  let threadA = 0;
  const hh = await startHarness({
    beforeStart: (double) => {
      double.registerChat({ id: forum.id, type: "supergroup", title: forum.title, is_forum: true });
      double.setChatAdmins(forum.id, [admin.id, double.botUser.id]);
      threadA = double.addForumTopic(forum.id, "Energy desk", { createdBy: admin.id }).message_thread_id;
    },
  });
  // The first poll only archives the backlog; later polls deliver.
  hh.feed.items.push(hh.item(1, "威海新能源产业集群剑指营收200亿", "威海能源总装机容量为786万千瓦。", 600));
  await hh.app.scheduler.pollAll();
  return { hh, forum, threadA };
}

/** A command sent inside forum thread `threadId` (as Telegram shows it: replying to the thread's "created" message), or in General. */
function inForum(forum: Chat.SupergroupChat, from: User, text: string, thread?: { id: number; name: string }): Update {
  const update = groupCommand(forum, from, text, thread ? { message_thread_id: thread.id } : {});
  if (thread) {
    (update.message as unknown as Record<string, unknown>).reply_to_message = {
      message_id: thread.id,
      message_thread_id: thread.id,
      is_topic_message: true,
      date: update.message.date,
      chat: forum,
      forum_topic_created: { name: thread.name, icon_color: 0x6fb9f0 },
    };
  }
  return update;
}

/** Pushes an update and waits for the bot's next message in the chat: its send call and its text as a reader sees it. */
async function answered(hh: Harness, chatId: number, update: Update): Promise<ApiCall & { shown: string }> {
  const before = hh.double.sent(chatId).length;
  hh.double.pushUpdate(update);
  await until(() => hh.double.sent(chatId).length > before, 10_000, "the bot's answer");
  const sent = hh.double.sent(chatId)[before]!;
  const call = hh.double.calls.find((c) => c.ok && Number(c.params.chat_id) === chatId && (c.result as { message_id?: number } | undefined)?.message_id === sent.messageId)!;
  return { ...call, shown: sent.text };
}

/** Calls the double's Bot API as the bot (e.g. an admin closing a thread through the bot). */
async function botApi(hh: Harness, method: string, params: Record<string, unknown>): Promise<unknown> {
  const res = await fetch(`${hh.double.apiRoot}/bot${TOKEN}/${method}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(params) });
  const body = (await res.json()) as { ok: boolean; description?: string };
  if (!body.ok) throw new Error(`${method}: ${body.description}`);
  return body;
}

const threadOf = (call: ApiCall | undefined): unknown => call?.params.message_thread_id;

async function poll(hh: Harness, ...items: ReturnType<Harness["item"]>[]): Promise<void> {
  hh.feed.items.unshift(...items);
  await hh.app.scheduler.pollAll();
  await hh.app.delivery.whenIdle();
}

describe("forum groups: each subscription goes to the thread it was chosen in", () => {
  it("an admin's /subscribe in thread A sends energy there, one from General keeps travel in General; /topics says so", async () => {
    const { hh, forum, threadA } = await forumHarness();
    h = hh;
    const inThread = await answered(hh, forum.id, inForum(forum, admin, "/subscribe energy", { id: threadA, name: "Energy desk" }));
    expect(textOf(inThread)).toContain("will arrive in this thread");
    expect(threadOf(inThread)).toBe(threadA);
    const inGeneral = await answered(hh, forum.id, inForum(forum, admin, "/subscribe travel"));
    expect(textOf(inGeneral)).toContain("will arrive in the General topic");
    expect(threadOf(inGeneral)).toBeUndefined();

    await poll(hh, hh.item(11, "光伏电站并网发电", "新能源项目并网。", 20), hh.item(12, "刘公岛旅游旺季开启", "旅游人数创新高。", 10));
    const energy = hh.deliveries(forum.id, "光伏电站并网发电");
    const travel = hh.deliveries(forum.id, "刘公岛旅游旺季开启");
    expect(energy).toHaveLength(1);
    expect(travel).toHaveLength(1);
    expect(threadOf(energy[0])).toBe(threadA);
    expect(threadOf(travel[0])).toBeUndefined();
    // Both in the full format: a bundle never mixes two threads.
    for (const call of [...energy, ...travel]) expect(textOf(call)).toContain("Read more");
    // Telegram placed them there (the double files a message under its thread).
    const placed = hh.double.sent(forum.id).filter((m) => m.text.startsWith("光伏电站并网发电") || m.text.startsWith("刘公岛旅游旺季开启"));
    expect(placed.map((m) => [m.text.split("\n")[0], (m.message as { message_thread_id?: number }).message_thread_id])).toEqual([
      ["光伏电站并网发电", threadA],
      ["刘公岛旅游旺季开启", undefined],
    ]);

    const topics = await answered(hh, forum.id, inForum(forum, member, "/topics"));
    expect(topics.shown).toContain("Where articles go");
    expect(topics.shown).toContain("新能源 → Energy desk");
    expect(topics.shown).toContain("旅游 → General");
    // The thread's name links to it, for the group's members.
    expect(textOf(topics)).toContain(`<a href="https://t.me/c/${-forum.id - 1_000_000_000_000}/${threadA}">Energy desk</a>`);

    // Asked again in a thread (here from General to thread A), a subscription moves there.
    const moved = await answered(hh, forum.id, inForum(forum, admin, "/subscribe travel", { id: threadA, name: "Energy desk" }));
    expect(moved.shown).toContain("will arrive in this thread");
    const again = await answered(hh, forum.id, inForum(forum, admin, "/subscribe travel", { id: threadA, name: "Energy desk" }));
    expect(again.shown).toContain("Already following");
    expect((await answered(hh, forum.id, inForum(forum, member, "/topics"))).shown).toContain("旅游 → Energy desk");
  });

  it("two energy articles of one round arrive as one bundle in thread A, a travel article of the same round alone in General", async () => {
    const { hh, forum, threadA } = await forumHarness();
    h = hh;
    await answered(hh, forum.id, inForum(forum, admin, "/subscribe energy", { id: threadA, name: "Energy desk" }));
    await answered(hh, forum.id, inForum(forum, admin, "/subscribe travel"));
    await poll(
      hh,
      hh.item(21, "光伏电站并网发电", "新能源项目并网。", 30),
      hh.item(22, "刘公岛旅游旺季开启", "旅游人数创新高。", 20),
      hh.item(23, "新能源汽车电子项目开工", "新能源项目今天开工。", 10),
    );
    const bundles = hh.deliveries(forum.id, "2 new articles");
    expect(bundles).toHaveLength(1);
    expect(threadOf(bundles[0])).toBe(threadA);
    for (const n of [21, 23]) expect(textOf(bundles[0]!)).toContain(`https://news.example.com/a/${n}.html`);
    expect(textOf(bundles[0]!)).not.toContain("https://news.example.com/a/22.html");
    const travel = hh.deliveries(forum.id, "刘公岛旅游旺季开启");
    expect(travel).toHaveLength(1);
    expect(threadOf(travel[0])).toBeUndefined();
    expect(hh.app.delivery.stats()).toMatchObject({ pending: 0, deadLetterTotal: 0 });
  });

  for (const [how, method, error] of [
    ["closed", "closeForumTopic", "TOPIC_CLOSED"],
    ["deleted", "deleteForumTopic", "message thread not found"],
  ] as const) {
    it(`a ${how} thread: the article goes to General at once, the group is told how to fix it, later ones go to General directly`, async () => {
      const { hh, forum, threadA } = await forumHarness();
      h = hh;
      await answered(hh, forum.id, inForum(forum, admin, "/subscribe energy", { id: threadA, name: "Energy desk" }));
      await botApi(hh, method, { chat_id: forum.id, message_thread_id: threadA });

      await poll(hh, hh.item(31, "光伏电站并网发电", "新能源项目并网。", 10));
      const refused = hh.double.calls.filter((c) => !c.ok && Number(c.params.chat_id) === forum.id && (c.description ?? "").includes(error));
      expect(refused).toHaveLength(1);
      expect(threadOf(refused[0])).toBe(threadA);
      const delivered = hh.deliveries(forum.id, "光伏电站并网发电");
      expect(delivered).toHaveLength(1);
      expect(threadOf(delivered[0])).toBeUndefined();
      expect(textOf(delivered[0]!)).toContain("Read more");
      const notice = hh.double.sent(forum.id).filter((m) => m.text.includes("is closed or was deleted"));
      expect(notice).toHaveLength(1);
      expect(notice[0]!.text).toContain("新能源");
      expect(notice[0]!.text).toContain("/subscribe energy");
      expect((notice[0]!.message as { message_thread_id?: number }).message_thread_id).toBeUndefined();

      // Remembered: the next article goes straight to General, with no second refusal or notice.
      await poll(hh, hh.item(32, "新能源汽车电子项目开工", "新能源项目今天开工。", 5));
      const next = hh.deliveries(forum.id, "新能源汽车电子项目开工");
      expect(next).toHaveLength(1);
      expect(threadOf(next[0])).toBeUndefined();
      expect(hh.double.calls.filter((c) => !c.ok && Number(c.params.chat_id) === forum.id)).toHaveLength(1);
      expect(hh.double.sent(forum.id).filter((m) => m.text.includes("is closed or was deleted"))).toHaveLength(1);
      expect(hh.app.delivery.stats()).toMatchObject({ pending: 0, deadLetterTotal: 0 });
      const topics = await answered(hh, forum.id, inForum(forum, admin, "/topics"));
      expect(topics.shown).toContain("新能源 → General");
    });
  }

  it("a member who is not an admin changes nothing with /subscribe in a thread", async () => {
    const { hh, forum, threadA } = await forumHarness();
    h = hh;
    await answered(hh, forum.id, inForum(forum, admin, "/subscribe energy"));
    const refusal = await answered(hh, forum.id, inForum(forum, member, "/subscribe energy", { id: threadA, name: "Energy desk" }));
    expect(textOf(refusal)).toContain("only the group's admins");
    expect(threadOf(refusal)).toBe(threadA);
    const topics = await answered(hh, forum.id, inForum(forum, admin, "/topics"));
    expect(topics.shown).toContain("新能源 → General");
    expect(topics.shown).not.toContain("Energy desk");
    await poll(hh, hh.item(41, "光伏电站并网发电", "新能源项目并网。", 10));
    const delivered = hh.deliveries(forum.id, "光伏电站并网发电");
    expect(delivered).toHaveLength(1);
    expect(threadOf(delivered[0])).toBeUndefined();
  });
});
