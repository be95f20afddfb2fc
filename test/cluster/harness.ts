import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Update } from "telegraf/types";
import { ChatRepo } from "../../src/chats/repo.js";
import { openStore } from "../../src/store/index.js";
import { startBotApiDouble, type ApiCall, type BotApiDouble, type Limits } from "../support/bot-api-double.js";
import { startFeedServer, type FeedItem, type FeedServer } from "../support/feed-server.js";
import { connect, REDIS_URL } from "./redis.js";

export const TOKEN = "777002:AAClusterTestTokenXYZ_0123456789";
export const SECRET = "cluster-secret_0123456789";
export const NEWSROOM = -1009100;
const ROOT = new URL("../..", import.meta.url).pathname;

/** One bot process. */
export interface Instance {
  n: number;
  port: number;
  child: ChildProcess;
  /** Parsed pino lines, in order. */
  logs: Array<Record<string, unknown> & { msg?: string; time?: number }>;
  exited: Promise<number | null>;
  alive: boolean;
}

/** Several bot processes on one Redis db, one Bot API double, one feed, behind a round-robin balancer. */
export interface ClusterHarness {
  double: BotApiDouble;
  feed: FeedServer;
  instances: Instance[];
  /** The balancer's URL (every instance's WEBHOOK_URL). */
  webhookUrl: string;
  /** Starts instance n (0-based) and waits until it serves HTTP. */
  start(n: number): Promise<Instance>;
  /** The instance that logged "elected" last and is alive. */
  leader(): Instance | undefined;
  /** POSTs an update straight to one instance's webhook (bypassing the balancer). */
  postTo(instance: Instance, update: Update): Promise<number>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Redis db used by this file only (it is flushed). */
  db: number;
  items?: FeedItem[];
  /** Chats subscribed to "energy" before the instances start (written straight to the store). */
  seedSubscribers?: number[];
  leaseMs?: number;
  /** Cron for polling (6 fields: seconds). */
  schedule?: string;
  /** Limits the double enforces (default Telegram's). */
  limits?: Partial<Limits>;
}

/** Calls the double counts against its rate limits (what `deliver` in test/support/bot-api/send.ts handles). */
export const isLimitedSend = (c: ApiCall): boolean => /^(send(?!ChatAction)|copy|forward)/.test(c.method);

/** Most accepted sends within any rolling second. */
export function peakPerSecond(calls: ApiCall[]): number {
  const times = calls.filter((c) => c.ok && isLimitedSend(c)).map((c) => c.at).sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const srv = createNetServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export function article(n: number, title: string, minutesAgo = 1): FeedItem {
  return { guid: `c-${n}`, title, link: `https://news.example.com/c/${n}.html`, description: `${title}。新能源项目进展。`, pubDate: new Date(Date.now() - minutesAgo * 60_000) };
}

/** Starts the double, the feed, the balancer, and writes the config; instances start with start(n). */
export async function startCluster(o: HarnessOptions): Promise<ClusterHarness> {
  const storeUrl = `${REDIS_URL}/${o.db}`;
  const admin = await connect(storeUrl);
  await admin.flushDb();
  if (o.seedSubscribers?.length) {
    const store = await openStore(storeUrl);
    const chats = new ChatRepo(store.namespace("chats"));
    for (const id of o.seedSubscribers) {
      await chats.ensure(id, id > 0 ? "private" : "supergroup");
      await chats.subscribe(id, "energy");
    }
    await store.close();
  }
  await admin.close();

  const double = await startBotApiDouble({ token: TOKEN, ...(o.limits ? { limits: o.limits } : {}) });
  double.registerChat({ id: NEWSROOM, type: "supergroup", title: "Newsroom" });
  const feed = await startFeedServer(o.items ?? [article(1, "威海新能源产业集群剑指营收200亿", 60), article(2, "光伏项目开工", 50)]);
  const dir = mkdtempSync(join(tmpdir(), "newsdesk-cluster-"));
  const configPath = join(dir, "newsdesk.yaml");
  writeFileSync(
    configPath,
    [
      "name: 集群测试",
      `poll: { schedule: '${o.schedule ?? "*/2 * * * * *"}' }`,
      `feeds: [{ id: local, url: '${feed.url()}', name: 测试日报 }]`,
      "topics:",
      "  - { id: energy, name: 新能源, keywords: [新能源, 光伏] }",
      `newsroom: { chatId: ${NEWSROOM}, admins: [], hotline: '0631-1234567' }`,
      "http: { host: 127.0.0.1 }",
    ].join("\n"),
  );

  const instances: Instance[] = [];
  let next = 0;
  // The load balancer: round robin over live instances, trying the next one when one refuses.
  const lb: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const live = instances.filter((i) => i.alive);
      const attempt = (k: number): void => {
        const target = live[(next + k) % Math.max(1, live.length)];
        if (!target || k >= live.length) {
          res.writeHead(502).end();
          return;
        }
        const fwd = request({ host: "127.0.0.1", port: target.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        fwd.on("error", () => attempt(k + 1));
        fwd.end(body);
      };
      next++;
      attempt(0);
    });
  });
  await new Promise<void>((resolve) => lb.listen(0, "127.0.0.1", resolve));
  const lbPort = (lb.address() as { port: number }).port;
  const webhookUrl = `http://127.0.0.1:${lbPort}/tg/hook`;
  // The config wants https (TLS ends at the balancer in production); the double is then pointed at
  // the balancer's plain-http port, as a TLS-terminating proxy would forward.
  const publicUrl = `https://127.0.0.1:${lbPort}/tg/hook`;
  async function repoint(): Promise<void> {
    const res = await fetch(`${double.apiRoot}/bot${TOKEN}/setWebhook`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: webhookUrl, secret_token: SECRET }),
    });
    if (!res.ok) throw new Error(`setWebhook on the double failed: ${res.status}`);
  }

  async function start(n: number): Promise<Instance> {
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: double.apiRoot,
        NEWSDESK_CONFIG: configPath,
        NEWSDESK_STORE: storeUrl,
        WEBHOOK_URL: publicUrl,
        WEBHOOK_SECRET: SECRET,
        PORT: String(port),
        LOG_LEVEL: "info",
        NEWSDESK_LEASE_MS: String(o.leaseMs ?? 3000),
        NEWSDESK_CLUSTER_REFRESH_MS: "5000",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const inst: Instance = { n, port, child, logs: [], alive: false, exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))) };
    void inst.exited.then(() => {
      inst.alive = false;
    });
    let buffered = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          inst.logs.push(JSON.parse(line) as Instance["logs"][number]);
        } catch {
          inst.logs.push({ msg: line });
        }
      }
    });
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => (stderr += c.toString()));
    instances[n] = inst;
    const deadline = Date.now() + 30_000;
    while (!inst.logs.some((l) => l.msg === "webhook set")) {
      if (child.exitCode !== null) throw new Error(`instance ${n} exited ${child.exitCode}: ${stderr.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`instance ${n} did not start: ${stderr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    inst.alive = true;
    await repoint();
    return inst;
  }

  function leader(): Instance | undefined {
    let best: Instance | undefined;
    let at = -1;
    for (const i of instances) {
      if (!i?.alive) continue;
      const last = i.logs.filter((l) => typeof l.leader === "boolean").at(-1);
      if (last?.leader === true && (last.time ?? 0) > at) {
        best = i;
        at = last.time ?? 0;
      }
    }
    return best;
  }

  async function postTo(instance: Instance, update: Update): Promise<number> {
    const res = await fetch(`http://127.0.0.1:${instance.port}/tg/hook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    return res.status;
  }

  async function close(): Promise<void> {
    for (const i of instances) {
      if (i?.alive) i.child.kill("SIGTERM");
    }
    await Promise.all(instances.map((i) => i && Promise.race([i.exited, new Promise((r) => setTimeout(r, 12_000))])));
    for (const i of instances) if (i && i.child.exitCode === null) i.child.kill("SIGKILL");
    const closed = new Promise<void>((resolve) => lb.close(() => resolve()));
    lb.closeAllConnections();
    await closed;
    await double.close();
    await feed.close();
    rmSync(dir, { recursive: true, force: true });
  }

  return { double, feed, instances, webhookUrl, start, leader, postTo, close };
}
