import Keyv from "keyv";
import { describe, expect, it } from "vitest";
import type { Article } from "../../src/articles/article.js";
import { ArticleArchive } from "../../src/articles/archive.js";

const a = (n: number, publishedAt: number): Article => ({
  id: `f:${n}`, feedId: "f", source: "F", title: `T${n}`, link: "", summary: "", categories: [], publishedAt, firstSeenAt: 0, topics: [],
});

describe("ArticleArchive", () => {
  it("puts, gets, lists recent newest first and iterates all", async () => {
    const archive = new ArticleArchive(new Keyv(), { retentionDays: 7 });
    await Promise.all([archive.put([a(1, 100), a(2, 300)]), archive.put([a(3, 200)])]);
    expect((await archive.get("f:2"))?.title).toBe("T2");
    expect(await archive.get("nope")).toBeUndefined();
    expect((await archive.recent(2)).map((x) => x.id)).toEqual(["f:2", "f:3"]);
    expect((await archive.listRecent()).map((x) => x.id)).toEqual(["f:2", "f:3", "f:1"]);
    const all: string[] = [];
    for await (const x of archive.all()) all.push(x.id);
    expect(all.sort()).toEqual(["f:1", "f:2", "f:3"]);
  });

  it("replacing an article does not duplicate it in the index", async () => {
    const archive = new ArticleArchive(new Keyv());
    await archive.put([a(1, 100)]);
    await archive.put([{ ...a(1, 100), title: "new" }]);
    expect((await archive.recent(10)).map((x) => x.title)).toEqual(["new"]);
  });

  it("index entries past retention are not returned", async () => {
    let now = 1_000_000;
    const archive = new ArticleArchive(new Keyv(), { retentionDays: 1, now: () => now });
    await archive.put([a(1, 100)]);
    now += 2 * 86_400_000;
    expect(await archive.recent(10)).toEqual([]);
  });
});

describe("ArticleArchive shared by two instances", () => {
  it("a reader instance sees what the writer instance stored later", async () => {
    const store = new Keyv();
    const writer = new ArticleArchive(store);
    const reader = new ArticleArchive(store);
    await writer.put([a(1, 100)]);
    expect((await reader.recent(5)).map((x) => x.id)).toEqual(["f:1"]);
    await writer.put([a(2, 200)]);
    expect((await reader.recent(5)).map((x) => x.id)).toEqual(["f:2", "f:1"]);
  });
});
