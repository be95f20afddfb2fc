/**
 * Surge benchmark (issue 12, item 6): a busy news hour as readers live it, through the real app.
 *
 * createApp on a SQLite store in a temp dir, against the Bot API double with Telegram's limits ON
 * (30/s in all, 1/s per private chat with a burst of 3) and a local feed server. N reader chats are
 * seeded on one topic straight into the store (half "en", half "zh-CN") before start. A first poll
 * archives a small backlog (nothing is sent); then `articles` new matching items go into the feed
 * and one pollAll() runs: t0 = when that poll returned. From then on every accepted
 * sendMessage/sendPhoto to a reader is parsed (text or caption, HTML) for `href="…"` links to the
 * new articles; a (reader, article) pair is done the first time a message to that reader links the
 * article (a headline, a "read more" or a related link all count). Times are the double's arrival
 * times of the accepted calls.
 *
 * Scenarios
 *   a-on   400 readers × 20 articles, delivery.bundle.enabled: true
 *   a-off  400 readers × 20 articles, delivery.bundle.enabled: false (one full message per article
 *          per reader: today's behaviour)
 *   b      10,000 readers × 20 articles, bundling on; plus a PROJECTION (not a measurement) for
 *          coalescing off from a-off's measured msg/s (or --off-rate R)
 *   c      one article to 500 readers, config defaults, full format expected; msg/s as a share of 30/s
 *   a      = a-on and a-off
 *
 * Run (either form):
 *   npm run bench -- surge [options]
 *   npx tsx bench/surge.ts [options]
 * Options:
 *   --scenarios a,b,c      which ones, comma separated (a-on, a-off, a, b, c); default a,b,c
 *   --readers N            readers of every chosen scenario (quick runs: --readers 60)
 *   --articles N           new articles of a and b (default 20)
 *   --backlog N            items archived by the first poll (default 5)
 *   --timeout S            give up on a scenario after S s from t0 (default 3 × its floor + 120 s,
 *                          the floor being messages needed ÷ 30/s)
 *   --off-rate R           msg/s for b's coalescing-off projection when a-off is not run
 * Note: the double, the feed server and the app share this one process, so peak RSS is the sum of
 * all three (plus what earlier scenarios of the same run left on the heap).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { loadConfig } from "../config/load.js";
import { createApp, type App } from "../src/app.js";
import { ChatRepo } from "../src/chats/repo.js";
import { NS } from "../src/store/keys.js";
import { openStore } from "../src/store/index.js";
import { startBotApiDouble, type ApiCall, type BotApiDouble } from "../test/support/bot-api-double.js";
import { startFeedServer, type FeedItem, type FeedServer } from "../test/support/feed-server.js";
import { LinkTracker, arg, escapeHtml, madeUpItem, mb, numArg, percentile, s } from "./_surge-common.js";

const TOKEN = "771212:AASurgeBenchTokenXYZ_0123456789";
const NEWSROOM = -1_002_999_000_012;
const TOPIC = "energy";
const GLOBAL_LIMIT = 30;
const FIRST_READER = 500_000_001;

// ---------- command line ----------

interface Scenario {
  key: string;
  title: string;
  readers: number;
  articles: number;
  /** true / false: delivery.bundle.enabled; undefined: the config default. */
  bundle: boolean | undefined;
  /** Check that every reader's first message is the article in its full format (scenario c). */
  expectFull: boolean;
}

interface Result {
  scenario: Scenario;
  complete: boolean;
  /** Messages to readers, accepted. */
  messages: number;
  msgPerSecond: number;
  allLinksMs: number;
  p50Ms: number;
  p95Ms: number;
  rejected429: number;
  peakRssBytes: number;
}

/** The links, plus when each article's own full-format message arrived. */
class Tracker extends LinkTracker {
  /** First message whose headline is the article's own bold title (the full format). */
  readonly ownMessageAt: Float64Array;
  own = 0;
  fullFormatFirst = 0;
  private readonly articleByHeadline = new Map<string, number>();
  private readonly urls: string[];

  constructor(
    double: BotApiDouble,
    readerIds: number[],
    items: FeedItem[],
    private readonly expectFull: boolean,
  ) {
    super(double, readerIds, items);
    this.urls = items.map((it) => it.link);
    items.forEach((it, j) => this.articleByHeadline.set(`<b>${escapeHtml(it.title)}</b>`, j));
    this.ownMessageAt = new Float64Array(readerIds.length * items.length).fill(NaN);
  }

  protected override seen(call: ApiCall, r: number, html: string): void {
    const articles = this.urls.length;
    const j = this.articleByHeadline.get(html.split("\n")[0] ?? "");
    if (j === undefined || !Number.isNaN(this.ownMessageAt[r * articles + j]!)) return;
    this.ownMessageAt[r * articles + j] = call.at;
    this.own++;
    // Full format: headline, and the article's own link in the same message.
    if (this.expectFull && this.perReader[r] === 1 && html.includes(`href="${escapeHtml(this.urls[j]!)}"`)) this.fullFormatFirst++;
  }
}

// ---------- one scenario ----------

async function seedReaders(store: Awaited<ReturnType<typeof openStore>>, ids: number[]): Promise<void> {
  const repo = new ChatRepo(store.namespace(NS.chats));
  const batch = 50;
  for (let i = 0; i < ids.length; i += batch) {
    await Promise.all(
      ids.slice(i, i + batch).map(async (id, k) => {
        await repo.ensure(id, "private");
        await repo.subscribe(id, TOPIC);
        await repo.update(id, (r) => {
          r.lang = (i + k) % 2 === 0 ? "en" : "zh-CN";
        });
      }),
    );
  }
}

async function runScenario(sc: Scenario, opts: { backlog: number; timeoutS: number | undefined }): Promise<Result> {
  const messagesNeeded = sc.bundle === false ? sc.readers * sc.articles : sc.readers;
  const floorS = sc.readers / GLOBAL_LIMIT;
  const boundS = opts.timeoutS ?? Math.ceil(3 * (messagesNeeded / GLOBAL_LIMIT) + 120);
  const bundleLabel = sc.bundle === undefined ? "config default" : `bundle.enabled: ${sc.bundle}`;
  console.log(`\n--- ${sc.key}: ${sc.title} — ${sc.readers} readers × ${sc.articles} article(s), ${bundleLabel} ---`);

  let peakRss = process.memoryUsage().rss;
  const rssAtStart = peakRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 500);
  const runTag = `${sc.key}-${Date.now().toString(36)}`;
  const dir = mkdtempSync(join(tmpdir(), "newsdesk-bench-surge-"));
  let double: BotApiDouble | undefined;
  let feed: FeedServer | undefined;
  let app: App | undefined;
  const warnings: string[] = [];
  try {
    double = await startBotApiDouble({ token: TOKEN }); // Telegram's limits: on by default
    const backlogAt = Date.now() - 2 * 3600_000;
    const backlog = Array.from({ length: opts.backlog }, (_, i) => madeUpItem(1000 + i, `surge-${runTag}`, new Date(backlogAt + i * 60_000)));
    feed = await startFeedServer(backlog);
    const delivery = sc.bundle === undefined ? "{}" : `{ bundle: { enabled: ${sc.bundle} } }`;
    const yaml = [
      "name: 浪涌测试日报",
      "poll: { schedule: '0 0 1 1 *', atStart: false }",
      `feeds: [{ id: surge, url: '${feed.url()}', name: 海滨新能源报 }]`,
      "topics:",
      `  - { id: ${TOPIC}, name: 新能源, keywords: [新能源, 光伏, solar] }`,
      "  - { id: travel, name: 旅游, keywords: [旅游, travel] }",
      `newsroom: { chatId: ${NEWSROOM}, admins: [] }`,
      `delivery: ${delivery}`,
      "http: { port: 0 }",
    ].join("\n");
    const loaded = loadConfig({ BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: double.apiRoot, NEWSDESK_CONFIG: "surge.yaml" }, () => yaml);
    if (!loaded.ok) throw new Error(`config refused:\n${loaded.problems.join("\n")}`);

    const store = await openStore(`sqlite://${join(dir, "store.sqlite")}`);
    const readerIds = Array.from({ length: sc.readers }, (_, i) => FIRST_READER + i);
    let t = Date.now();
    await seedReaders(store, readerIds);
    console.log(`seeded ${sc.readers} readers in ${s(Date.now() - t)} s`);

    const logger = pino({ level: "warn" }, { write: (line: string) => void warnings.push(line) });
    t = Date.now();
    const started = await createApp({ config: loaded.config, logger, store });
    app = started;
    await started.start();
    while (!double.isLongPolling()) await pause(20);
    const first = await started.scheduler.pollAll();
    if (first.ok !== 1 || first.newArticles !== 0) throw new Error(`first poll: expected the backlog archived quietly, got ${JSON.stringify(first)}`);
    await started.delivery.whenIdle();
    console.log(`app up and backlog of ${opts.backlog} archived in ${s(Date.now() - t)} s`);

    // The surge: new items, newest first as feeds list them.
    const nowMs = Date.now();
    const fresh = Array.from({ length: sc.articles }, (_, i) => madeUpItem(i + 1, `surge-${runTag}`, new Date(nowMs - (sc.articles - i) * 1000)));
    const tracker = new Tracker(double, readerIds, fresh, sc.expectFull);
    tracker.skipToNow();
    const base429 = double.stats().rejected429;
    feed.items.unshift(...[...fresh].reverse());
    const pollStart = Date.now();
    const second = await started.scheduler.pollAll();
    const t0 = Date.now();
    console.log(`surge poll: ${second.newArticles} new article(s), poll took ${s(t0 - pollStart)} s; t0 = its return; bound ${boundS} s (floor ${s(floorS * 1000)} s)`);
    if (second.newArticles !== sc.articles) console.log(`  WARNING: expected ${sc.articles} new articles`);

    let idle = false;
    void started.delivery.whenIdle().then(() => (idle = true));
    let allLinksAt = NaN;
    let lastProgress = t0;
    let lastMsgSeen = t0;
    let lastCount = 0;
    let complete = false;
    let reason = "";
    for (;;) {
      await pause(200);
      tracker.scan();
      const now = Date.now();
      if (tracker.messages !== lastCount) {
        lastCount = tracker.messages;
        lastMsgSeen = now;
      }
      if (Number.isNaN(allLinksAt) && tracker.covered === tracker.pairs) allLinksAt = tracker.lastMsgAt;
      const st = started.delivery.stats();
      const drained = idle && st.pending === 0 && st.inFlight === 0;
      if (drained && tracker.covered === tracker.pairs) {
        complete = true;
        break;
      }
      if (drained && now - lastMsgSeen > 10_000) {
        reason = `queue drained with ${tracker.pairs - tracker.covered} (reader, article) pairs never linked`;
        break;
      }
      if (now - t0 > boundS * 1000) {
        reason = `incomplete after ${boundS} s`;
        break;
      }
      if (now - lastProgress >= 30_000) {
        lastProgress = now;
        console.log(
          `  t0+${s(now - t0)} s: pairs linked ${tracker.covered}/${tracker.pairs}, messages ${tracker.messages}, 429s ${double.stats().rejected429 - base429}, pending ${st.pending}, in flight ${st.inFlight}`,
        );
      }
    }
    tracker.scan();
    const rejected429 = double.stats().rejected429 - base429;
    if (process.env.SURGE_DEBUG_429) console.log("first sends:", double.calls.filter((x) => x.method === "sendMessage").slice(0, 34).map((x) => `${x.at - t0}${x.ok ? "" : "!"}`).join(" "));
    if (process.env.SURGE_DEBUG_429) for (const c of double.calls.filter((x) => !x.ok && x.errorCode === 429)) console.log("429:", c.method, c.params.chat_id, c.at - t0);
    const dstats = started.delivery.stats();

    const lat = Array.from(tracker.firstLinkAt)
      .filter((v) => !Number.isNaN(v))
      .map((v) => v - t0)
      .sort((x, y) => x - y);
    const ownLat = Array.from(tracker.ownMessageAt)
      .filter((v) => !Number.isNaN(v))
      .map((v) => v - t0)
      .sort((x, y) => x - y);
    const perReader = Array.from(tracker.perReader);
    const meanPerReader = perReader.reduce((a, b) => a + b, 0) / Math.max(1, perReader.length);
    const maxPerReader = perReader.reduce((a, b) => Math.max(a, b), 0);
    const spanMs = tracker.lastMsgAt - tracker.firstMsgAt;
    const msgPerSecond = tracker.messages > 1 && spanMs > 0 ? (tracker.messages - 1) / (spanMs / 1000) : NaN;
    const drainMs = tracker.lastMsgAt - t0;
    const allLinksMs = Number.isNaN(allLinksAt) ? NaN : allLinksAt - t0;
    const partial = tracker.covered < tracker.pairs ? ` (of the ${tracker.covered} linked pairs only)` : "";

    if (!complete) console.log(`*** ${sc.key}: ${reason} — figures below are partial ***`);
    console.log(`every reader has every article's link: ${complete || !Number.isNaN(allLinksAt) ? `${s(allLinksMs)} s after t0` : `NO — ${tracker.pairs - tracker.covered} of ${tracker.pairs} pairs missing`}`);
    console.log(`latency per (reader, article) from t0: p50 ${s(percentile(lat, 50))} s, p95 ${s(percentile(lat, 95))} s, max ${s(lat.at(-1) ?? NaN)} s${partial}`);
    if (ownLat.length > 0)
      console.log(`  the article's own full-format message: ${ownLat.length}/${tracker.pairs} pairs, p50 ${s(percentile(ownLat, 50))} s, p95 ${s(percentile(ownLat, 95))} s`);
    console.log(`messages per reader: mean ${meanPerReader.toFixed(2)}, max ${maxPerReader} (total ${tracker.messages}; last one ${s(drainMs)} s after t0)`);
    console.log(`effective rate: ${msgPerSecond.toFixed(1)} msg/s = ${((msgPerSecond / GLOBAL_LIMIT) * 100).toFixed(0)}% of ${GLOBAL_LIMIT}/s (first to last accepted message)`);
    console.log(`429s from the double: ${rejected429}; delivery: dead-lettered ${dstats.deadLettered}, dropped ${dstats.dropped}, failed attempts ${dstats.failed}`);
    if (sc.expectFull) console.log(`full format (own bold headline + own link, as the reader's first message): ${tracker.fullFormatFirst}/${sc.readers} readers`);
    console.log(`physical floor: ${sc.readers} readers ÷ ${GLOBAL_LIMIT}/s = ${s(floorS * 1000)} s` + (sc.bundle === false ? `; one message per article: ${messagesNeeded} ÷ ${GLOBAL_LIMIT}/s = ${s((messagesNeeded / GLOBAL_LIMIT) * 1000)} s` : ""));
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    console.log(`peak RSS: ${mb(peakRss)} MB (process: app + double + feed server; ${mb(rssAtStart)} MB when the scenario began)`);
    if (warnings.length > 0) {
      const msgs = [...new Set(warnings.map((l) => (JSON.parse(l) as { msg?: string }).msg ?? l))];
      console.log(`app logged ${warnings.length} warning/error line(s): ${msgs.slice(0, 4).join(" | ")}`);
    }
    return { scenario: sc, complete, messages: tracker.messages, msgPerSecond, allLinksMs, p50Ms: percentile(lat, 50), p95Ms: percentile(lat, 95), rejected429, peakRssBytes: peakRss };
  } finally {
    clearInterval(sampler);
    await app?.stop().catch((err: unknown) => console.error("app.stop failed", err));
    await double?.close();
    await feed?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------- entry ----------

export async function run(): Promise<void> {
  const wanted = new Set(
    (arg("scenarios") ?? "a,b,c")
      .split(",")
      .map((x) => x.trim().toLowerCase())
      .flatMap((x) => (x === "a" ? ["a-on", "a-off"] : [x])),
  );
  for (const w of wanted) if (!["a-on", "a-off", "b", "c"].includes(w)) throw new Error(`unknown scenario "${w}" (a, a-on, a-off, b, c)`);
  const readers = numArg("readers");
  const articles = numArg("articles") ?? 20;
  const backlog = arg("backlog") === undefined ? 5 : Number(arg("backlog"));
  const timeoutS = numArg("timeout");
  const all: Scenario[] = [
    { key: "a-on", title: "coalescing on", readers: readers ?? 400, articles, bundle: true, expectFull: false },
    { key: "a-off", title: "coalescing off (today)", readers: readers ?? 400, articles, bundle: false, expectFull: false },
    { key: "b", title: "coalescing on, at scale", readers: readers ?? 10_000, articles, bundle: true, expectFull: false },
    { key: "c", title: "one article, full format", readers: readers ?? 500, articles: 1, bundle: undefined, expectFull: true },
  ];
  const chosen = all.filter((sc) => wanted.has(sc.key));
  console.log(`surge: ${chosen.map((sc) => sc.key).join(", ")}; limits as Telegram's (30/s, 1/s per private chat); node ${process.version}`);
  const results: Result[] = [];
  for (const sc of chosen) {
    results.push(await runScenario(sc, { backlog, timeoutS }));
    if (sc.key === "b") {
      const off = results.find((r) => r.scenario.key === "a-off");
      const rate = off?.msgPerSecond ?? numArg("off-rate");
      const messages = sc.readers * sc.articles;
      if (rate !== undefined && Number.isFinite(rate)) {
        const source = off ? `a-off's measured ${rate.toFixed(1)} msg/s` : `--off-rate ${rate}`;
        console.log(`PROJECTION, not a measurement — b with coalescing off: ${sc.readers} × ${sc.articles} = ${messages} messages ÷ ${source} ≈ ${s((messages / rate) * 1000)} s (${(messages / rate / 60).toFixed(0)} min); at the 30/s ceiling ≥ ${s((messages / GLOBAL_LIMIT) * 1000)} s`);
      } else {
        console.log(`PROJECTION for b with coalescing off: run a-off in the same invocation or pass --off-rate R; at the 30/s ceiling it needs ≥ ${s((messages / GLOBAL_LIMIT) * 1000)} s for ${messages} messages`);
      }
    }
  }
  console.log("\nsummary (times from t0 = the surge poll's return):");
  for (const r of results) {
    const sc = r.scenario;
    console.log(
      `  ${sc.key.padEnd(5)} ${String(sc.readers).padStart(6)}×${String(sc.articles).padEnd(2)} ${r.complete ? "complete  " : "INCOMPLETE"} all links ${s(r.allLinksMs).padStart(6)} s  p50 ${s(r.p50Ms).padStart(6)} s  p95 ${s(r.p95Ms).padStart(6)} s  ${String(r.messages).padStart(6)} msgs  ${r.msgPerSecond.toFixed(1).padStart(5)} msg/s  429s ${r.rejected429}  peak RSS ${mb(r.peakRssBytes)} MB  floor ${s((sc.readers / GLOBAL_LIMIT) * 1000)} s`,
    );
  }
}

if (process.argv[1]?.endsWith("surge.ts")) await run();
