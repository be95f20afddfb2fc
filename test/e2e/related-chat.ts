/**
 * Related-link precision@3 as readers get it (issue 17): the real app polls a local feed whose
 * first poll is a backlog of labelled news (THUCNews titles, BBC articles), then a second poll
 * brings new items; every new item is posted to the channel through the Bot API double, and the
 * related links in those messages are checked against the corpus labels. Beside it, the same
 * articles go straight into an ArticleIndex trained before asking (what bench/search.ts measures),
 * so a gap between the method and the running bot shows as two numbers.
 * Used by test/e2e/related.test.ts (small sample) and bench/search.ts `--only chat` (full size).
 */
import { existsSync } from "node:fs";
import { loadBbc, loadThuc, NEWS } from "../../bench/_corpus.js";
import { ArticleIndex, type ArticleIndexOptions } from "../../src/articles/search.js";
import type { Article } from "../../src/articles/article.js";
import { rng } from "../../src/articles/rng.js";
import { processFeedBytes } from "../../src/feeds/pipeline.js";
import { rss, type FeedItem } from "../support/feed-server.js";
import { pause, startHarness } from "./harness.js";

/** Where the labelled news lives; absent in a fresh clone. */
export const NEWS_DIR = NEWS;

/** True when the corpus is there to measure with. */
export function corpusPresent(): boolean {
  return existsSync(NEWS_DIR);
}

/** Sample sizes and where the Chinese titles come from. */
export interface ChatRelatedOptions {
  zhArchived: number;
  enArchived: number;
  /** New items per language (second poll). */
  fresh: number;
  /** THUCNews split (tune on dev, report test). */
  split: "dev" | "test";
  /** Sampling seed (default 17). */
  seed?: number;
  /** Minutes between two archived items' publication times (default 10: 2,500 items span 17 days). */
  spacingMinutes?: number;
}

/** Precision@3 of one language: links sharing the article's label over links shown. */
export interface Precision {
  hits: number;
  links: number;
  /** Messages read (one per new item). */
  messages: number;
  value: number;
}

export interface ChatRelatedResult {
  chat: { zh: Precision; en: Precision };
  method: { zh: Precision; en: Precision };
  /** Share of posts whose related links are exactly the method's, in its order. */
  agreement: number;
}

interface Row {
  title: string;
  summary: string;
  label: string;
  lang: "zh" | "en";
}

const CHANNEL = -1_002_717_000_017;
const MINUTE_MS = 60_000;

function shuffle<T>(arr: T[], rand: () => number): T[] {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [arr[i], arr[j]] = [arr[j]!, arr[i]!];
  }
  return arr;
}

function sample(rows: readonly Row[], n: number, rand: () => number): Row[] {
  return shuffle([...rows], rand).slice(0, n);
}

class Tally {
  hits = 0;
  links = 0;
  messages = 0;
  add(label: string, related: readonly string[]): void {
    this.messages++;
    for (const r of related) {
      this.links++;
      if (r === label) this.hits++;
    }
  }
  result(): Precision {
    return { hits: this.hits, links: this.links, messages: this.messages, value: this.hits / Math.max(1, this.links) };
  }
}

/** The two polls' feeds (newest first, as feeds list them) and each link's labelled row. */
interface SampledFeeds {
  backlog: FeedItem[];
  fresh: FeedItem[];
  labelOf: Map<string, Row>;
}

/** Each split's rows, read once per process: BBC is 2,225 files (~90 ms), and the bench samples 40 times. */
const rowsBySplit = new Map<string, { zh: readonly Row[]; en: readonly Row[] }>();

function corpusRows(split: ChatRelatedOptions["split"]): { zh: readonly Row[]; en: readonly Row[] } {
  let rows = rowsBySplit.get(split);
  if (rows === undefined) {
    rows = {
      zh: loadThuc(split).map((r) => ({ ...r, lang: "zh" as const })),
      en: loadBbc().map((r) => ({ ...r, lang: "en" as const })),
    };
    rowsBySplit.set(split, rows);
  }
  return rows;
}

/**
 * Samples the archive and the new items (`o.seed`), dated before `nowMs`: the backlog `spacingMinutes`
 * apart ending an hour ago, the new items a second apart in the last minute or so.
 */
function sampleFeeds(o: ChatRelatedOptions, nowMs: number): SampledFeeds {
  const rand = rng(o.seed ?? 17);
  const rows = corpusRows(o.split);
  const zh = sample(rows.zh, o.zhArchived + o.fresh, rand);
  const en = sample(rows.en, o.enArchived + o.fresh, rand);
  const backlog = shuffle([...zh.slice(0, o.zhArchived), ...en.slice(0, o.enArchived)], rand);
  const fresh = shuffle([...zh.slice(o.zhArchived), ...en.slice(o.enArchived)], rand);
  const spacing = (o.spacingMinutes ?? 10) * MINUTE_MS;
  const labelOf = new Map<string, Row>();
  const toItem = (r: Row, n: number, at: number): FeedItem => {
    const link = `https://news.example.com/${r.lang}/${n}.html`;
    labelOf.set(link, r);
    return { guid: `g-${n}`, title: r.title, link, description: r.summary, pubDate: new Date(at) };
  };
  const oldest = nowMs - 3_600_000 - backlog.length * spacing;
  const backlogItems = backlog.map((r, i) => toItem(r, i, oldest + i * spacing));
  const freshItems = fresh.map((r, i) => toItem(r, backlog.length + i, nowMs - (fresh.length - i) * 1000));
  return { backlog: backlogItems.reverse(), fresh: freshItems.reverse(), labelOf };
}

/**
 * The method alone on the same sample the chat measure draws (no app, no Bot API), with these index
 * options (default: the app's): what bench/search.ts `--only growth` runs at several archive sizes
 * and many seeds.
 */
export async function measureMethodRelated(o: ChatRelatedOptions, index?: ArticleIndexOptions): Promise<{ zh: Precision; en: Precision }> {
  const now = Date.now();
  const feeds = sampleFeeds(o, now);
  return (await methodRelated(feeds.backlog, feeds.fresh, feeds.labelOf, now, index)).precision;
}

/** Runs the app through a first poll (backlog) and a second (new items); returns both measures. */
export async function measureChatRelated(o: ChatRelatedOptions): Promise<ChatRelatedResult> {
  const h = await startHarness({
    extraYaml: [`channel: { chatId: ${CHANNEL} }`],
    delivery: "{ retry: { baseDelaySeconds: 0.2, maxDelaySeconds: 1 } }",
  });
  try {
    h.double.registerChat({ id: CHANNEL, type: "channel", title: "Newsdesk related" });
    // The bot paces itself on the test clock, which moves on below; the double's limits run on real time.
    h.double.setLimits({ enabled: false });
    const now = h.clock.now();
    const { backlog: backlogFeed, fresh: freshFeed, labelOf } = sampleFeeds(o, now);
    h.feed.items = backlogFeed;
    await h.app.scheduler.pollAll();
    h.feed.items = [...freshFeed, ...backlogFeed];
    const polled = await h.app.scheduler.pollAll();
    if (polled.newArticles !== freshFeed.length) throw new Error(`second poll found ${polled.newArticles} new items, not ${freshFeed.length}`);
    // A channel takes 20 messages a minute: the test clock moves on instead of the test waiting.
    const deadline = Date.now() + 120_000;
    while (h.double.sent(CHANNEL).length < freshFeed.length) {
      if (Date.now() > deadline) throw new Error(`only ${h.double.sent(CHANNEL).length} of ${freshFeed.length} posts arrived`);
      h.clock.advance(3_100);
      await pause(5);
    }
    const chat = { zh: new Tally(), en: new Tally() };
    const shown = new Map<string, string[]>();
    for (const m of h.double.sent(CHANNEL)) {
      const urls = m.entities.flatMap((e) => (e.type === "text_link" && typeof e.url === "string" ? [e.url] : []));
      const own = labelOf.get(urls[0] ?? "");
      if (own === undefined) throw new Error(`a post without its article's link: ${m.text.slice(0, 80)}`);
      const related = urls.slice(1).flatMap((u) => {
        const r = labelOf.get(u);
        return r === undefined ? [] : [r.label];
      });
      chat[own.lang].add(own.label, related);
      shown.set(urls[0]!, urls.slice(1));
    }
    const method = await methodRelated(backlogFeed, freshFeed, labelOf, now);
    let same = 0;
    for (const [link, links] of method.links) if (JSON.stringify(shown.get(link)) === JSON.stringify(links)) same++;
    return { chat: { zh: chat.zh.result(), en: chat.en.result() }, method: method.precision, agreement: same / Math.max(1, method.links.size) };
  } finally {
    await h.close();
  }
}

/**
 * The method alone: the same feeds normalised the app's way and indexed in the same order, a space
 * trained on the backlog before asking.
 */
async function methodRelated(
  backlog: FeedItem[],
  fresh: FeedItem[],
  labelOf: ReadonlyMap<string, Row>,
  nowMs: number,
  opts?: ArticleIndexOptions,
): Promise<{ precision: { zh: Precision; en: Precision }; links: Map<string, string[]> }> {
  const parse = async (items: FeedItem[]): Promise<Article[]> =>
    (await processFeedBytes(Buffer.from(rss(items)), { feedId: "local", feedUrl: "https://news.example.com/feed.xml", nowMs })).articles;
  const index = new ArticleIndex(opts);
  index.addAll(await parse(backlog));
  await index.prepareRelated();
  const news = await parse(fresh);
  for (const a of news) index.add(a);
  const tally = { zh: new Tally(), en: new Tally() };
  const links = new Map<string, string[]>();
  for (const a of news) {
    const own = labelOf.get(a.link)!;
    const related = await index.related(a, 3);
    links.set(a.link, related.map((r) => r.link));
    tally[own.lang].add(
      own.label,
      related.map((r) => labelOf.get(r.link)!.label),
    );
  }
  return { precision: { zh: tally.zh.result(), en: tally.en.result() }, links };
}

/** One line per language, as the bench prints it. */
export function describeChatRelated(r: ChatRelatedResult, o: ChatRelatedOptions): string[] {
  const line = (lang: "zh" | "en", name: string, archived: number): string => {
    const c = r.chat[lang];
    const m = r.method[lang];
    return (
      `related p@3 through the chat  ${name} ${archived} archived + ${o.fresh} new: ${c.value.toFixed(3)} ` +
      `(${c.hits}/${c.links} links in ${c.messages} posts)  |  method on the same articles ${m.value.toFixed(3)}`
    );
  };
  return [
    line("zh", `thuc-${o.split}`, o.zhArchived),
    line("en", "bbc", o.enArchived),
    `posts whose related links are exactly the method's: ${(100 * r.agreement).toFixed(1)}%`,
  ];
}
