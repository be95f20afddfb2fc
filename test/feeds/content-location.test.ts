import Keyv from "keyv";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ArticleArchive } from "../../src/articles/archive.js";
import type { Article } from "../../src/articles/article.js";
import { fetchFeed } from "../../src/feeds/fetch.js";
import { createInlineProcessor } from "../../src/feeds/parse-pool.js";
import { FeedScheduler } from "../../src/feeds/scheduler.js";
import { TestServer } from "./server.js";

const server = new TestServer();
let guid = 1;
beforeAll(async () => {
  await server.start();
  server.routes.set("/moved", (_req, res) => {
    // The feed says where it really lives; its links are relative to that, not to the URL polled.
    res.setHeader("content-type", "application/rss+xml");
    res.setHeader("content-location", "https://mirror.example.org/news/feed.xml");
    const n = guid++;
    res.end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Moved</title>` +
      `<item><guid>g${n}</guid><title>Relative link story ${n}</title><link>a/${n}.html</link></item></channel></rss>`);
  });
});
afterAll(() => server.stop());

it("fetch reports the Content-Location header", async () => {
  const res = await fetchFeed(server.url("/moved"), { timeoutMs: 2000 });
  expect(res).toMatchObject({ status: "ok", contentLocation: "https://mirror.example.org/news/feed.xml" });
});

it("a polled feed's relative links resolve against its Content-Location (RFC 3986 §5.1.2)", async () => {
  const delivered: Article[] = [];
  const scheduler = new FeedScheduler({
    feeds: [{ id: "moved", url: server.url("/moved"), name: "M", topics: [] }],
    poll: { schedule: "*/10 * * * *", timeoutSeconds: 2, maxFeedBytes: 1 << 20, concurrency: 2, perHostConcurrency: 1, maxBackoffMinutes: 60, alertAfterMinutes: 30 },
    timeZone: "UTC",
    store: new Keyv(),
    archive: new ArticleArchive(new Keyv()),
    processor: createInlineProcessor(),
    onNewArticles: (_feed, articles) => void delivered.push(...articles),
  });
  await scheduler.pollAll(); // first poll: archived
  await scheduler.pollAll();
  expect(delivered.map((a) => a.link)).toEqual([`https://mirror.example.org/news/a/${guid - 1}.html`]);
  await scheduler.stop();
});
