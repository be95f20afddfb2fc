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
    // A second put within a second leaves the index write for later (at most a second; or flush()).
    expect((await reader.recent(5)).map((x) => x.id)).toEqual(["f:1"]);
    await writer.flush();
    expect((await reader.recent(5)).map((x) => x.id)).toEqual(["f:2", "f:1"]);
  });
});

describe("ArticleArchive during a poll round", () => {
  it("puts within a second write the recent index once, not once each, and lose no entry", async () => {
    const store = new Keyv();
    let indexWrites = 0;
    const set = store.set.bind(store);
    store.set = (key: string, value: unknown, ttl?: number) => {
      if (key === "__index:recent") indexWrites++;
      return set(key, value, ttl);
    };
    const archive = new ArticleArchive(store, { now: () => 5_000_000 });
    // 50 feeds' batches at once, one article of them put twice.
    await Promise.all([...Array.from({ length: 50 }, (_, i) => archive.put([a(i, 1000 + i)])), archive.put([{ ...a(7, 1007), title: "again" }])]);
    expect(indexWrites).toBe(1);
    await archive.flush();
    expect(indexWrites).toBe(2);
    const listed = await new ArticleArchive(store, { now: () => 5_000_000 }).recent(100);
    expect(listed.map((x) => x.id)).toEqual(Array.from({ length: 50 }, (_, i) => `f:${49 - i}`));
    expect(listed.find((x) => x.id === "f:7")?.title).toBe("again");
  });
});
