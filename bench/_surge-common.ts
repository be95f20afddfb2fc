// What bench/surge.ts and bench/surge-rss.ts share: command-line flags, made-up news (never corpus
// text), and reading the double's calls. Files starting with "_" are not benchmarks (bench/run.ts).
import type { ApiCall } from "../test/support/bot-api-double.js";
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
