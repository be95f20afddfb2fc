import Keyv from "keyv";
import type { ScheduledTask } from "node-cron";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Article } from "../../src/articles/article.js";
import { ArticleArchive } from "../../src/articles/archive.js";
import type { FeedHealth } from "../../src/feeds/health.js";
import { createInlineProcessor } from "../../src/feeds/parse-pool.js";
import { FeedScheduler, type FeedConfig, type PollConfig, type SchedulerDeps } from "../../src/feeds/scheduler.js";
import { rss } from "./helpers.js";
import { TestServer } from "./server.js";

const server = new TestServer();
let items: Array<{ title: string; link: string; guid?: string }> = [];
let failing = false;
let inFlight = 0;
let maxInFlight = 0;

beforeAll(async () => {
  await server.start();
  server.routes.set("/news", (_req, res) => {
    if (failing) {
      res.statusCode = 503;
      res.end();
      return;
    }
    res.setHeader("content-type", "application/rss+xml");
    res.end(rss(items));
  });
  server.routes.set("/slow", (_req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight--;
      res.end(rss([{ title: "Slow item here", link: "https://slow.example/1" }]));
    }, 50);
  });
  server.routes.set("/never", () => undefined);
});
afterAll(() => server.stop());

const poll: PollConfig = { schedule: "*/10 * * * *", timeoutSeconds: 2, maxFeedBytes: 1 << 20, concurrency: 8, perHostConcurrency: 2, maxBackoffMinutes: 60, alertAfterMinutes: 30 };
const MIN = 60_000;

function setup(feeds: FeedConfig[], over: Partial<SchedulerDeps> = {}) {
  let now = Date.UTC(2024, 2, 10);
  const events: string[] = [];
  const delivered: Article[][] = [];
  const downs: FeedHealth[] = [];
  const archive = new ArticleArchive(new Keyv());
  const scheduler = new FeedScheduler({
    feeds,
    poll,
    timeZone: "Asia/Shanghai",
    store: new Keyv(),
    archive,
    processor: createInlineProcessor(),
    now: () => now,
    pollIntervalMs: 10 * MIN,
    onNewArticles: (feed, articles) => {
      events.push(`new:${feed.id}:${articles.length}`);
      delivered.push(articles);
    },
    onFeedDown: (feed, health) => {
      events.push(`down:${feed.id}`);
      downs.push(health);
    },
    onFeedRecovered: (feed) => {
      events.push(`up:${feed.id}`);
    },
    ...over,
  });
  return { scheduler, events, delivered, downs, archive, advance: (ms: number) => (now += ms), nowMs: () => now };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!cond()) throw new Error("condition not met in time");
}

afterEach(() => {
  failing = false;
  items = [];
});

describe("FeedScheduler", () => {
  it("first poll archives the backlog silently; later polls deliver each new item once", async () => {
    const feed = { id: "news", url: server.url("/news"), name: "News", topics: ["local"] };
    const t = setup([feed]);
    items = [{ title: "Old story one", link: "https://n.example/1" }, { title: "Old story two", link: "https://n.example/2" }];
    const first = await t.scheduler.pollAll();
    expect(first).toMatchObject({ polled: 1, ok: 1, newArticles: 0 });
    expect(t.events).toEqual([]);
    expect((await t.archive.recent(10)).length).toBe(2);

    items = [{ title: "Fresh story three", link: "https://n.example/3" }, ...items.reverse()];
    t.advance(10 * MIN);
    expect(await t.scheduler.pollDue()).toMatchObject({ newArticles: 1 });
    expect(t.delivered[0]!.map((a) => a.title)).toEqual(["Fresh story three"]);
    expect(t.delivered[0]![0]!.topics).toEqual(["local"]);
    t.advance(10 * MIN);
    await t.scheduler.pollDue();
    expect(t.events).toEqual(["new:news:1"]);
    const [health] = await t.scheduler.health();
    expect(health).toMatchObject({ status: "ok", items: 3, consecutiveFailures: 0 });
    await t.scheduler.stop();
  });

  it("backs off exponentially (capped), alerts once after alertAfter, and reports recovery", async () => {
    const feed = { id: "news", url: server.url("/news"), name: "News", topics: [] };
    const t = setup([feed]);
    items = [{ title: "Story", link: "https://n.example/1" }];
    await t.scheduler.pollAll();
    failing = true;
    const gaps: number[] = [];
    for (let i = 0; i < 9; i++) {
      const start = t.nowMs();
      const s = await t.scheduler.pollAll();
      expect(s.errors[0]).toMatchObject({ feedId: "news", kind: "http-status" });
      const [h] = await t.scheduler.health();
      gaps.push((h!.nextPollAt - start) / MIN);
      t.advance(h!.nextPollAt - start);
    }
    expect(gaps).toEqual([10, 20, 40, 60, 60, 60, 60, 60, 60]);
    expect(t.events.filter((e) => e === "down:news")).toHaveLength(1);
    expect(t.downs[0]).toMatchObject({ status: "backoff", lastErrorKind: "http-status", lastErrorStatus: 503 });
    failing = false;
    t.advance(60 * MIN);
    await t.scheduler.pollDue();
    expect(t.events.at(-1)).toBe("up:news");
    expect((await t.scheduler.health())[0]).toMatchObject({ status: "ok", consecutiveFailures: 0, downAlerted: false });
    await t.scheduler.stop();
  });

  it("skips feeds in backoff on scheduled runs", async () => {
    const t = setup([{ id: "news", url: server.url("/news"), name: "N", topics: [] }]);
    failing = true;
    await t.scheduler.pollAll();
    await t.scheduler.pollAll();
    t.advance(5 * MIN);
    expect(await t.scheduler.pollDue()).toMatchObject({ polled: 0, skipped: 1 });
    await t.scheduler.stop();
  });

  it("bounds per-host concurrency, and a hanging feed does not hold up the others", async () => {
    const feeds = Array.from({ length: 6 }, (_, i) => ({ id: `s${i}`, url: server.url(`/slow?${i}`), name: "S", topics: [] }));
    feeds.push({ id: "stuck", url: server.url("/never"), name: "X", topics: [] });
    const t = setup(feeds, { poll: { ...poll, timeoutSeconds: 1 } });
    maxInFlight = 0;
    const summary = await t.scheduler.pollAll();
    expect(maxInFlight).toBeLessThanOrEqual(2);
    expect(summary).toMatchObject({ polled: 7, ok: 6, failed: 1 });
    expect(summary.errors).toEqual([expect.objectContaining({ feedId: "stuck", kind: "timeout" })]);
    await t.scheduler.stop();
  });

  it("never runs two polls at once and wires node-cron with the configured zone", async () => {
    let captured: (() => Promise<void>) | undefined;
    let options: unknown;
    const fakeTask = { stop: () => undefined, getNextRuns: () => [new Date(0), new Date(15 * MIN)] } as unknown as ScheduledTask;
    const t = setup([{ id: "news", url: server.url("/news"), name: "N", topics: [] }], {
      scheduleCron: (_expr, fn, opts) => {
        captured = fn;
        options = opts;
        return fakeTask;
      },
      pollIntervalMs: undefined,
    });
    items = [{ title: "Story", link: "https://n.example/1" }];
    t.scheduler.start();
    expect(options).toMatchObject({ timezone: "Asia/Shanghai", noOverlap: true });
    const a = t.scheduler.pollAll();
    const b = t.scheduler.pollAll();
    const c = t.scheduler.pollAll();
    expect(b).not.toBe(a); // asked during a round: a new one follows it
    expect(c).toBe(b); // … shared by everyone who asked meanwhile
    await Promise.all([a, b, captured!()]);
    const [h] = await t.scheduler.health();
    // Interval learnt from the cron schedule (15 min between runs).
    expect(h!.nextPollAt - h!.lastPollAt!).toBeLessThanOrEqual(15 * MIN);
    expect(h!.nextPollAt).toBeGreaterThan(t.nowMs() + 14 * MIN);
    await t.scheduler.stop();
  });

  it("/poll during a round polls again after it: items published after the round fetched are found", async () => {
    let release: (() => void) | undefined;
    let requests = 0;
    server.routes.set("/gated", (_req, res) => {
      requests++;
      const body = rss(items);
      if (requests === 2) release = () => res.end(body);
      else res.end(body);
    });
    const t = setup([{ id: "gated", url: server.url("/gated"), name: "G", topics: [] }]);
    items = [{ title: "Story one", link: "https://n.example/1" }];
    await t.scheduler.pollAll(); // first poll: archived
    items = [{ title: "Story two", link: "https://n.example/2" }, ...items];
    const round = t.scheduler.pollAll();
    await until(() => release !== undefined);
    // Fetched before this story existed; then staff ask for a poll.
    const fetched = release!;
    items = [{ title: "Story three", link: "https://n.example/3" }, ...items];
    const staff = t.scheduler.pollAll();
    fetched();
    expect(await round).toMatchObject({ newArticles: 1 });
    expect(await staff).toMatchObject({ polled: 1, newArticles: 1 });
    expect(t.delivered.flat().map((a) => a.title)).toEqual(["Story two", "Story three"]);
    await t.scheduler.stop();
  });

  it("a failed hand-off is logged, not fatal, and its articles stay new until one succeeds", async () => {
    const errors: string[] = [];
    const logger = { info: () => undefined, debug: () => undefined, warn: () => undefined, error: (_o: object, m?: string) => void errors.push(m ?? "") };
    let failing = true;
    const handed: string[] = [];
    const t = setup([{ id: "news", url: server.url("/news"), name: "N", topics: [] }], {
      logger,
      onNewArticles: (_feed: unknown, articles: Array<{ title: string }>) => {
        if (failing) throw new Error("boom");
        handed.push(...articles.map((a) => a.title));
      },
    });
    items = [{ title: "Story one", link: "https://n.example/1" }];
    await t.scheduler.pollAll();
    items.push({ title: "Story two", link: "https://n.example/2" });
    expect(await t.scheduler.pollAll()).toMatchObject({ ok: 1, newArticles: 1 });
    expect(errors).toContain("hand-off of new articles failed; they stay new");
    failing = false;
    expect(await t.scheduler.pollAll()).toMatchObject({ ok: 1, newArticles: 1 });
    expect(handed).toEqual(["Story two"]);
    expect(await t.scheduler.pollAll()).toMatchObject({ ok: 1, newArticles: 0 });
    await t.scheduler.stop();
  });
});
