import Keyv from "keyv";
import { describe, expect, it } from "vitest";
import { ArticleArchive } from "../../src/articles/archive.js";
import type { Article } from "../../src/articles/article.js";
import { ArticleIndex } from "../../src/articles/search.js";
import { ChatRepo } from "../../src/chats/repo.js";
import type { EnqueueInput } from "../../src/delivery/outbox.js";
import { ArticleRenderer } from "../../src/distribution/render.js";

const NOW = Date.UTC(2024, 1, 23, 7, 0);
const FORUM = -1_002_000_000_055;

function article(n: number, topics: string[]): Article {
  return {
    id: `f:${n}`,
    feedId: "f",
    source: "威海日报",
    title: `Article ${n}`,
    link: `https://n.example/${n}`,
    summary: "Summary.",
    categories: [],
    publishedAt: NOW - n * 60_000,
    firstSeenAt: NOW,
    topics,
  };
}

async function setup(): Promise<{ d: ArticleRenderer; chats: ChatRepo; queued: EnqueueInput[] }> {
  const index = new ArticleIndex();
  const archive = new ArticleArchive(new Keyv());
  const articles = [article(1, ["energy"]), article(2, ["travel"]), article(3, ["energy", "travel"])];
  await archive.put(articles);
  index.addAll(articles);
  const chats = new ChatRepo(new Keyv());
  const d = new ArticleRenderer({
    topics: () => [
      { id: "energy", name: { "zh-CN": "新能源", en: "Energy" }, keywords: [] },
      { id: "travel", name: "旅游", keywords: [] },
    ],
    timeZone: "Asia/Shanghai",
    defaultLang: "zh-CN",
    relatedCount: 0,
    summaryChars: 300,
    archive,
    index,
    chats,
    now: () => NOW,
  });
  const queued: EnqueueInput[] = [];
  d.notices = { enqueue: (input) => Promise.resolve(void queued.push(input)) };
  await chats.ensure(FORUM, "supergroup");
  await chats.update(FORUM, (r) => {
    r.lang = "en";
  });
  await chats.subscribe(FORUM, "energy", { id: 7 });
  await chats.subscribe(FORUM, "travel");
  return { d, chats, queued };
}

const payload = (n: number) => ({ kind: "render" as const, type: "article", data: { articleId: `f:${n}`, related: [] } });
const refused = (description: string) => Object.assign(new Error(description), { response: { error_code: 400, description } });

describe("ArticleRenderer in forum groups", () => {
  it("sends an article to the thread of its first followed topic", async () => {
    const { d } = await setup();
    const energy = await d.render(FORUM, payload(1));
    const travel = await d.render(FORUM, payload(2));
    const both = await d.render(FORUM, payload(3));
    expect(energy.action === "send" && energy.call.params.message_thread_id).toBe(7);
    expect(travel.action === "send" && "message_thread_id" in travel.call.params).toBe(false);
    expect(both.action === "send" && both.call.params.message_thread_id).toBe(7);
  });

  it("bundles only the articles bound for the first one's thread; the others are left for their own message", async () => {
    const { d } = await setup();
    const bundle = await d.renderBundle(FORUM, [payload(1), payload(2), payload(3)]);
    expect(bundle).toMatchObject({ action: "send", included: [0, 2], skipped: [], left: [1] });
    expect(bundle.action === "send" && bundle.call.params.message_thread_id).toBe(7);
    const general = await d.renderBundle(FORUM, [payload(2), payload(1)]);
    // One left alone goes in the full format, to General.
    expect(general).toMatchObject({ action: "send", included: [0], left: [1] });
    expect(general.action === "send" && "message_thread_id" in general.call.params).toBe(false);
  });

  it("threadWatch: a closed thread's send goes to General at once, the topic stays there, the group is told once", async () => {
    const { d, chats, queued } = await setup();
    const seen: Array<Record<string, unknown>> = [];
    const call = d.threadWatch((_method, params) => {
      seen.push(params);
      return params.message_thread_id === 7 ? Promise.reject(refused("Bad Request: TOPIC_CLOSED")) : Promise.resolve({ message_id: 1 });
    });
    await expect(call("sendMessage", { chat_id: FORUM, text: "x", message_thread_id: 7 })).resolves.toEqual({ message_id: 1 });
    expect(seen).toEqual([
      { chat_id: FORUM, text: "x", message_thread_id: 7 },
      { chat_id: FORUM, text: "x" },
    ]);
    expect((await chats.get(FORUM))?.threads).toBeUndefined();
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ chatId: FORUM, priority: "bulk", payload: { kind: "call", method: "sendMessage" } });
    const notice = queued[0]!.payload;
    const text = notice.kind === "call" ? String(notice.params.text) : "";
    expect(text).toContain("<b>Energy</b>");
    expect(text).toContain("/subscribe energy");
    // Another send that still named the thread (already queued) falls back too, with no second notice.
    await call("sendMessage", { chat_id: FORUM, text: "y", message_thread_id: 7 });
    expect(queued).toHaveLength(1);
  });

  it("threadWatch leaves every other failure to the failure policy", async () => {
    const { d, chats, queued } = await setup();
    let calls = 0;
    const failing = (description: string) =>
      d.threadWatch(() => {
        calls++;
        return Promise.reject(refused(description));
      });
    await expect(failing("Bad Request: can't parse entities")("sendMessage", { chat_id: FORUM, message_thread_id: 7 })).rejects.toThrow("can't parse");
    await expect(failing("Bad Request: TOPIC_CLOSED")("sendMessage", { chat_id: FORUM })).rejects.toThrow("TOPIC_CLOSED");
    expect(calls).toBe(2);
    expect((await chats.get(FORUM))?.threads).toEqual({ energy: { id: 7 } });
    expect(queued).toHaveLength(0);
  });
});
