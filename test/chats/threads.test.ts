import Keyv from "keyv";
import { describe, expect, it } from "vitest";
import { ChatRepo } from "../../src/chats/repo.js";
import { chatKey } from "../../src/chats/record.js";
import { isThreadGone, routeLines, threadForTopics, threadOfMessage } from "../../src/chats/threads.js";

async function repoOn(kv = new Keyv()): Promise<ChatRepo> {
  let t = 1_700_000_000_000;
  const repo = new ChatRepo(kv, { clock: { now: () => (t += 1000) } });
  await repo.load();
  return repo;
}

const FORUM = -1_002_000_000_077;
const TOPICS = [
  { id: "energy", name: { "zh-CN": "新能源", en: "Energy" } },
  { id: "travel", name: "旅游" },
];

describe("forum threads in chat records", () => {
  it("a record stored before forum support reads back and goes to General", async () => {
    const kv = new Keyv();
    const old = { id: FORUM, type: "supergroup", topics: ["energy"], active: true, createdAt: 1, updatedAt: 1 };
    await kv.set(chatKey(FORUM), old);
    const repo = await repoOn(kv);
    const record = (await repo.get(FORUM))!;
    expect(record.threads).toBeUndefined();
    expect(threadForTopics(record, ["energy"])).toBeUndefined();
    expect(await repo.subscribersFor(["energy"])).toEqual([FORUM]);
  });

  it("subscribe routes a topic to a thread or moves it back to General; unsubscribe forgets the thread", async () => {
    const repo = await repoOn();
    await repo.ensure(FORUM, "supergroup");
    await repo.subscribe(FORUM, "energy", { id: 12, name: "Energy desk" });
    await repo.subscribe(FORUM, "travel");
    let record = (await repo.get(FORUM))!;
    expect(record.threads).toEqual({ energy: { id: 12, name: "Energy desk" } });
    expect(threadForTopics(record, ["energy"])).toBe(12);
    expect(threadForTopics(record, ["travel"])).toBeUndefined();
    // The article's first followed topic decides.
    expect(threadForTopics(record, ["sports", "travel", "energy"])).toBeUndefined();
    expect(threadForTopics(record, ["sports", "energy", "travel"])).toBe(12);

    // A message in the same thread that does not show its name keeps the known one.
    await repo.subscribe(FORUM, "travel", { id: 12 });
    expect((await repo.get(FORUM))!.threads).toEqual({ energy: { id: 12, name: "Energy desk" }, travel: { id: 12, name: "Energy desk" } });
    await repo.subscribe(FORUM, "travel");
    await repo.unsubscribe(FORUM, "energy");
    record = (await repo.get(FORUM))!;
    expect(record.topics).toEqual(["travel"]);
    expect(record.threads).toBeUndefined();
    await repo.subscribe(FORUM, "energy", { id: 12 });
    await repo.unsubscribe(FORUM, "all");
    expect((await repo.get(FORUM))!.threads).toBeUndefined();
  });

  it("forgetThread moves that thread's topics to General once and reports them", async () => {
    const repo = await repoOn();
    await repo.ensure(FORUM, "supergroup");
    await repo.subscribe(FORUM, "energy", { id: 12 });
    await repo.subscribe(FORUM, "travel", { id: 30 });
    expect(await repo.forgetThread(FORUM, 12)).toEqual(["energy"]);
    expect(await repo.forgetThread(FORUM, 12)).toEqual([]);
    expect((await repo.get(FORUM))!.threads).toEqual({ travel: { id: 30 } });
    expect(await repo.forgetThread(404, 12)).toEqual([]);
  });

  it("a corrupt thread entry makes the record invalid rather than misdirected", async () => {
    const kv = new Keyv();
    await kv.set(chatKey(FORUM), { id: FORUM, type: "supergroup", topics: ["energy"], threads: { energy: { id: -3 } }, active: true, createdAt: 1, updatedAt: 1 });
    const repo = new ChatRepo(kv);
    expect(await repo.load()).toEqual({ loaded: 0, invalid: 1 });
  });
});

describe("thread helpers", () => {
  it("a message counts as in a thread only when it is a forum topic message", () => {
    expect(threadOfMessage({ message_thread_id: 5, is_topic_message: true })).toEqual({ id: 5 });
    expect(threadOfMessage({ message_thread_id: 5, is_topic_message: true, reply_to_message: { forum_topic_created: { name: "能源" } } })).toEqual({ id: 5, name: "能源" });
    // A reply chain in an ordinary group has a thread id but is no forum topic.
    expect(threadOfMessage({ message_thread_id: 5 })).toBeUndefined();
    expect(threadOfMessage(undefined)).toBeUndefined();
  });

  it("recognises Telegram's answers for a closed or deleted thread, and nothing else", () => {
    expect(isThreadGone(400, "Bad Request: TOPIC_CLOSED")).toBe(true);
    expect(isThreadGone(400, "Bad Request: message thread not found")).toBe(true);
    expect(isThreadGone(400, "Bad Request: TOPIC_DELETED")).toBe(true);
    expect(isThreadGone(400, "Bad Request: chat not found")).toBe(false);
    expect(isThreadGone(403, "Forbidden: TOPIC_CLOSED")).toBe(false);
    expect(isThreadGone(undefined, undefined)).toBe(false);
  });

  it("lists where each subscription goes, in the reader's language, with a link to the thread", () => {
    const record = { id: FORUM, topics: ["energy", "travel"], threads: { energy: { id: 12, name: "A & B" } } };
    expect(routeLines(record, TOPICS, "en").split("\n").slice(1)).toEqual([
      `• Energy → <a href="https://t.me/c/2000000077/12">A &amp; B</a>`,
      "• 旅游 → General",
    ]);
    const unnamed = routeLines({ ...record, threads: { energy: { id: 12 } } }, TOPICS, "zh-CN");
    expect(unnamed).toContain("新能源 → <a href=\"https://t.me/c/2000000077/12\">话题 12</a>");
    expect(routeLines({ ...record, topics: [] }, TOPICS, "en")).toBe("");
  });
});
