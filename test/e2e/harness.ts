/**
 * Shared set-up for application-level end-to-end tests: the real app from createApp, the Bot API
 * double, a local feed server, a SQLite store in a temp dir, and a clock tests can jump forward.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../config/load.js";
import { createApp, type App } from "../../src/app.js";
import type { Clock, Sleep } from "../../src/delivery/time.js";
import { createLogger } from "../../src/log.js";
import { openStore } from "../../src/store/index.js";
import { startBotApiDouble, type ApiCall, type BotApiDouble } from "../support/bot-api-double.js";
import { startFeedServer, type FeedItem, type FeedServer } from "../support/feed-server.js";

export const TOKEN = "777002:AAE2eHarnessTokenXYZ_0123456789";

/**
 * Real time plus an offset that tests move forward (never back). `sleep` waits on this clock, so a
 * jump wakes every sleeper whose deadline has passed: an 8-hour quiet-hours hold ends at once.
 */
export class JumpClock implements Clock {
  private offsetMs: number;
  private readonly wakers = new Set<() => void>();

  constructor(startMs: number) {
    this.offsetMs = startMs - Date.now();
  }

  readonly now = (): number => Date.now() + this.offsetMs;

  /** Moves the clock to `epochMs` (ignored when that is in the past). */
  set(epochMs: number): void {
    this.offsetMs = Math.max(this.offsetMs, epochMs - Date.now());
    for (const wake of [...this.wakers]) wake();
  }

  advance(ms: number): void {
    this.set(this.now() + ms);
  }

  /**
   * Moves the clock forward without waking anyone: each sleeper sees the new time at its own next
   * check (within a minute of real time). For what happens between two ticks of a timer, e.g. a
   * reader writing after a draft expired but before the next sweep.
   */
  advanceBetweenTicks(ms: number): void {
    this.offsetMs += Math.max(0, ms);
  }

  readonly sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve) => {
      const target = this.now() + Math.max(0, ms);
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(check);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const check = (): void => {
        clearTimeout(timer);
        const left = target - this.now();
        if (left <= 0 || signal?.aborted) return done();
        timer = setTimeout(check, Math.min(left, 60_000));
      };
      this.wakers.add(check);
      signal?.addEventListener("abort", done, { once: true });
      check();
    });
}

/** Epoch ms of a wall-clock time in Asia/Shanghai (UTC+8, no DST). */
export function shanghai(isoLocal: string): number {
  return Date.parse(`${isoLocal}+08:00`);
}

export async function until(cond: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what} not met in time`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));


export interface HarnessOptions {
  /** Clock start, epoch ms (default: now). */
  startAt?: number;
  /** Items the feed serves at first. */
  items?: (clock: JumpClock) => FeedItem[];
  newsroomChatId?: number;
  admins?: number[];
  /** The newsroom's phone hotline and web contact (shown in /tip), as `newsroom.hotline` / `newsroom.web`. */
  newsroomContact?: { hotline?: string; web?: string };
  /** Level of the captured log (default "info"); the logger is the process's (createLogger, secrets scrubbed). */
  logLevel?: "debug" | "info";
  /** Extra top-level YAML lines (e.g. a channel). */
  extraYaml?: string[];
  /** The `delivery:` section as flow YAML. */
  delivery?: string;
  /** The `poll:` section as flow YAML (the schedule never fires on its own). */
  poll?: string;
  /** The `feeds:` list as flow YAML (default: one feed, `local`, on the harness's feed server). */
  feeds?: (feedUrl: string) => string;
  /** The `topics:` section as YAML lines (default TOPICS_YAML). */
  topicsYaml?: string[];
  /** Runs once the double is up and before the app starts (e.g. chats the bot already knows). */
  beforeStart?: (double: BotApiDouble) => void;
}

export interface Harness {
  app: App;
  double: BotApiDouble;
  feed: FeedServer;
  clock: JumpClock;
  /**
   * Stops the app, moves the clock (the process was down meanwhile) and starts a new app on the same
   * store; `whileDown` runs between the two (e.g. Telegram recovers while no process runs).
   */
  restart(atMs: number, whileDown?: () => void): Promise<void>;
  /** Log lines (JSON) the app wrote at `logLevel` (default info) and above. */
  logs: string[];
  /**
   * Resolves once the app has finished handling every update the double handed it (counted by the
   * app's own metric, after all features ran): the point at which to assert that nothing happened.
   */
  allUpdatesHandled(timeoutMs?: number): Promise<void>;
  /** A feed item dated `minutesAgo` before the test clock. */
  item(n: number, title: string, description: string, minutesAgo?: number, imageUrl?: string): FeedItem;
  /** Successful sendMessage/sendPhoto calls to a chat whose first line (the headline) contains `needle`. */
  deliveries(chatId: number, needle: string): ApiCall[];
  close(): Promise<void>;
}

/** The text or caption of a send call ("" when neither). */
export function textOf(call: ApiCall): string {
  const t = call.params.text ?? call.params.caption;
  return typeof t === "string" ? t : "";
}

export const TOPICS_YAML = [
  "topics:",
  "  - { id: energy, name: 新能源, keywords: [新能源, 光伏, solar] }",
  "  - { id: travel, name: 旅游, keywords: [旅游, travel] }",
];

function contactYaml(c: HarnessOptions["newsroomContact"]): string {
  return [c?.hotline !== undefined ? `, hotline: ${JSON.stringify(c.hotline)}` : "", c?.web !== undefined ? `, web: ${JSON.stringify(c.web)}` : ""].join("");
}

/** Starts the double, the feed server and the app (long polling against the double). */
export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const clock = new JumpClock(opts.startAt ?? Date.now());
  const double = await startBotApiDouble({ token: TOKEN });
  opts.beforeStart?.(double);
  const item = (n: number, title: string, description: string, minutesAgo = 5, imageUrl?: string): FeedItem => ({
    guid: `g-${n}`,
    title,
    link: `https://news.example.com/a/${n}.html`,
    description,
    pubDate: new Date(clock.now() - minutesAgo * 60_000),
    ...(imageUrl ? { imageUrl } : {}),
  });
  const feed = await startFeedServer(opts.items?.(clock) ?? []);
  const dir = mkdtempSync(join(tmpdir(), "newsdesk-e2e-"));
  const yaml = [
    "name: 测试日报",
    `poll: ${opts.poll ?? "{ schedule: '0 0 1 1 *', atStart: false }"}`,
    `feeds: ${opts.feeds?.(feed.url()) ?? `[{ id: local, url: '${feed.url()}', name: 威海日报 }]`}`,
    ...(opts.topicsYaml ?? TOPICS_YAML),
    `newsroom: { chatId: ${opts.newsroomChatId ?? -1_002_999_000_001}, admins: [${(opts.admins ?? []).join(", ")}]${contactYaml(opts.newsroomContact)} }`,
    `delivery: ${opts.delivery ?? "{ retry: { baseDelaySeconds: 0.2, maxDelaySeconds: 1 } }"}`,
    "http: { port: 0 }",
    ...(opts.extraYaml ?? []),
  ].join("\n");
  const loaded = loadConfig({ BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: double.apiRoot, NEWSDESK_CONFIG: "c.yaml" }, () => yaml);
  if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
  const logs: string[] = [];
  const logger = createLogger({ level: opts.logLevel ?? "info", secrets: [TOKEN], out: { write: (line: string) => void logs.push(line) } });
  const config = loaded.config;
  // Updates the double handed out before the running app started (a restarted app counts from zero).
  let deliveredBeforeBoot = 0;
  const boot = async (): Promise<App> => {
    deliveredBeforeBoot = double.stats().updatesDelivered;
    const store = await openStore(`sqlite://${join(dir, "s.sqlite")}`);
    const started = await createApp({ config, logger, store, clock, sleep: clock.sleep });
    await started.start();
    await until(() => double.isLongPolling(), 10_000, "long polling");
    return started;
  };
  let app = await boot();
  return {
    get app() {
      return app;
    },
    restart: async (atMs: number, whileDown?: () => void) => {
      await app.stop();
      whileDown?.();
      clock.set(atMs);
      app = await boot();
    },
    double,
    feed,
    clock,
    logs,
    item,
    allUpdatesHandled: async (timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const metric = await app.metrics.registry.getSingleMetric("newsdesk_updates_handled_total")?.get();
        const handled = (metric?.values ?? []).reduce((n, v) => n + v.value, 0);
        const delivered = double.stats().updatesDelivered - deliveredBeforeBoot;
        if (handled >= delivered) return;
        if (Date.now() > deadline) throw new Error(`only ${handled} of ${delivered} updates handled in time`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    deliveries: (chatId, needle) =>
      double.calls.filter(
        (c) =>
          c.ok &&
          (c.method === "sendMessage" || c.method === "sendPhoto") &&
          Number(c.params.chat_id) === chatId &&
          (textOf(c).split("\n")[0] ?? "").includes(needle),
      ),
    close: async () => {
      await app.stop();
      await double.close();
      await feed.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
