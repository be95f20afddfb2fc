import Keyv from "keyv";
import { describe, expect, it } from "vitest";
import type { Article } from "../../src/articles/article.js";
import { NewItemDetector, normaliseTitleKey } from "../../src/feeds/detect.js";

function article(n: number, over: Partial<Article> = {}): Article {
  return {
    id: `f:${n}`,
    feedId: "f",
    source: "F",
    title: `Headline number ${n}`,
    link: `https://f.example/${n}`,
    summary: "",
    categories: [],
    publishedAt: 1000 * n,
    firstSeenAt: 0,
    topics: [],
    ...over,
  };
}
const ids = (xs: Article[]): string[] => xs.map((a) => a.id);

describe("NewItemDetector", () => {
  it("first poll archives only: zero new; then each new item exactly once", async () => {
    const d = new NewItemDetector(new Keyv());
    const first = await d.detect("f", [article(1), article(2)], 1);
    expect(first).toEqual({ newArticles: [], firstPoll: true });
    expect(ids((await d.detect("f", [article(3), article(1), article(2)], 2)).newArticles)).toEqual(["f:3"]);
    expect((await d.detect("f", [article(3), article(1), article(2)], 3)).newArticles).toEqual([]);
  });

  it("reordering, re-dating, dropping and re-adding never repeat an item", async () => {
    const d = new NewItemDetector(new Keyv());
    await d.detect("f", [article(1), article(2), article(3)], 1);
    expect((await d.detect("f", [article(3), article(2), article(1)], 2)).newArticles).toEqual([]);
    expect((await d.detect("f", [article(1, { publishedAt: 99_999 }), article(2)], 3)).newArticles).toEqual([]);
    expect((await d.detect("f", [article(2)], 4)).newArticles).toEqual([]);
    expect((await d.detect("f", [article(1), article(2), article(3)], 5)).newArticles).toEqual([]);
  });

  it("de-duplicates by link and by normalised title within the feed", async () => {
    const d = new NewItemDetector(new Keyv());
    await d.detect("f", [article(1)], 1);
    // Same link under a new guid.
    expect((await d.detect("f", [article(1, { id: "f:new-guid" })], 2)).newArticles).toEqual([]);
    // Same title re-punctuated, new guid and link.
    const retitled = article(9, { id: "f:x", link: "https://f.example/x", title: "  HEADLINE — number 1! " });
    expect((await d.detect("f", [retitled], 3)).newArticles).toEqual([]);
    expect(normaliseTitleKey("新能源，汽车！")).toBe("新能源汽车");
  });

  it("a daily column that reuses its title is new each day, but not twice on one day", async () => {
    const d = new NewItemDetector(new Keyv());
    const day = 86_400_000;
    const column = (n: number, at: number) => article(n, { title: "Letters to the Editor", publishedAt: at });
    await d.detect("f", [column(1, 10 * day)], 1);
    // Same day, new guid and link: a re-post, not news.
    expect((await d.detect("f", [column(2, 10 * day + 3_600_000), column(1, 10 * day)], 2)).newArticles).toEqual([]);
    // Next day, while yesterday's edition is still in the feed: new.
    expect(ids((await d.detect("f", [column(3, 11 * day), column(1, 10 * day)], 3)).newArticles)).toEqual(["f:3"]);
  });

  it("a GUID repeated within one document is reported once", async () => {
    const d = new NewItemDetector(new Keyv());
    await d.detect("f", [article(1)], 1);
    const twice = [article(5), article(5, { title: "Different title but same id" })];
    expect(ids((await d.detect("f", twice, 2)).newArticles)).toEqual(["f:5"]);
  });

  it("bounds memory per feed with LRU eviction by last-seen", async () => {
    const store = new Keyv();
    const d = new NewItemDetector(store, { minSeen: 5, feedSizeFactor: 1 });
    await d.detect("f", [article(1), article(2)], 1);
    for (let n = 3; n < 40; n++) await d.detect("f", [article(2), article(n)], n);
    const state = await d.getState("f");
    expect(state.seen.length).toBeLessThanOrEqual(15);
    // Item 2 stayed in the feed, so it is still known; item 1 was evicted long ago.
    expect(state.seen.some(([k]) => k === "i:f:2")).toBe(true);
    expect(state.seen.some(([k]) => k === "i:f:1")).toBe(false);
  });

  it("keeps validators and separates feeds", async () => {
    const store = new Keyv();
    const d = new NewItemDetector(store);
    await d.detect("a", [article(1)], 1, { etag: '"e"', lastModified: "LM" });
    expect(await d.getState("a")).toMatchObject({ etag: '"e"', lastModified: "LM", firstPollDone: true });
    expect((await d.getState("b")).firstPollDone).toBe(false);
    expect((await d.detect("b", [article(1)], 2)).firstPoll).toBe(true);
  });

  it("unreadable stored state starts over instead of crashing", async () => {
    const store = new Keyv();
    await store.set("feedstate:f", { nonsense: true });
    const d = new NewItemDetector(store);
    expect((await d.detect("f", [article(1)], 1)).firstPoll).toBe(true);
  });
});
