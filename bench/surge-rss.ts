/**
 * Surge RSS benchmark (issue 12: "10,000 readers × 20 articles: complete within 1.3 × the floor,
 * peak RSS < 300 MB"): the BOT PROCESS alone, as an operator runs it.
 *
 * bench/surge.ts runs the app, the Bot API double and the feed server in one process, so its RSS is
 * the sum of the three. Here the bot is `node dist/src/main.js` in a child process of its own:
 *   1. `node scripts/build-if-stale.mjs` builds dist/ (quick when it is up to date);
 *   2. this process starts the Bot API double (Telegram's limits: 30/s, 1/s per private chat with a
 *      burst of 3) and a feed server with a backlog of 5 matching items;
 *   3. a SQLite store in a temp dir is seeded with N reader chats on one topic, then closed;
 *   4. a YAML config is written next to it (no poll at start, the cron schedule never fires; http
 *      port 0) and the bot is spawned with BOT_TOKEN, TELEGRAM_API_ROOT, NEWSDESK_CONFIG,
 *      NEWSDESK_STORE, PORT=0, LOG_LEVEL=warn;
 *   5. once the bot long-polls, an admin (newsroom.admins) sends /poll in the newsroom chat: the
 *      backlog is archived (nothing is sent). Then `articles` new matching items go into the feed
 *      and /poll is sent again: t0 = when the bot's "Polled …" answer to it arrived at the double;
 *   6. every accepted sendMessage/sendPhoto to a reader is parsed for `href="…"` links to the new
 *      articles; the surge is complete when every (reader, article) pair has been linked.
 * The bot's peak RSS is VmHWM from /proc/<pid>/status (the kernel's high-water mark of the process's
 * resident set), read at completion; VmRSS is also sampled every second.
 *
 * Run (either form):
 *   npm run bench -- surge-rss [options]
 *   npx tsx bench/surge-rss.ts [options]
 * Options:
 *   --readers N     reader chats (default 10,000; quick run: --readers 300)
 *   --articles N    new articles in the surge (default 20)
 *   --backlog N     items archived by the first /poll (default 5)
 *   --timeout S     give up S s after t0 (default 3 × the floor + 120 s)
 * Linux only (reads /proc).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Chat } from "telegraf/types";
import { ChatRepo } from "../src/chats/repo.js";
import { NS } from "../src/store/keys.js";
import { openStore } from "../src/store/index.js";
import { startBotApiDouble, type ApiCall, type BotApiDouble } from "../test/support/bot-api-double.js";
import { startFeedServer, type FeedServer } from "../test/support/feed-server.js";
import { groupCommand, user } from "../test/support/updates.js";
import { BotProcess, LinkTracker, madeUpItem, mb, numArg, pause, procMemory, s, textOf } from "./_surge-common.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const TOKEN = "771213:AASurgeRssBenchTokenXYZ_0123456789";
const NEWSROOM = -1_002_999_000_013;
const ADMIN_ID = 9_000_013;
const TOPIC = "energy";
const GLOBAL_LIMIT = 30;
const FIRST_READER = 500_000_001;

// ---------- command line ----------

// ---------- measuring ----------



async function seedReaders(storeUrl: string, ids: number[]): Promise<void> {
  const store = await openStore(storeUrl);
  try {
    const repo = new ChatRepo(store.namespace(NS.chats));
    const batch = 50;
    for (let i = 0; i < ids.length; i += batch) {
      await Promise.all(
        ids.slice(i, i + batch).map(async (id) => {
          await repo.ensure(id, "private");
          await repo.subscribe(id, TOPIC);
        }),
      );
    }
  } finally {
    await store.close();
  }
}

// ---------- the run ----------

export async function run(): Promise<void> {
  if (process.platform !== "linux") throw new Error("surge-rss reads /proc/<pid>/status: Linux only");
  const readers = numArg("readers") ?? 10_000;
  const articles = numArg("articles") ?? 20;
  const backlogCount = numArg("backlog") ?? 5;
  const floorS = readers / GLOBAL_LIMIT;
  const boundS = numArg("timeout") ?? Math.ceil(3 * floorS + 120);
  console.log(`surge-rss: ${readers} readers × ${articles} articles; the bot in its own process (node dist/src/main.js); limits as Telegram's (30/s, 1/s per private chat); node ${process.version}`);

  let t = Date.now();
  execFileSync(process.execPath, [join(root, "scripts/build-if-stale.mjs")], { cwd: root, stdio: "inherit" });
  console.log(`build-if-stale: ${s(Date.now() - t)} s`);

  let benchPeakRss = process.memoryUsage().rss;
  const benchSampler = setInterval(() => (benchPeakRss = Math.max(benchPeakRss, process.memoryUsage().rss)), 500);
  const runTag = Date.now().toString(36);
  const dir = mkdtempSync(join(tmpdir(), "newsdesk-bench-surge-rss-"));
  let double: BotApiDouble | undefined;
  let feed: FeedServer | undefined;
  let bot: BotProcess | undefined;
  let childSampler: NodeJS.Timeout | undefined;
  try {
    double = await startBotApiDouble({ token: TOKEN }); // Telegram's limits: on by default
    const backlogAt = Date.now() - 2 * 3600_000;
    feed = await startFeedServer(Array.from({ length: backlogCount }, (_, i) => madeUpItem(1000 + i, `surge-rss-${runTag}`, new Date(backlogAt + i * 60_000))));

    const storeUrl = `sqlite://${join(dir, "store.sqlite")}`;
    const readerIds = Array.from({ length: readers }, (_, i) => FIRST_READER + i);
    t = Date.now();
    await seedReaders(storeUrl, readerIds);
    console.log(`seeded ${readers} readers in ${s(Date.now() - t)} s (store closed before the bot starts)`);

    const configPath = join(dir, "newsdesk.yaml");
    writeFileSync(
      configPath,
      [
        "name: 浪涌测试日报",
        "poll: { schedule: '0 0 1 1 *', atStart: false }", // the bot never polls on its own: the two /poll commands do
        `feeds: [{ id: surge, url: '${feed.url()}', name: 海滨新能源报 }]`,
        "topics:",
        `  - { id: ${TOPIC}, name: 新能源, keywords: [新能源, 光伏, solar] }`,
        "  - { id: travel, name: 旅游, keywords: [旅游, travel] }",
        `newsroom: { chatId: ${NEWSROOM}, admins: [${ADMIN_ID}] }`,
        "http: { port: 0 }",
        "",
      ].join("\n"),
    );

    t = Date.now();
    bot = new BotProcess(root, {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? dir,
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: double.apiRoot,
      NEWSDESK_CONFIG: configPath,
      NEWSDESK_STORE: storeUrl,
      PORT: "0",
      LOG_LEVEL: "warn",
    });
    const { pid } = bot;
    const childOutput = bot.output;

    let maxSampledRss = 0;
    const sampleChild = (): void => {
      const m = procMemory(pid);
      if (Number.isFinite(m.rss)) maxSampledRss = Math.max(maxSampledRss, m.rss);
    };
    childSampler = setInterval(sampleChild, 1000);

    const deadline = Date.now() + 60_000;
    while (!double.isLongPolling()) {
      if (bot.exitInfo !== undefined) throw new Error(`the bot exited before long polling (${bot.exitInfo}):\n${childOutput.slice(-20).join("\n")}`);
      if (Date.now() > deadline) throw new Error("the bot did not long-poll within 60 s");
      await pause(20);
    }
    const startedMem = procMemory(pid);
    console.log(`bot (pid ${pid}) long-polling after ${s(Date.now() - t)} s; VmRSS then ${mb(startedMem.rss)} MB, VmHWM ${mb(startedMem.hwm)} MB`);

    const room: Chat.SupergroupChat = { id: NEWSROOM, type: "supergroup", title: "Newsroom" };
    const admin = user({ id: ADMIN_ID, first_name: "Chief", language_code: "en" });
    /** Pushes /poll from the admin in the newsroom and waits for the "Polled …" answer. */
    const poll = async (label: string): Promise<{ pushedAt: number; answer: ApiCall; pushedIndex: number }> => {
      const pushedIndex = double!.calls.length;
      const pushedAt = Date.now();
      double!.pushUpdate(groupCommand(room, admin, "/poll"));
      const answer = await double!.waitFor(
        (c) =>
          c.ok &&
          c.method === "sendMessage" &&
          Number(c.params.chat_id) === NEWSROOM &&
          c.at >= pushedAt &&
          /^Polled \d+ feeds? /.test(textOf(c)),
        120_000,
      );
      console.log(`${label}: answered after ${s(answer.at - pushedAt)} s: ${textOf(answer)}`);
      return { pushedAt, answer, pushedIndex };
    };

    t = Date.now();
    await poll("first /poll (backlog)");
    await pause(1000); // anything the backlog poll sends (it should send nothing to readers) lands before the surge
    const backlogSends = double.calls.filter((c) => c.ok && (c.method === "sendMessage" || c.method === "sendPhoto") && Number(c.params.chat_id) >= FIRST_READER).length;
    if (backlogSends > 0) console.log(`  WARNING: the backlog poll sent ${backlogSends} message(s) to readers`);

    // The surge: new items, newest first as feeds list them.
    const nowMs = Date.now();
    const fresh = Array.from({ length: articles }, (_, i) => madeUpItem(i + 1, `surge-rss-${runTag}`, new Date(nowMs - (articles - i) * 1000)));
    const tracker = new LinkTracker(double, readerIds, fresh);
    const base429 = double.stats().rejected429;
    feed.items.unshift(...[...fresh].reverse());
    const surge = await poll("surge /poll");
    tracker.skipTo(surge.pushedIndex);
    const t0 = surge.answer.at;
    const m = /; (\d+) new articles?/.exec(textOf(surge.answer));
    if (!m || Number(m[1]) !== articles) console.log(`  WARNING: expected ${articles} new articles`);
    console.log(`t0 = the surge /poll's answer (${s(t0 - surge.pushedAt)} s after it was pushed); bound ${boundS} s; floor ${s(floorS * 1000)} s`);

    let lastProgress = Date.now();
    let lastCount = -1;
    let lastMsgSeen = Date.now();
    let complete = false;
    let reason = "";
    let completeMem = { hwm: NaN, rss: NaN };
    for (;;) {
      await pause(200);
      tracker.scan();
      const now = Date.now();
      if (tracker.messages !== lastCount) {
        lastCount = tracker.messages;
        lastMsgSeen = now;
      }
      if (tracker.covered === tracker.pairs) {
        complete = true;
        sampleChild();
        completeMem = procMemory(pid);
        break;
      }
      if (bot.exitInfo !== undefined) {
        reason = `the bot exited (${bot.exitInfo})`;
        break;
      }
      if (now - lastMsgSeen > 60_000) {
        reason = `no message to a reader for 60 s with ${tracker.pairs - tracker.covered} (reader, article) pairs never linked`;
        break;
      }
      if (now - t0 > boundS * 1000) {
        reason = `incomplete after ${boundS} s`;
        break;
      }
      if (now - lastProgress >= 30_000) {
        lastProgress = now;
        const cm = procMemory(pid);
        console.log(
          `  t0+${s(now - t0)} s: pairs linked ${tracker.covered}/${tracker.pairs}, messages ${tracker.messages}, 429s ${double.stats().rejected429 - base429}, bot VmRSS ${mb(cm.rss)} MB, VmHWM ${mb(cm.hwm)} MB, bench RSS ${mb(process.memoryUsage().rss)} MB`,
        );
      }
    }
    if (!complete) completeMem = procMemory(pid);
    // A few seconds more: whatever the bot still does after the last link (e.g. a trailing message) counts too.
    await pause(3000);
    tracker.scan();
    sampleChild();
    const finalMem = procMemory(pid);
    const rejected429 = double.stats().rejected429 - base429;
    const allLinksMs = complete ? tracker.firstLinkAt.reduce((a, b) => Math.max(a, b), -Infinity) - t0 : NaN;
    const spanMs = tracker.lastMsgAt - tracker.firstMsgAt;
    const msgPerSecond = tracker.messages > 1 && spanMs > 0 ? (tracker.messages - 1) / (spanMs / 1000) : NaN;
    benchPeakRss = Math.max(benchPeakRss, process.memoryUsage().rss);

    console.log("");
    if (!complete) console.log(`*** ${reason} — figures below are partial ***`);
    console.log(`completion (every reader has every article's link): ${complete ? `${s(allLinksMs)} s after t0 = ${(allLinksMs / 1000 / floorS).toFixed(2)} × the floor (${s(allLinksMs + t0 - surge.pushedAt)} s after the /poll was pushed = ${((allLinksMs + t0 - surge.pushedAt) / 1000 / floorS).toFixed(2)} ×; first reader message ${s(tracker.firstMsgAt - t0)} s from t0)` : `NO — ${tracker.pairs - tracker.covered} of ${tracker.pairs} pairs missing`}`);
    console.log(`floor: ${readers} readers ÷ ${GLOBAL_LIMIT}/s = ${s(floorS * 1000)} s (1.3 × floor = ${s(1.3 * floorS * 1000)} s)`);
    console.log(`messages to readers: ${tracker.messages} (mean ${(tracker.messages / readers).toFixed(2)} per reader, max ${tracker.perReader.reduce((a, b) => Math.max(a, b), 0)}); ${msgPerSecond.toFixed(1)} msg/s first to last`);
    console.log(`429s from the double: ${rejected429}`);
    console.log(`bot peak RSS (VmHWM): ${mb(completeMem.hwm)} MB at completion, ${mb(finalMem.hwm)} MB 3 s later (${Math.round(finalMem.hwm / 1024)} kB)`);
    console.log(`bot max sampled VmRSS (every 1 s): ${mb(maxSampledRss)} MB; VmRSS at the end ${mb(finalMem.rss)} MB; at long-polling ${mb(startedMem.rss)} MB`);
    console.log(`bench process (double + feed server + tracker), for comparison: peak RSS ${mb(benchPeakRss)} MB`);
    console.log(`issue 12 bound: ${complete && allLinksMs <= 1.3 * floorS * 1000 ? "time OK" : "time NOT met"}, ${finalMem.hwm < 300 * 1024 * 1024 ? "RSS OK (< 300 MB)" : "RSS NOT met (≥ 300 MB)"}`);
    if (childOutput.length > 0) {
      const msgs = [
        ...new Set(
          childOutput.map((l) => {
            try {
              return (JSON.parse(l) as { msg?: string }).msg ?? l;
            } catch {
              return l;
            }
          }),
        ),
      ];
      console.log(`bot printed ${childOutput.length} line(s) at warn and above: ${msgs.slice(0, 5).join(" | ")}`);
    }
  } finally {
    clearInterval(benchSampler);
    clearInterval(childSampler);
    await bot?.stop();
    await double?.close();
    await feed?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith("surge-rss.ts")) await run();
