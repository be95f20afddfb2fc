import { afterAll, describe, expect, it } from "vitest";
import { FeedError } from "../../src/feeds/errors.js";
import { WorkerFeedProcessor, workerEntry } from "../../src/feeds/parse-pool.js";
import { fixture, NOW_MS, rss } from "./helpers.js";

const ctx = { feedId: "w", feedUrl: "https://w.example/feed", nowMs: NOW_MS, timeZone: "UTC" };
const pool = new WorkerFeedProcessor({ workers: 2 });
afterAll(() => pool.close());

describe("WorkerFeedProcessor (worker threads)", () => {
  it("runs the TS worker source here (vitest) via the tsx bootstrap", () => {
    expect(workerEntry().eval).toBe(true);
  });

  it("parses in a worker and returns articles", async () => {
    const { articles } = await pool.process(fixture("rss-basic.xml"), ctx);
    expect(articles.map((a) => a.title)).toContain("Harbour bridge reopens");
  });

  it("carries FeedError kinds across the thread boundary", async () => {
    await expect(pool.process(fixture("entity-bomb.xml"), ctx)).rejects.toMatchObject({ kind: "hostile-xml" });
    await expect(pool.process(fixture("not-a-feed.html"), ctx)).rejects.toBeInstanceOf(FeedError);
  });

  it("handles many jobs in parallel and leaves the caller's buffer intact", async () => {
    const bytes = fixture("atom-basic.xml");
    const results = await Promise.all(Array.from({ length: 10 }, () => pool.process(bytes, ctx)));
    expect(results.every((r) => r.articles.length === 2)).toBe(true);
    expect(bytes.toString()).toContain("<feed");
  });

  it("kills a parse that overruns its budget, then keeps working", async () => {
    const big = Buffer.from(rss(Array.from({ length: 20_000 }, (_, i) => ({ title: `Item ${i} <b>x</b>`, link: `https://w.example/${i}` }))));
    const strict = new WorkerFeedProcessor({ workers: 1, jobTimeoutMs: 1 });
    await expect(strict.process(big, ctx)).rejects.toMatchObject({ kind: "timeout" });
    await strict.close();
    const { articles } = await pool.process(big, ctx);
    expect(articles).toHaveLength(20_000);
  });
});
