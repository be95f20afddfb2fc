// Feed pipeline figures: corpus parse throughput vs bare rss-parser, and event-loop delay while polling.
// Run: npx tsx bench/feeds.ts
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import Keyv from "keyv";
import Parser from "rss-parser";
import { ArticleArchive } from "../src/articles/archive.js";
import { createInlineProcessor, WorkerFeedProcessor, type FeedProcessor } from "../src/feeds/parse-pool.js";
import { processFeedBytes } from "../src/feeds/pipeline.js";
import { FeedScheduler } from "../src/feeds/scheduler.js";

const CORPUS = join(process.cwd(), "../shared/corpus/feeds");

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function syntheticFeed(items: number, bodyChars: number): Buffer {
  const body = `<p>${"Lorem ipsum dolor sit amet, <b>consectetur</b> &amp; adipiscing elit. ".repeat(Math.ceil(bodyChars / 70))}</p>`;
  const xs = Array.from(
    { length: items },
    (_, i) => `<item><title>Item ${i} 新闻标题</title><link>https://s.example/${i}</link><guid>g${i}</guid><pubDate>Tue, 05 Mar 2024 08:30:00 +0800</pubDate><description><![CDATA[${body}]]></description></item>`,
  );
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>S</title><link>https://s.example/</link>${xs.join("")}</channel></rss>`);
}

async function throughput(files: Buffer[], rounds: number): Promise<void> {
  const totalBytes = files.reduce((n, b) => n + b.byteLength, 0) * rounds;
  const parser = new Parser();
  const ctx = { feedId: "b", feedUrl: "https://bench.example/feed", nowMs: Date.now(), timeZone: "Asia/Shanghai" };
  // Warm up both paths once.
  for (const b of files) {
    await processFeedBytes(b, ctx).catch(() => undefined);
    await parser.parseString(b.toString("utf8")).catch(() => undefined);
  }
  // Rounds alternate between the two so that load from other processes hits both alike.
  let oursMs = 0;
  let bareMs = 0;
  // The same sums over the files bare parseString reads too (it throws early on many others,
  // such as gzip files, leading whitespace or HTML entities, which makes it look faster).
  let oursBothMs = 0;
  let bareBothMs = 0;
  const bareReads = await Promise.all(files.map((b) => parser.parseString(b.toString("utf8")).then(() => true, () => false)));
  for (let r = 0; r < rounds; r++) {
    for (const [i, b] of files.entries()) {
      const t0 = performance.now();
      await processFeedBytes(b, ctx).catch(() => undefined);
      const ms = performance.now() - t0;
      oursMs += ms;
      if (bareReads[i]) oursBothMs += ms;
    }
    for (const [i, b] of files.entries()) {
      const t0 = performance.now();
      await parser.parseString(b.toString("utf8")).catch(() => undefined);
      const ms = performance.now() - t0;
      bareMs += ms;
      if (bareReads[i]) bareBothMs += ms;
    }
  }
  const n = files.length * rounds;
  const row = (name: string, ms: number): string =>
    `${name.padEnd(34)} ${(n / (ms / 1000)).toFixed(1).padStart(8)} feeds/s ${(totalBytes / 1048576 / (ms / 1000)).toFixed(2).padStart(7)} MB/s`;
  console.log(`corpus throughput (${files.length} files × ${rounds} rounds, ${(totalBytes / rounds / 1048576).toFixed(2)} MB per round)`);
  console.log(row("newsdesk decode+parse+normalise", oursMs));
  console.log(row("rss-parser parseString (bare)", bareMs));
  console.log(`overhead ratio (ours / bare): ${(oursMs / bareMs).toFixed(2)}×`);
  const both = bareReads.filter(Boolean).length;
  console.log(`overhead ratio on the ${both} files bare parseString also reads: ${(oursBothMs / bareBothMs).toFixed(2)}×`);
}

async function eventLoopDelay(bodies: Buffer[], label: string, processor: FeedProcessor): Promise<void> {
  const server = createServer((req, res) => {
    const i = Number((req.url ?? "/0").slice(1)) % bodies.length;
    res.setHeader("content-type", "application/xml");
    res.end(bodies[i]);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const feeds = Array.from({ length: 200 }, (_, i) => ({ id: `f${i}`, url: `http://127.0.0.1:${port}/${i}`, name: `F${i}`, topics: [] }));
  const scheduler = new FeedScheduler({
    feeds,
    // One local host serves all 200 feeds, so the per-host limit is raised to the global one here.
    poll: { schedule: "*/10 * * * *", timeoutSeconds: 30, maxFeedBytes: 5 * 1048576, concurrency: 8, perHostConcurrency: 8, maxBackoffMinutes: 60, alertAfterMinutes: 30 },
    timeZone: "Asia/Shanghai",
    store: new Keyv(),
    archive: new ArticleArchive(new Keyv()),
    processor,
  });
  for (const phase of ["first poll (backlog)", "second poll (steady)"]) {
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const t0 = performance.now();
    const summary = await scheduler.pollAll();
    const ms = performance.now() - t0;
    h.disable();
    const p = (q: number): string => (h.percentile(q) / 1e6).toFixed(1);
    console.log(
      `${label.padEnd(26)} ${phase.padEnd(21)} 200 feeds in ${(ms / 1000).toFixed(2)} s (ok ${summary.ok}, failed ${summary.failed}); event-loop delay p50 ${p(50)} ms, p99 ${p(99)} ms, max ${(h.max / 1e6).toFixed(1)} ms`,
    );
  }
  await scheduler.stop();
  await processor.close();
  server.closeAllConnections();
  server.close();
}

/** Prints throughput and event-loop delay figures. */
export async function run(): Promise<void> {
  const corpusFiles = existsSync(CORPUS) ? walk(CORPUS).sort().map((f) => readFileSync(f)) : [];
  if (corpusFiles.length === 0) console.log(`corpus not found at ${CORPUS}: throughput uses synthetic feeds only`);
  const files = corpusFiles.length ? corpusFiles : Array.from({ length: 20 }, (_, i) => syntheticFeed(20 + i, 2000));
  await throughput(files, 5);

  // 200 polls: the corpus (or synthetic) bodies plus four ~4.5 MiB feeds that would block a main-thread parser.
  const big = syntheticFeed(1500, 3000);
  const bodies = [...files.slice(0, 46), big, ...files.slice(46, 96), big, ...files.slice(96), big, big];
  console.log(`event-loop delay while polling 200 feeds from 127.0.0.1 (bodies cycle through ${bodies.length}, 4 of ${(big.byteLength / 1048576).toFixed(1)} MiB)`);
  await eventLoopDelay(bodies, "worker threads (default)", new WorkerFeedProcessor());
  await eventLoopDelay(bodies, "inline (main thread)", createInlineProcessor());
}

if (process.argv[1]?.endsWith("feeds.ts")) {
  run().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
