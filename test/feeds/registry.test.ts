import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Keyv from "keyv";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ArticleArchive } from "../../src/articles/archive.js";
import type { Article } from "../../src/articles/article.js";
import { FeedError } from "../../src/feeds/errors.js";
import { createInlineProcessor } from "../../src/feeds/parse-pool.js";
import { DuplicateFeed, FeedRegistry, idFromUrl } from "../../src/feeds/registry.js";
import { FeedScheduler, type FeedConfig, type PollConfig } from "../../src/feeds/scheduler.js";
import { openStore, type Store } from "../../src/store/index.js";
import { rss } from "./helpers.js";
import { TestServer } from "./server.js";

const seed: FeedConfig[] = [
  { id: "local", url: "https://news.example.com/rss", name: "威海日报", topics: ["energy"] },
  { id: "wire", url: "https://wire.example.org/feed", name: "Wire", topics: [] },
];

let dir: string;
let store: Store;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "newsdesk-registry-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await store.close();
});

async function freshStore(name: string): Promise<Store> {
  store = await openStore(`sqlite://${join(dir, `${name}.sqlite`)}`);
  return store;
}

describe("FeedRegistry: the YAML seeds it, chat edits persist and win", () => {
  it("lists the seed, adds from chat after it, and keeps everything across a new registry on the same store", async () => {
    const s = await freshStore("persist");
    const registry = new FeedRegistry(s, seed);
    expect((await registry.list()).map((f) => [f.id, f.origin, f.paused, f.trusted])).toEqual([
      ["local", "config", false, true],
      ["wire", "config", false, true],
    ]);
    const added = await registry.add({ url: "https://www.guancha.example.cn/rss/all.xml", name: "观察", topics: ["travel"] }, { by: 9001 });
    expect(added).toMatchObject({ id: "guancha-example-cn", origin: "chat", trusted: false, topics: ["travel"] });
    await registry.setPaused("wire", true);
    await registry.setPaused("guancha-example-cn", true);
    await registry.setPaused("guancha-example-cn", false);

    const again = new FeedRegistry(s, seed);
    expect((await again.list()).map((f) => [f.id, f.paused])).toEqual([
      ["local", false],
      ["wire", true],
      ["guancha-example-cn", false],
    ]);
    expect((await again.active()).map((f) => f.id)).toEqual(["local", "guancha-example-cn"]);
  });

  it("a YAML feed removed from chat stays removed; a chat record wins over a YAML feed of the same id", async () => {
    const s = await freshStore("wins");
    const registry = new FeedRegistry(s, seed);
    expect(await registry.remove("wire")).toMatchObject({ id: "wire" });
    const chatAdded = await registry.add({ url: "https://other.example.net/atom", name: "Other", topics: [], id: "other" });
    // A later YAML names both ids: the removal and the chat's definition win.
    const laterSeed = [...seed, { id: "other", url: "https://yaml.example/other.xml", name: "YAML other", topics: [] }];
    const later = new FeedRegistry(s, laterSeed);
    const list = await later.list();
    expect(list.map((f) => f.id)).toEqual(["local", "other"]);
    expect(list[1]).toMatchObject({ url: chatAdded.url, name: "Other", origin: "chat" });
    expect(await later.remove("nope")).toBeUndefined();
    expect(await later.setPaused("wire", true)).toBeUndefined();
  });

  it("keeps the order feeds were added in, even within one millisecond (an OPML import keeps the file's order)", async () => {
    const registry = new FeedRegistry(await freshStore("order"), [], { now: () => 1_000 });
    for (const host of ["zeta.example", "alpha.example", "mid.example"]) await registry.add({ url: `https://${host}/rss`, name: host, topics: [] });
    expect((await registry.list()).map((f) => f.id)).toEqual(["zeta-example", "alpha-example", "mid-example"]);
  });

  it("refuses a URL already there (scheme, case and trailing slash aside) and gives unique ids", async () => {
    const s = await freshStore("dupes");
    const registry = new FeedRegistry(s, seed);
    const dup = await registry.add({ url: "http://NEWS.example.com/rss/", name: "x", topics: [] }).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(DuplicateFeed);
    expect((dup as DuplicateFeed).existing.id).toBe("local");
    const a = await registry.add({ url: "https://news.example.com/other", name: "a", topics: [] });
    const b = await registry.add({ url: "https://news.example.com/third", name: "b", topics: [], id: "local" });
    expect([a.id, b.id]).toEqual(["news-example-com", "local-2"]);
    // A removed chat feed frees its id for the same host again.
    await registry.remove(a.id);
    expect((await registry.add({ url: "https://news.example.com/other", name: "a", topics: [] })).id).toBe("news-example-com");
    expect(idFromUrl("http://127.0.0.1:8080/feed.xml")).toBe("127-0-0-1");
  });
});

describe("FeedScheduler over a live registry", () => {
  const server = new TestServer();
  let items: Array<{ title: string; link: string }> = [];
  const poll: PollConfig = { schedule: "*/10 * * * *", timeoutSeconds: 2, maxFeedBytes: 1 << 20, concurrency: 4, perHostConcurrency: 2, maxBackoffMinutes: 60, alertAfterMinutes: 30 };
  beforeAll(async () => {
    await server.start();
    server.routes.set("/news", (_req, res) => {
      res.setHeader("content-type", "application/rss+xml; charset=utf-8");
      res.end(rss(items));
    });
    server.routes.set("/page", (_req, res) => {
      res.setHeader("content-type", "text/html");
      res.end("<!doctype html><html><body>hello</body></html>");
    });
  });
  afterAll(() => server.stop());

  function scheduler(registry: FeedRegistry, allowHosts: string[]) {
    const delivered: string[] = [];
    const s = new FeedScheduler({
      feeds: registry,
      poll: { ...poll, allowHosts },
      timeZone: "Asia/Shanghai",
      store: new Keyv(),
      archive: new ArticleArchive(new Keyv()),
      processor: createInlineProcessor(),
      pollIntervalMs: 60_000,
      onNewArticles: (feed, articles: Article[]) => void delivered.push(...articles.map((a) => `${feed.id}:${a.title}`)),
    });
    return { s, delivered };
  }

  it("polls a feed added between rounds (first poll archives its backlog), stops polling it when paused", async () => {
    const registry = new FeedRegistry(await freshStore("live"), []);
    const { s, delivered } = scheduler(registry, ["127.0.0.1"]);
    expect(await s.pollAll()).toMatchObject({ polled: 0 });
    items = [{ title: "Backlog story one", link: "https://n.example/1" }];
    await registry.add({ url: server.url("/news"), name: "Local", topics: [] });
    expect(await s.pollAll()).toMatchObject({ polled: 1, ok: 1, newArticles: 0 });
    items = [{ title: "Fresh story two", link: "https://n.example/2" }, ...items];
    expect(await s.pollAll()).toMatchObject({ polled: 1, newArticles: 1 });
    expect(delivered).toEqual(["127-0-0-1:Fresh story two"]);

    await registry.setPaused("127-0-0-1", true);
    const requests = server.requests.length;
    expect(await s.pollAll()).toMatchObject({ polled: 0 });
    expect(server.requests.length).toBe(requests);
    expect((await s.health()).map((h) => h.feedId)).toEqual(["127-0-0-1"]);
    await s.stop();
  });

  it("checks a feed added from chat like a redirect target on every poll: an internal host needs poll.allowHosts", async () => {
    const registry = new FeedRegistry(await freshStore("ssrf"), []);
    await registry.add({ url: server.url("/news"), name: "Internal", topics: [] });
    const { s } = scheduler(registry, []);
    const before = server.requests.length;
    const summary = await s.pollAll();
    expect(summary.errors).toEqual([expect.objectContaining({ kind: "bad-url" })]);
    expect(server.requests.length).toBe(before);
    await s.stop();
  });

  it("probe() fetches a URL once through the pipeline: title, items, encoding; refuses internal hosts and non-feeds", async () => {
    items = [{ title: "Story A here", link: "https://n.example/a" }, { title: "Story B here", link: "https://n.example/b" }];
    const allowed = scheduler(new FeedRegistry(await freshStore("probe"), []), ["127.0.0.1"]).s;
    expect(await allowed.probe(server.url("/news"))).toEqual({ url: server.url("/news"), title: "T", encoding: "utf-8", items: 2 });
    const notFeed = await allowed.probe(server.url("/page")).catch((e: unknown) => e);
    expect(notFeed).toBeInstanceOf(FeedError);
    expect((notFeed as FeedError).kind).toBe("not-a-feed");
    const refused = scheduler(new FeedRegistry(store, []), []).s;
    const err = await refused.probe(server.url("/news")).catch((e: unknown) => e);
    expect((err as FeedError).kind).toBe("bad-url");
    await allowed.stop();
    await refused.stop();
  });
});
