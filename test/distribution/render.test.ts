import Keyv from "keyv";
import { describe, expect, it } from "vitest";
import { ArticleArchive } from "../../src/articles/archive.js";
import type { Article } from "../../src/articles/article.js";
import { ArticleIndex } from "../../src/articles/search.js";
import { ChatRepo } from "../../src/chats/repo.js";
import { ArticleRenderer } from "../../src/distribution/render.js";

const NOW = Date.UTC(2024, 1, 23, 7, 0);
const article: Article = {
  id: "f:1",
  feedId: "f",
  source: "威海日报",
  title: "威海新能源项目开工",
  link: "https://n.example/1",
  summary: "今天开工。",
  categories: [],
  publishedAt: NOW - 3_600_000,
  firstSeenAt: NOW,
  topics: ["energy"],
};

async function setup() {
  const index = new ArticleIndex();
  const archive = new ArticleArchive(new Keyv());
  await archive.put([article]);
  index.add(article);
  const chats = new ChatRepo(new Keyv());
  const d = new ArticleRenderer({
    topics: () => [{ id: "energy", name: "新能源", keywords: ["新能源"] }],
    timeZone: "Asia/Shanghai",
    defaultLang: "zh-CN",
    relatedCount: 3,
    summaryChars: 300,
    archive,
    index,
    chats,
    now: () => NOW,
  });
  return { d, chats };
}
const payload = { kind: "render" as const, type: "article", data: { articleId: "f:1", related: [] } };

describe("ArticleRenderer.render", () => {
  it("holds a queued channel post while the channel's @name is being resolved, then sends it", async () => {
    const { d } = await setup();
    d.channelPending = true;
    expect(await d.render(-100123, payload)).toEqual({ action: "hold", untilMs: NOW + 60_000 });
    d.channelPending = false;
    d.channelId = -100123;
    const sent = await d.render(-100123, payload);
    expect(sent.action).toBe("send");
  });

  it("skips chats that unsubscribed, holds quiet hours until they end, and skips digest chats", async () => {
    const { d, chats } = await setup();
    expect(await d.render(-100999, payload)).toEqual({ action: "skip", reason: "chat inactive" });
    await chats.ensure(7, "private");
    expect(await d.render(7, payload)).toEqual({ action: "skip", reason: "unsubscribed" });
    await chats.subscribe(7, "energy");
    await chats.update(7, (r) => {
      r.quiet = { fromHour: 14, toHour: 16 }; // 15:00 in Shanghai now
    });
    expect(await d.render(7, payload)).toEqual({ action: "hold", untilMs: Date.UTC(2024, 1, 23, 8, 0) });
    await chats.update(7, (r) => {
      delete r.quiet;
      r.digestAt = "08:00";
    });
    expect(await d.render(7, payload)).toEqual({ action: "skip", reason: "digest chat" });
  });
});
