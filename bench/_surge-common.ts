// What bench/surge.ts, bench/surge-rss.ts and bench/scale-rss.ts share: command-line flags, made-up
// news (never corpus text), reading the double's calls, and a child process's memory. Files
// starting with "_" are not benchmarks (bench/run.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ApiCall, BotApiDouble } from "../test/support/bot-api-double.js";
import type { FeedItem } from "../test/support/feed-server.js";

export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export function numArg(name: string): number | undefined {
  const v = arg(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} wants a positive number, got "${v}"`);
  return n;
}

// ---------- made-up news (never corpus text) ----------

export const PLACES_ZH = ["威海", "烟台", "青岛", "日照", "潍坊", "淄博", "临沂", "济宁", "泰安", "德州", "聊城", "滨州", "东营"];
export const PROJECTS_ZH = ["光伏车棚并网发电", "海上风电与光伏互补示范区开工", "新能源公交线路扩容", "屋顶光伏进社区", "新能源汽车换电站投运", "渔光互补项目首批组件到场", "储能电站完成调试"];
export const PLACES_EN = ["Harbour District", "Old Town", "Hillside", "Riverside", "Airport Zone", "North Bay", "West Park"];
export const PROJECTS_EN = ["solar canopy goes live", "starts a solar school-roof pilot", "opens its first solar ferry pier", "adds 新能源 buses to the night routes", "tests solar street lights in the rain"];

/** The n-th made-up item: Chinese and English titles alternate, each matching the topic. */
export function madeUpItem(n: number, runTag: string, pubDate: Date): FeedItem {
  const zh = n % 2 === 0;
  const title = zh
    ? `${PLACES_ZH[n % PLACES_ZH.length]!}${PROJECTS_ZH[n % PROJECTS_ZH.length]!}（第${n}期）`
    : `${PLACES_EN[n % PLACES_EN.length]!} ${PROJECTS_EN[n % PROJECTS_EN.length]!}, phase ${n}`;
  const description = zh
    ? `记者从当地获悉，该新能源项目第${n}期已完成主体建设，预计年发电量可满足约${1200 + n * 37}户家庭用电。项目负责人表示，下一步将推进光伏与储能的协同运行。`
    : `Officials said phase ${n} of the solar project is built and should cover about ${900 + n * 41} homes a year. The next step, they said, is to run the panels together with a new battery store.`;
  return { guid: `${runTag}-${n}`, title, link: `https://surge.example.org/news/${runTag}/${n}.html`, description, pubDate };
}

// ---------- measuring ----------

export const unescapeHtml = (s: string): string =>
  s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
export const escapeHtml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function textOf(call: ApiCall): string {
  const t = call.params.text ?? call.params.caption;
  return typeof t === "string" ? t : "";
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const s = (ms: number): string => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : "n/a");
export const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0);

/** Follows the double's answered calls and records, per (reader, article), the first message with a link to it. */
export class LinkTracker {
  protected next = 0;
  readonly firstLinkAt: Float64Array;
  readonly perReader: Uint32Array;
  covered = 0;
  messages = 0;
  firstMsgAt = Infinity;
  lastMsgAt = -Infinity;
  private readonly readerIndex = new Map<number, number>();
  protected readonly articleByUrl = new Map<string, number>();

  constructor(
    protected readonly double: BotApiDouble,
    readerIds: number[],
    items: FeedItem[],
  ) {
    readerIds.forEach((id, i) => this.readerIndex.set(id, i));
    items.forEach((it, j) => this.articleByUrl.set(it.link, j));
    this.firstLinkAt = new Float64Array(readerIds.length * items.length).fill(NaN);
    this.perReader = new Uint32Array(readerIds.length);
  }

  get pairs(): number {
    return this.firstLinkAt.length;
  }

  skipTo(index: number): void {
    this.next = index;
  }

  /** Skips every call answered so far (set-up, the backlog poll). */
  skipToNow(): void {
    this.next = this.double.calls.length;
  }

  /** Called for each accepted message to a reader after its links were counted (subclasses look closer). */
  protected seen(_call: ApiCall, _reader: number, _html: string): void {
    // Nothing more by default.
  }

  scan(): void {
    const calls = this.double.calls;
    const articles = this.articleByUrl.size;
    for (; this.next < calls.length; this.next++) {
      const c = calls[this.next]!;
      if (!c.ok || (c.method !== "sendMessage" && c.method !== "sendPhoto")) continue;
      const r = this.readerIndex.get(Number(c.params.chat_id));
      if (r === undefined) continue;
      this.messages++;
      this.perReader[r]!++;
      this.firstMsgAt = Math.min(this.firstMsgAt, c.at);
      this.lastMsgAt = Math.max(this.lastMsgAt, c.at);
      const html = textOf(c);
      for (const m of html.matchAll(/href="([^"]*)"/g)) {
        const j = this.articleByUrl.get(unescapeHtml(m[1]!));
        if (j === undefined) continue;
        const k = r * articles + j;
        if (Number.isNaN(this.firstLinkAt[k]!)) {
          this.firstLinkAt[k] = c.at;
          this.covered++;
        }
      }
      this.seen(c, r, html);
    }
  }
}

export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** VmHWM and VmRSS of a process in bytes (NaN once it is gone). */
export function procMemory(pid: number): { hwm: number; rss: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string): number => {
      const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
      return m ? Number(m[1]) * 1024 : NaN;
    };
    return { hwm: kb("VmHWM"), rss: kb("VmRSS") };
  } catch {
    return { hwm: NaN, rss: NaN };
  }
}

/**
 * Where a process's resident memory is, from /proc/<pid>/smaps: file-backed (code, mapped files),
 * the brk heap (glibc's main arena), anonymous mappings (V8 heaps, other malloc arenas, thread
 * stacks), and the anonymous mappings of 8 MiB or more resident (the big ones), plus the thread count.
 */
export function memoryBreakdown(pid: number): string {
  try {
    const text = readFileSync(`/proc/${pid}/smaps`, "utf8");
    let file = 0;
    let brk = 0;
    let anon = 0;
    const big: number[] = [];
    let kind = "";
    for (const line of text.split("\n")) {
      const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
      if (head) {
        const name = head[1] ?? "";
        kind = name === "[heap]" ? "brk" : name.startsWith("/") ? "file" : "anon";
        continue;
      }
      const rss = /^Rss:\s+(\d+) kB/.exec(line);
      if (!rss) continue;
      const bytes = Number(rss[1]) * 1024;
      if (kind === "brk") brk += bytes;
      else if (kind === "file") file += bytes;
      else {
        anon += bytes;
        if (bytes >= 8 * 2 ** 20) big.push(bytes);
      }
    }
    const threads = /^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? "?";
    const m = (b: number): string => String(Math.round(b / 2 ** 20));
    return `file ${m(file)}, brk ${m(brk)}, anon ${m(anon)} MB (≥8 MB: ${big.sort((a, b) => b - a).map(m).join(" ") || "none"}); ${threads} threads`;
  } catch {
    return "(no smaps)";
  }
}

/** The words of package.json's `start` script (`NAME=value … node --flag … dist/src/main.js`). */
function startWords(root: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts?: { start?: string } };
  return (pkg.scripts?.start ?? "").split(/\s+/);
}

/** The node flags of package.json's `start` script, so a bench runs what `npm start` runs. */
export function startFlags(root: string): string[] {
  const words = startWords(root);
  return words.slice(words.indexOf("node") + 1).filter((w) => w.startsWith("--"));
}

/** The environment the `start` script sets before `node` (glibc malloc tuning). */
export function startEnv(root: string): Record<string, string> {
  const words = startWords(root);
  const before = words.slice(0, Math.max(0, words.indexOf("node")));
  return Object.fromEntries(before.flatMap((w) => (/^[A-Z_][A-Z0-9_]*=/.test(w) ? [[w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)]] : [])));
}

/**
 * `node dist/src/main.js` (with the start script's environment and node flags) in a child process, as an operator runs it: its output lines (at most
 * `maxLines`), why it exited if it did, and a stop that waits up to 15 s before SIGKILL.
 */
export class BotProcess {
  readonly output: string[] = [];
  exitInfo: string | undefined;
  readonly pid: number;
  private readonly child: ChildProcess;
  private readonly exited: Promise<unknown>;

  constructor(root: string, env: NodeJS.ProcessEnv, o: { nodeArgs?: string[]; maxLines?: number } = {}) {
    // The start script's environment, then the caller's (which may override it).
    this.child = spawn(process.execPath, [...startFlags(root), ...(o.nodeArgs ?? []), join(root, "dist/src/main.js")], {
      cwd: root,
      env: { ...startEnv(root), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.exited = new Promise((r) => this.child.once("exit", r));
    this.child.once("exit", (code, signal) => (this.exitInfo = `code ${code}, signal ${signal}`));
    const maxLines = o.maxLines ?? 10_000;
    const collect = (chunk: Buffer): void => {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim() !== "" && this.output.length < maxLines) this.output.push(line);
    };
    this.child.stdout?.on("data", collect);
    this.child.stderr?.on("data", collect);
    if (this.child.pid === undefined) throw new Error("spawn failed: no pid");
    this.pid = this.child.pid;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    const exited = await Promise.race([this.exited.then(() => true), pause(15_000).then(() => false)]);
    if (!exited) this.child.kill("SIGKILL");
  }
}
