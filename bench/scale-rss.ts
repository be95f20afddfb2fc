/**
 * Whole-bot memory at scale (issue 17: "the whole bot with 10,000 feeds and 100k archived articles
 * peaks under 350 MB RSS"): `node dist/src/main.js` in a child process, as an operator runs it.
 *   1. builds dist/ when stale (scripts/build-if-stale.mjs);
 *   2. this process serves `--feeds` RSS feeds × `--items` items (titles and bodies from
 *      ../shared/corpus/news, read at run time; feeds spread over 16 loopback addresses so the
 *      per-host limit does not serialise them) and starts the Bot API double;
 *   3. a SQLite store in a temp dir is seeded with those feeds' articles as the bot itself
 *      normalises them (processFeedBytes), i.e. an archive of feeds × items articles, plus
 *      `--readers` reader chats on one topic;
 *   4. the bot starts (it loads the archive into the search index and trains the related space),
 *      an admin sends /poll (every feed fetched and parsed: first polls, backlog archived), then
 *      `--fresh` new items go into some feeds and /poll again: they are delivered with related links;
 *   5. peak RSS = VmHWM from /proc/<pid>/status, read at each stage.
 * Run: npm run bench -- scale-rss [--feeds 10000] [--items 10] [--readers 100] [--fresh 20]
 * (quick: --feeds 1000). Linux only. Skips without the corpus.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Chat } from "telegraf/types";
import { ArticleArchive } from "../src/articles/archive.js";
import type { Article } from "../src/articles/article.js";
import { rng } from "../src/articles/rng.js";
import { ChatRepo } from "../src/chats/repo.js";
import { processFeedBytes } from "../src/feeds/pipeline.js";
import { NS } from "../src/store/keys.js";
import { openStore } from "../src/store/index.js";
import { startBotApiDouble, type ApiCall, type BotApiDouble } from "../test/support/bot-api-double.js";
import { rss, type FeedItem } from "../test/support/feed-server.js";
import { groupCommand, user } from "../test/support/updates.js";
import { loadBbc, loadThuc, loadTnews, NEWS, type Labelled } from "./_corpus.js";
import { BotProcess, mb, memoryBreakdown, numArg, pause, procMemory, s, textOf } from "./_surge-common.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const TOKEN = "771217:AAScaleRssBenchTokenXYZ_0123456789";
const NEWSROOM = -1_002_999_000_017;
const ADMIN_ID = 9_000_017;
const FIRST_READER = 600_000_001;
const HOSTS = 16;
const DAY_MS = 86_400_000;
const BOUND_MB = 350;



/**
 * `total` items from the labelled corpus, each a headline with a body: BBC bodies as they are (the
 * normaliser keeps 1,000 characters), Chinese headlines with 10–25 other headlines of their class
 * as the body (THUCNews and TNEWS have none). Titles repeat with a suffix once the pool runs out.
 */
function corpusItems(total: number): Labelled[] {
  const pool = [...loadThuc("dev"), ...loadThuc("test"), ...loadTnews(), ...loadBbc()];
  const byLabel = new Map<string, Labelled[]>();
  for (const r of pool) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r]);
  const rand = rng(1717);
  const out: Labelled[] = [];
  for (let i = 0; out.length < total; i++) {
    const r = pool[Math.floor(rand() * pool.length)]!;
    const same = byLabel.get(r.label)!;
    const summary = r.summary !== "" ? r.summary : Array.from({ length: 10 + Math.floor(rand() * 16) }, () => same[Math.floor(rand() * same.length)]!.title).join("。");
    out.push({ title: i < pool.length ? r.title : `${r.title}（${1 + Math.floor(i / pool.length)}）`, summary, label: r.label });
  }
  return out;
}

interface Feeds {
  items: FeedItem[][];
  url(feed: number): string;
  servers: Server[];
  requests: number;
}

async function startFeeds(items: FeedItem[][]): Promise<Feeds> {
  const feeds: Feeds = { items, url: () => "", servers: [], requests: 0 };
  let port = 0;
  for (let h = 0; h < HOSTS; h++) {
    const server = createServer((req, res) => {
      feeds.requests++;
      const n = Number(/^\/f\/(\d+)\.xml$/.exec(req.url ?? "")?.[1] ?? NaN);
      const list = feeds.items[n];
      if (list === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/rss+xml; charset=utf-8" }).end(rss(list, `Scale ${n}`));
    });
    // One port on every address: 127.0.0.x are all loopback on Linux.
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, `127.0.0.${h + 1}`, resolve);
    });
    port = (server.address() as AddressInfo).port;
    feeds.servers.push(server);
  }
  feeds.url = (n) => `http://127.0.0.${(n % HOSTS) + 1}:${port}/f/${n}.xml`;
  return feeds;
}

/** A port nothing listens on now (the bot's /metrics). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** "used / total MB, external MB" of the bot's main thread from its /metrics (workers are not in it). */
async function mainHeap(url: string): Promise<string> {
  try {
    const text = await (await fetch(url)).text();
    const value = (name: string): number => Number(new RegExp(`^${name} (\\S+)`, "m").exec(text)?.[1] ?? NaN);
    const space = (name: string): number => Number(new RegExp(`^nodejs_heap_space_size_total_bytes\\{space="${name}"\\} (\\S+)`, "m").exec(text)?.[1] ?? NaN);
    return `${mb(value("nodejs_heap_size_used_bytes"))} / ${mb(value("nodejs_heap_size_total_bytes"))} MB (new space ${mb(space("new"))}), external ${mb(value("nodejs_external_memory_bytes"))} MB, event-loop lag max ${(value("nodejs_eventloop_lag_max_seconds") * 1000).toFixed(0)} ms`;
  } catch {
    return "(no /metrics)";
  }
}

async function seedStore(storeUrl: string, feeds: Feeds, readerIds: number[], topic: string): Promise<number> {
  const store = await openStore(storeUrl);
  let archived = 0;
  try {
    const archive = new ArticleArchive(store.namespace(NS.articles), { retentionDays: 30 });
    const nowMs = Date.now();
    let batch: Article[] = [];
    for (let n = 0; n < feeds.items.length; n++) {
      const parsed = await processFeedBytes(Buffer.from(rss(feeds.items[n]!, `Scale ${n}`)), { feedId: `f${n}`, feedUrl: feeds.url(n), sourceName: `Scale ${n}`, timeZone: "Asia/Shanghai", nowMs });
      // First seen when published: the archive as a running bot would have built it.
      batch.push(...parsed.articles.map((a) => ({ ...a, firstSeenAt: a.publishedAt })));
      if (batch.length >= 1000 || n === feeds.items.length - 1) {
        await archive.put(batch);
        archived += batch.length;
        batch = [];
      }
    }
    const repo = new ChatRepo(store.namespace(NS.chats));
    for (const id of readerIds) {
      await repo.ensure(id, "private");
      await repo.subscribe(id, topic);
    }
  } finally {
    await store.close();
  }
  return archived;
}

export async function run(): Promise<void> {
  if (process.platform !== "linux") throw new Error("scale-rss reads /proc/<pid>/status: Linux only");
  if (!existsSync(NEWS)) {
    console.log(`skip: corpus not found at ${NEWS}`);
    return;
  }
  const feedCount = numArg("feeds") ?? 10_000;
  const perFeed = numArg("items") ?? 10;
  const readers = numArg("readers") ?? 100;
  const freshCount = numArg("fresh") ?? 20;
  console.log(`scale-rss: ${feedCount} feeds × ${perFeed} items archived, ${readers} readers; the bot in its own process (node dist/src/main.js); node ${process.version}`);

  let t = Date.now();
  execFileSync(process.execPath, [join(root, "scripts/build-if-stale.mjs")], { cwd: root, stdio: "inherit" });
  console.log(`build-if-stale: ${s(Date.now() - t)} s`);

  const rows = corpusItems(feedCount * perFeed + freshCount);
  const nowMs = Date.now();
  const item = (i: number, at: number): FeedItem => ({ guid: `scale-${i}`, title: rows[i]!.title, link: `https://scale.example.org/${i}.html`, description: rows[i]!.summary, pubDate: new Date(at) });
  // Newest first, as feeds list them; the archive spans 25 days.
  const items = Array.from({ length: feedCount }, (_, n) =>
    Array.from({ length: perFeed }, (_, j) => {
      const i = n * perFeed + j;
      return item(i, nowMs - 3600_000 - Math.floor(((feedCount * perFeed - i) / (feedCount * perFeed)) * 25 * DAY_MS));
    }),
  );

  const dir = mkdtempSync(join(tmpdir(), "newsdesk-bench-scale-rss-"));
  let double: BotApiDouble | undefined;
  let feeds: Feeds | undefined;
  let bot: BotProcess | undefined;
  let sampler: NodeJS.Timeout | undefined;
  try {
    double = await startBotApiDouble({ token: TOKEN });
    feeds = await startFeeds(items);
    const storeUrl = `sqlite://${join(dir, "store.sqlite")}`;
    const readerIds = Array.from({ length: readers }, (_, i) => FIRST_READER + i);
    t = Date.now();
    const archived = await seedStore(storeUrl, feeds, readerIds, "all");
    console.log(`seeded ${archived} archived articles and ${readers} readers in ${s(Date.now() - t)} s (store closed before the bot starts)`);

    const configPath = join(dir, "newsdesk.yaml");
    const feedLines = items.map((_, n) => `  - { id: f${n}, url: '${feeds!.url(n)}', name: Scale ${n} }`);
    writeFileSync(
      configPath,
      [
        "name: Scale",
        `poll: { schedule: '0 0 1 1 *', atStart: false, allowHosts: [${Array.from({ length: HOSTS }, (_, h) => `'127.0.0.${h + 1}'`).join(", ")}] }`,
        "feeds:",
        ...feedLines,
        "topics:",
        // Every fresh item carries this marker; the archive's do not.
        "  - { id: all, name: 新闻, keywords: [刚刚更新] }",
        `newsroom: { chatId: ${NEWSROOM}, admins: [${ADMIN_ID}] }`,
        "http: { port: 0 }",
        "",
      ].join("\n"),
    );

    t = Date.now();
    // NEWSDESK_BENCH_NODE_ARGS: extra node flags for the bot, e.g. --heapsnapshot-signal=SIGUSR2 to look inside.
    const nodeArgs = (process.env.NEWSDESK_BENCH_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");
    // /metrics on a free port: the main thread's heap beside the process's RSS at each stage.
    const metricsPort = await freePort();
    bot = new BotProcess(root, { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("MALLOC_"))), PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir, BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: double.apiRoot, NEWSDESK_CONFIG: configPath, NEWSDESK_STORE: storeUrl, PORT: String(metricsPort), LOG_LEVEL: process.env.NEWSDESK_BENCH_LOG_LEVEL ?? "warn" }, { nodeArgs, maxLines: process.env.NEWSDESK_BENCH_LOG_LEVEL ? 100_000 : 1000 });
    const spawnedAt = Date.now();
    const { pid } = bot;
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const childOutput = bot.output;
    let maxRss = 0;
    let ticks = 0;
    sampler = setInterval(() => {
      const m = procMemory(pid);
      if (Number.isFinite(m.rss)) maxRss = Math.max(maxRss, m.rss);
      // NEWSDESK_BENCH_TRACE=1: where the memory is every 5 s (when the peak comes, and what it is).
      if (process.env.NEWSDESK_BENCH_TRACE && ++ticks % 10 === 0) {
        void mainHeap(metricsUrl).then((h) => console.log(`  t=${s(Date.now() - t)} s VmRSS ${mb(m.rss)} MB; main heap ${h}; ${memoryBreakdown(pid)}`));
      }
    }, 500);
    let stages = 0;
    const stage = async (label: string): Promise<void> => {
      const m = procMemory(pid);
      // With NEWSDESK_BENCH_NODE_ARGS=--heapsnapshot-signal=SIGUSR2 the bot writes its main heap at each stage.
      if (nodeArgs.some((a) => a.startsWith("--heapsnapshot-signal=SIGUSR2"))) process.kill(pid, "SIGUSR2");
      const h = await mainHeap(metricsUrl);
      console.log(`${label.padEnd(44)} VmRSS ${mb(m.rss).padStart(4)} MB, VmHWM ${mb(m.hwm).padStart(4)} MB; main heap ${h}  (${s(Date.now() - t)} s since spawn)`);
      console.log(`${"".padEnd(44)} ${memoryBreakdown(pid)}`);
      // NEWSDESK_BENCH_SMAPS=<dir>: a copy of /proc/<pid>/smaps at each stage, to see where the rest is.
      if (process.env.NEWSDESK_BENCH_SMAPS) writeFileSync(join(process.env.NEWSDESK_BENCH_SMAPS, `smaps-${++stages}.txt`), readFileSync(`/proc/${pid}/smaps`));
    };

    const deadline = Date.now() + 300_000;
    while (!double.isLongPolling()) {
      if (bot.exitInfo !== undefined) throw new Error(`the bot exited before long polling (${bot.exitInfo}):\n${childOutput.slice(-20).join("\n")}`);
      if (Date.now() > deadline) throw new Error("the bot did not long-poll within 300 s");
      await pause(50);
    }
    await stage("long-polling (archive indexing meanwhile)");

    const room: Chat.SupergroupChat = { id: NEWSROOM, type: "supergroup", title: "Newsroom" };
    const admin = user({ id: ADMIN_ID, first_name: "Chief", language_code: "en" });
    const poll = async (): Promise<ApiCall> => {
      const pushedAt = Date.now();
      const answered = new Set(double!.calls);
      double!.pushUpdate(groupCommand(room, admin, "/poll"));
      const answer = await double!.waitFor((c) => !answered.has(c) && c.ok && c.method === "sendMessage" && Number(c.params.chat_id) === NEWSROOM && /^Polled \d+ feeds? /.test(textOf(c)), 1_800_000);
      console.log(`  /poll answered after ${s(answer.at - pushedAt)} s: ${textOf(answer)} (${feeds!.requests} feed requests so far)`);
      return answer;
    };
    await poll();
    await stage("after polling every feed (first polls)");

    // Fresh items: one each in the first `freshCount` feeds, marked for the topic.
    const freshStart = feedCount * perFeed;
    const fresh = Array.from({ length: freshCount }, (_, k) => ({ ...item(freshStart + k, Date.now() - (freshCount - k) * 1000), title: `刚刚更新 ${rows[freshStart + k]!.title}` }));
    fresh.forEach((f, k) => feeds!.items[k]!.unshift(f));
    const before = double.calls.length;
    await poll();
    const links = new Set(fresh.map((f) => f.link));
    const want = readers * freshCount;
    const seen = new Set<string>();
    let related = 0;
    let quietSince = Date.now();
    let scanned = before;
    // Done when every pair is linked, or nothing reached a reader for 30 s.
    while (seen.size < want && Date.now() - quietSince < 30_000 && bot.exitInfo === undefined) {
      await pause(500);
      if (scanned < double.calls.length) quietSince = Date.now();
      for (; scanned < double.calls.length; scanned++) {
        const c = double.calls[scanned]!;
        if (!c.ok || (c.method !== "sendMessage" && c.method !== "sendPhoto") || Number(c.params.chat_id) < FIRST_READER) continue;
        const hrefs = [...textOf(c).matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.replace(/&amp;/g, "&"));
        for (const h of hrefs) if (links.has(h)) seen.add(`${String(c.params.chat_id)} ${h}`);
        // Related lines link the archived article itself or its deep link (t.me/…?start=a_…).
        related += hrefs.filter((h) => (h.startsWith("https://scale.example.org/") && !links.has(h)) || /[?&]start=a_/.test(h)).length;
      }
    }
    await stage(`after delivering ${seen.size}/${want} (reader, item) pairs`);
    console.log(`  links to archived articles (related) in those messages: ${related}`);
    const final = procMemory(pid);
    console.log(`bot peak RSS (VmHWM): ${mb(final.hwm)} MB; max sampled VmRSS ${mb(maxRss)} MB; bound ${BOUND_MB} MB: ${final.hwm < BOUND_MB * 2 ** 20 ? "OK" : "NOT met"}`);
    // NEWSDESK_BENCH_LOG_LEVEL=info: when the archive was indexed and the spaces trained, seconds after spawn.
    if (process.env.NEWSDESK_BENCH_LOG_LEVEL) {
      for (const line of childOutput) {
        try {
          const entry = JSON.parse(line) as { msg?: string; time?: number };
          if (entry.msg !== undefined && !/first poll|feed poll|handed|delivered|sent/.test(entry.msg)) console.log(`  bot log t=${s((entry.time ?? 0) - spawnedAt)} s: ${line.slice(0, 200)}`);
        } catch {
          // not a log line
        }
      }
    }
    const warnings = [...new Set(childOutput.map((l) => { try { return (JSON.parse(l) as { msg?: string }).msg ?? l; } catch { return l; } }))];
    if (warnings.length > 0) console.log(`bot printed ${childOutput.length} line(s) at warn and above: ${warnings.slice(0, 5).join(" | ")}`);
  } finally {
    clearInterval(sampler);
    await bot?.stop();
    await double?.close();
    for (const server of feeds?.servers ?? []) await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith("scale-rss.ts")) await run();
