/**
 * Retrieval benchmark: related-article precision@3, known-item success@5 (each beside a naive
 * baseline), and query latency / heap at 100k articles. Reads ../shared/corpus/news/.
 * Run: npx tsx bench/search.ts [--split dev|test] [--sample N] [--only quality|related|search|chat|growth|scale] [--sets bbc,thuc,tnews with --only related] [--articles N]
 * [--fresh N --seed N for chat] [--sizes 1500,3000 --seeds N for growth] [--opts JSON of ArticleIndexOptions] [--no-categories]
 * (node --expose-gc for heap after gc). Tune on --split dev; report on test.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { ArticleArchive } from "../src/articles/archive.js";
import type { Article } from "../src/articles/article.js";
import { archiveOf } from "../src/articles/trained-vectors.js";
import { openStore } from "../src/store/index.js";
import { ArticleIndex, type ArticleIndexOptions } from "../src/articles/search.js";
import { WordVecIndex } from "../src/articles/wordvec.js";
import { isStopWord, normalizeText, titleKey } from "../src/articles/tokenize.js";
import { rng } from "../src/articles/rng.js";
import { loadBbc, loadThuc, loadTnews, NEWS, type Labelled } from "./_corpus.js";

export { loadBbc, loadThuc, loadTnews } from "./_corpus.js";

const MINUTE_MS = 60_000;
const T0 = Date.UTC(2024, 0, 1);



function shuffle<T>(arr: T[], rand: () => number): T[] {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [arr[i], arr[j]] = [arr[j]!, arr[i]!];
  }
  return arr;
}

function toArticles(rows: Labelled[], order: number[], prefix: string): Article[] {
  return rows.map((r, i) => ({
    id: `${prefix}:${i}`,
    feedId: prefix,
    source: prefix,
    title: r.title,
    link: `https://example.test/${prefix}/${i}`,
    summary: r.summary,
    categories: noCategories ? [] : (r.categories ?? []),
    publishedAt: T0 + order[i]! * MINUTE_MS,
    firstSeenAt: T0 + order[i]! * MINUTE_MS,
    topics: [],
  }));
}

/** --no-categories: articles without their corpus tags (TNEWS keywords), as before they were used. */
const noCategories = process.argv.includes("--no-categories");

function pct(x: number): string {
  return (100 * x).toFixed(1) + "%";
}

/** Related precision@3 two ways: "earlier" (random order, spec behaviour) and "all others". */
export async function evalRelated(
  name: string,
  rows: Labelled[],
  sample: number,
  opts: ArticleIndexOptions,
  withBaseline = true,
  queryFilter: (row: number) => boolean = () => true,
): Promise<void> {
  const rand = rng(42);
  const order = shuffle(rows.map((_, i) => i), rand);
  const articles = toArticles(rows, order, name);
  const index = new ArticleIndex(opts);
  index.addAll(articles);
  await index.prepareRelated();
  const picks = shuffle(articles.map((_, i) => i), rng(7)).filter(queryFilter).slice(0, sample);
  const tally = { earlier: [0, 0], all: [0, 0] };
  let ms = 0;
  for (const i of picks) {
    const a = articles[i]!;
    for (const mode of ["earlier", "all"] as const) {
      const probe = mode === "all" ? { ...a, publishedAt: Number.MAX_SAFE_INTEGER } : a;
      const t = performance.now();
      const rel = await index.related(probe, 3);
      ms += performance.now() - t;
      for (const r of rel) {
        tally[mode][1]!++;
        if (rows[Number(r.id.split(":")[1])]!.label === rows[i]!.label) tally[mode][0]!++;
      }
    }
  }
  const base = withBaseline ? baselineRelated(rows, picks) : NaN;
  const baseNote = withBaseline ? pct(base) : "-";
  const p = (t: number[]): string => pct(t[0]! / Math.max(1, t[1]!));
  console.log(
    `related p@3  ${name.padEnd(10)} n=${picks.length}/${rows.length}  ours: earlier ${p(tally.earlier)}, ` +
      `all-others ${p(tally.all)}  |  baseline (bag-of-chars/words overlap, all-others) ${baseNote}  ` +
      `[${(ms / (2 * picks.length)).toFixed(2)} ms/query]`,
  );
}

/** Naive related: most shared distinct characters (Chinese) or lower-case words (English). */
function baselineRelated(rows: Labelled[], picks: number[]): number {
  const bags = rows.map((r) => {
    const text = normalizeText(`${r.title} ${r.summary.slice(0, 400)}`);
    const cjk = /\p{Script=Han}/u.test(text);
    return new Set(cjk ? [...text.replace(/[^\p{L}\p{N}]/gu, "")] : text.match(/[a-z0-9]+/g) ?? []);
  });
  let hit = 0;
  let n = 0;
  for (const i of picks) {
    const q = bags[i]!;
    const best: Array<[number, number]> = [];
    for (let j = 0; j < rows.length; j++) {
      if (j === i) continue;
      let s = 0;
      for (const x of q) if (bags[j]!.has(x)) s++;
      if (best.length < 3 || s > best[2]![0]) {
        best.push([s, j]);
        best.sort((a, b) => b[0] - a[0]);
        if (best.length > 3) best.pop();
      }
    }
    for (const [, j] of best) {
      n++;
      if (rows[j]!.label === rows[i]!.label) hit++;
    }
  }
  return hit / Math.max(1, n);
}

const segmenter = new Intl.Segmenter("zh", { granularity: "word" });

/** 2–3 query words from a title: word-like segments (Chinese) or non-stop words (English). */
function knownItemQuery(title: string, rand: () => number): string | null {
  const norm = normalizeText(title);
  const words = /\p{Script=Han}/u.test(norm)
    ? [...segmenter.segment(norm)].filter((s) => s.isWordLike).map((s) => s.segment)
    : (norm.match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !isStopWord(w));
  const distinct = [...new Set(words)];
  if (distinct.length < 2) return null;
  const n = Math.min(distinct.length, 2 + Math.floor(rand() * 2));
  return shuffle(distinct, rand).slice(0, n).join(" ");
}

function evalKnownItem(name: string, rows: Labelled[], sample: number, opts: ArticleIndexOptions): void {
  const rand = rng(1234);
  const articles = toArticles(rows, shuffle(rows.map((_, i) => i), rand), name);
  const index = new ArticleIndex(opts);
  index.addAll(articles);
  const keys = articles.map((a) => titleKey(a.title));
  const lowered = articles.map((a) => normalizeText(a.title));
  const byNewest = articles.map((_, i) => i).sort((x, y) => articles[y]!.publishedAt - articles[x]!.publishedAt);
  let ours = 0;
  let base = 0;
  let n = 0;
  for (const i of shuffle(articles.map((_, j) => j), rand).slice(0, sample)) {
    const q = knownItemQuery(articles[i]!.title, rand);
    if (q === null) continue;
    n++;
    // A hit with the same normalised title counts: identical headlines are indistinguishable.
    const found = (ids: number[]): boolean => ids.some((j) => keys[j] === keys[i]);
    const top = index.search(q, { limit: 5 }).hits.map((h) => Number(h.article.id.split(":")[1]));
    if (found(top)) ours++;
    const words = q.split(" ");
    const sub: number[] = [];
    for (const j of byNewest) {
      if (words.every((w) => lowered[j]!.includes(w))) sub.push(j);
      if (sub.length >= 5) break;
    }
    if (found(sub)) base++;
  }
  console.log(
    `known-item@5 ${name.padEnd(10)} n=${n}  ours ${pct(ours / n)}  |  baseline (all words as substrings, newest first) ${pct(base / n)}`,
  );
}

/**
 * What readers type to find a headline they saw: 4–6 contiguous characters of a Chinese title (no
 * punctuation inside), or 2–3 contiguous words of an English one. Null when the title has none.
 */
export function titleFragment(title: string, rand: () => number): string | null {
  const norm = normalizeText(title);
  if (/\p{Script=Han}/u.test(norm)) {
    const len = 4 + Math.floor(rand() * 3);
    const starts: number[] = [];
    const chars = [...norm];
    for (let i = 0; i + len <= chars.length; i++) {
      if (chars.slice(i, i + len).every((c) => /[\p{L}\p{N}]/u.test(c))) starts.push(i);
    }
    if (starts.length === 0) return null;
    const at = starts[Math.floor(rand() * starts.length)]!;
    return chars.slice(at, at + len).join("");
  }
  const words = norm.match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? [];
  const len = 2 + Math.floor(rand() * 2);
  const starts: number[] = [];
  for (let i = 0; i + len <= words.length; i++) {
    // A fragment of stop words only ("of the") finds nothing by design.
    if (words.slice(i, i + len).some((w) => !isStopWord(w))) starts.push(i);
  }
  if (starts.length === 0) return null;
  const at = starts[Math.floor(rand() * starts.length)]!;
  return words.slice(at, at + len).join(" ");
}

/** Character bigrams (Chinese) or words (English) of a text: the plain baseline's terms. */
function bigramBag(text: string): Set<string> {
  const norm = normalizeText(text);
  if (!/\p{Script=Han}/u.test(norm)) return new Set(norm.match(/[\p{L}\p{N}]+/gu) ?? []);
  const out = new Set<string>();
  for (const run of norm.match(/[\p{L}\p{N}]+/gu) ?? []) {
    const c = [...run];
    if (c.length === 1) out.add(c[0]!);
    for (let i = 0; i + 1 < c.length; i++) out.add(c[i]! + c[i + 1]!);
  }
  return out;
}

/** Known-item success@5 for title fragments, beside a plain bigram-overlap baseline (newest first among ties). */
function evalFragments(name: string, rows: Labelled[], sample: number, opts: ArticleIndexOptions): void {
  const rand = rng(4321);
  const articles = toArticles(rows, shuffle(rows.map((_, i) => i), rand), name);
  const index = new ArticleIndex(opts);
  index.addAll(articles);
  const keys = articles.map((a) => titleKey(a.title));
  const bags = articles.map((a) => bigramBag(a.title));
  let ours = 0;
  let base = 0;
  let n = 0;
  for (const i of shuffle(articles.map((_, j) => j), rand).slice(0, sample)) {
    const q = titleFragment(articles[i]!.title, rand);
    if (q === null) continue;
    n++;
    const found = (ids: number[]): boolean => ids.some((j) => keys[j] === keys[i]);
    if (found(index.search(q, { limit: 5 }).hits.map((h) => Number(h.article.id.split(":")[1])))) ours++;
    const qb = [...bigramBag(q)];
    const scored: Array<[number, number]> = [];
    articles.forEach((a, j) => {
      let s = 0;
      for (const b of qb) if (bags[j]!.has(b)) s++;
      if (s > 0) scored.push([s, j]);
    });
    scored.sort((x, y) => y[0] - x[0] || articles[y[1]]!.publishedAt - articles[x[1]]!.publishedAt);
    if (found(scored.slice(0, 5).map(([, j]) => j))) base++;
  }
  console.log(
    `fragment@5   ${name.padEnd(10)} n=${n}  ours ${pct(ours / n)}  |  baseline (shared bigrams/words, newest first) ${pct(base / n)}`,
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

function heapMb(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  // Typed arrays (the packed postings, the latent vectors) live outside the JS heap: counted too.
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 2 ** 20;
}

/** 100k synthetic articles from the corpora: each title up to 3 times, with varied summaries. */
async function evalScale(total: number): Promise<void> {
  const rand = rng(99);
  const pool = [...loadThuc("dev"), ...loadThuc("test"), ...loadTnews(), ...loadBbc()];
  const byLabel = new Map<string, Labelled[]>();
  for (const r of pool) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r]);
  const rows: Labelled[] = [];
  for (let i = 0; rows.length < total; i++) {
    const r = pool[i % pool.length]!;
    const same = byLabel.get(r.label)!;
    const summary =
      r.summary !== ""
        ? r.summary.slice(Math.floor(rand() * 200))
        : Array.from({ length: 6 }, () => same[Math.floor(rand() * same.length)]!.title).join("。");
    const title = i < pool.length ? r.title : `${r.title} ${same[Math.floor(rand() * same.length)]!.title.slice(0, 4)}`;
    rows.push({ title, summary, label: r.label });
  }
  const articles = toArticles(rows, rows.map((_, i) => i), "syn");
  // As in the bot: the summaries in a SQLite archive, which related() and the trainings read.
  const dir = mkdtempSync(join(tmpdir(), "newsdesk-bench-search-"));
  const store = await openStore(`sqlite://${join(dir, "store.sqlite")}`);
  const archive = new ArticleArchive(store.namespace("articles"), { retentionDays: 3650 });
  for (let i = 0; i < articles.length; i += 1000) await archive.put(articles.slice(i, i + 1000));
  const before = heapMb();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const index = new ArticleIndex({ texts: archive });
  index.addAll(articles);
  const buildMs = performance.now() - t0;
  const buildCpu = process.cpuUsage(cpu0);
  const after = heapMb();
  const qrand = rng(5);
  const queries: string[] = ["新能源", "招商引资", "股", "GDP", "iPhone 15", "election", "房价 上涨", "world cup"];
  while (queries.length < 2000) {
    const q = knownItemQuery(articles[Math.floor(qrand() * articles.length)]!.title, qrand);
    if (q !== null) queries.push(q);
  }
  for (const q of queries.slice(0, 50)) index.search(q); // warm-up
  // Wall time suffers from other processes on a shared machine; CPU time (this process) does not.
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const slow: Array<[number, string]> = [];
  for (const q of queries) {
    const c = process.cpuUsage();
    const t = performance.now();
    index.search(q, { limit: 10 });
    const ms = performance.now() - t;
    const cpu = process.cpuUsage(c);
    times.push(ms);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    slow.push([ms, q]);
  }
  times.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  slow.sort((a, b) => b[0] - a[0]);
  const t1 = performance.now();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const rssBeforeTraining = process.memoryUsage().rss;
  let rssTrainingPeak = rssBeforeTraining;
  const trainingSampler = setInterval(() => (rssTrainingPeak = Math.max(rssTrainingPeak, process.memoryUsage().rss)), 50);
  loop.enable();
  await index.prepareRelated(); // trains the LSA space, then the word vectors, in workers
  loop.disable();
  clearInterval(trainingSampler);
  const trainMs = performance.now() - t1;
  console.log(
    `  related spaces (LSA, then word vectors) trained at ${total} articles: ${(trainMs / 1000).toFixed(1)} s in the background; event-loop delay meanwhile p99 ${(loop.percentile(99) / 1e6).toFixed(0)} ms, max ${(loop.max / 1e6).toFixed(0)} ms; RSS peak +${((rssTrainingPeak - rssBeforeTraining) / 2 ** 20).toFixed(0)} MB meanwhile (workers included)`,
  );
  const trainedHeap = heapMb();
  const relTimes: number[] = [];
  for (let i = 0; i < 300; i++) {
    const a = articles[Math.floor(qrand() * articles.length)]!;
    const t = performance.now();
    await index.related(a, 3);
    relTimes.push(performance.now() - t);
  }
  relTimes.sort((a, b) => a - b);
  // What a new article costs once the spaces serve: indexing it with both spaces' vectors, then its related links.
  const addTimes: number[] = [];
  const newRelTimes: number[] = [];
  for (let i = 0; i < 300; i++) {
    const a = articles[Math.floor(qrand() * articles.length)]!;
    const fresh = { ...a, id: `new:${i}`, link: `${a.link}?new=${i}`, publishedAt: a.publishedAt + 1, firstSeenAt: a.firstSeenAt + 1 };
    await archive.put([fresh]);
    let t = performance.now();
    index.add(fresh);
    addTimes.push(performance.now() - t);
    t = performance.now();
    await index.related(fresh, 3);
    newRelTimes.push(performance.now() - t);
  }
  addTimes.sort((a, b) => a - b);
  newRelTimes.sort((a, b) => a - b);
  console.log(
    `new article  at ${total} articles, spaces trained: add to the index p50 ${percentile(addTimes, 0.5).toFixed(2)} ms, p99 ${percentile(addTimes, 0.99).toFixed(2)} ms; ` +
      `its related links p50 ${percentile(newRelTimes, 0.5).toFixed(1)} ms, p99 ${percentile(newRelTimes, 0.99).toFixed(1)} ms (300 articles)`,
  );
  console.log(
    `scale        ${articles.length} articles: addAll ${(buildMs / 1000).toFixed(1)} s wall / ${((buildCpu.user + buildCpu.system) / 1e6).toFixed(1)} s cpu, heap and typed arrays +${(after - before).toFixed(0)} MB ` +
      `(total ${after.toFixed(0)} MB${(globalThis as { gc?: unknown }).gc ? ", after gc" : ", no gc: run with node --expose-gc"})`,
  );
  console.log(
    `latency      search p50 ${percentile(times, 0.5).toFixed(2)} ms, p99 ${percentile(times, 0.99).toFixed(2)} ms, ` +
      `max ${times[times.length - 1]!.toFixed(1)} ms (${times.length} queries); related p50 ${percentile(relTimes, 0.5).toFixed(1)} ms, ` +
      `p99 ${percentile(relTimes, 0.99).toFixed(1)} ms (${relTimes.length} articles; LSA space trained in the background in ${(trainMs / 1000).toFixed(1)} s, heap then ${trainedHeap.toFixed(0)} MB)`,
  );
  console.log(
    `cpu time     search p50 ${percentile(cpuTimes, 0.5).toFixed(2)} ms, p99 ${percentile(cpuTimes, 0.99).toFixed(2)} ms; ` +
      `slowest wall: ${slow
        .slice(0, 3)
        .map(([ms, q]) => `"${q}" ${ms.toFixed(1)} ms`)
        .join(", ")}; load average ${loadavg()[0]!.toFixed(1)}`,
  );
  // The word vectors alone (prepareRelated above trained the LSA space, then them): time, event-loop
  // delay, memory.
  const words = new WordVecIndex();
  articles.forEach((a, doc) => words.add(doc, a));
  const wordLoop = monitorEventLoopDelay({ resolution: 10 });
  const cpu1 = process.cpuUsage();
  const elu1 = performance.eventLoopUtilization();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 50);
  const t2 = performance.now();
  wordLoop.enable();
  await words.ready(archiveOf(articles), articles.length);
  wordLoop.disable();
  clearInterval(sampler);
  const wordCpu = process.cpuUsage(cpu1);
  const wordMainMs = performance.eventLoopUtilization(elu1).active;
  const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(1);
  console.log(
    `word vectors ${articles.length} articles: trained and embedded in a worker in ${((performance.now() - t2) / 1000).toFixed(1)} s wall, ` +
      `${((wordCpu.user + wordCpu.system) / 1e6).toFixed(1)} s cpu (both threads, ${(wordMainMs / 1000).toFixed(1)} s of it on the main thread); event-loop delay meanwhile p99 ${(wordLoop.percentile(99) / 1e6).toFixed(0)} ms, ` +
      `max ${(wordLoop.max / 1e6).toFixed(0)} ms; RSS peak +${mb(rssPeak - rssBefore)} MB meanwhile (worker included); ` +
      `kept ${mb(words.bytes.vectors)} MB vectors + ${mb(words.bytes.model)} MB model`,
  );
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Related p@3 as the archive grows: the chat measure's sample and protocol (THUCNews titles and
 * 1,000 BBC articles archived, 60 new items of each, earlier only), the method alone, over `seeds`
 * samples (17, 18, …) at each size. What a new deployment can expect in its first weeks.
 */
async function evalGrowth(split: "dev" | "test", sizes: string, seeds: number, index: ArticleIndexOptions): Promise<void> {
  const { measureMethodRelated } = await import("../test/e2e/related-chat.js");
  for (const zhArchived of sizes.split(",").map(Number)) {
    const sum = { zh: { hits: 0, links: 0 }, en: { hits: 0, links: 0 } };
    const each: string[] = [];
    for (let seed = 17; seed < 17 + seeds; seed++) {
      const p = await measureMethodRelated({ zhArchived, enArchived: 1000, fresh: 60, split, seed }, index);
      for (const lang of ["zh", "en"] as const) {
        sum[lang].hits += p[lang].hits;
        sum[lang].links += p[lang].links;
      }
      each.push(p.zh.value.toFixed(2));
    }
    const v = (lang: "zh" | "en"): string => (sum[lang].hits / Math.max(1, sum[lang].links)).toFixed(3);
    console.log(
      `related p@3 by archive size  thuc-${split} ${zhArchived} + bbc 1000 archived, 60 new each, ${seeds} samples: ` +
        `Chinese ${v("zh")} (${each.join(" ")})  English ${v("en")}`,
    );
  }
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** Runs every evaluation and prints one line per figure. */
export async function run(): Promise<void> {
  if (!existsSync(NEWS)) {
    console.log(`skip: corpus not found at ${NEWS} (a fresh clone has no ../shared)`);
    return;
  }
  const split = arg("split", "test");
  // The chat and growth measures sample THUCNews titles from one of its two splits.
  const thucSplit = split === "dev" ? "dev" : "test";
  const sample = Number(arg("sample", "2000"));
  const only = arg("only", "all");
  // --opts '{"latentWeight":0.3}': ArticleIndexOptions to try (tune on --split dev).
  const opts = JSON.parse(arg("opts", "{}")) as ArticleIndexOptions;
  // --sets bbc,thuc: with --only related, just these corpora (by name prefix).
  const sets_ = arg("sets", "").split(",").filter((x) => x !== "");
  if (only === "all" || only === "quality" || only === "related") {
    const bbc = loadBbc();
    const sets: Array<[string, Labelled[]]> = [
      [`thuc-${split}`, loadThuc(split)],
      [`tnews-${split}`, loadTnews(split)],
      ["bbc", bbc],
    ];
    const wanted = (name: string): boolean => only !== "related" || sets_.length === 0 || sets_.some((w) => name.startsWith(w));
    for (const [name, rows] of sets) if (wanted(name)) await evalRelated(name, rows, sample, opts);
    // BBC has no dev split: even-numbered articles are its dev queries, odd ones its test queries
    // (every article stays a candidate).
    const half = split === "dev" ? 0 : 1;
    if (wanted("bbc")) await evalRelated(`bbc-${split}½`, bbc, sample, opts, false, (i) => i % 2 === half);
    if (only !== "related") for (const [name, rows] of sets) evalKnownItem(name, rows, sample, opts);
    if (only !== "related") for (const [name, rows] of sets) evalFragments(name, rows, sample, opts);
  }
  if (only === "search") {
    const sets: Array<[string, Labelled[]]> = [
      [`thuc-${split}`, loadThuc(split)],
      [`tnews-${split}`, loadTnews(split)],
      ["bbc", loadBbc()],
    ];
    for (const [name, rows] of sets) evalKnownItem(name, rows, sample, opts);
    for (const [name, rows] of sets) evalFragments(name, rows, sample, opts);
  }
  if (only === "all" || only === "chat") {
    // The app through the Bot API double (test/e2e/related-chat.ts): full size, as issue 17 measured it.
    const { describeChatRelated, measureChatRelated } = await import("../test/e2e/related-chat.js");
    const o = { zhArchived: 1500, enArchived: 1000, fresh: Number(arg("fresh", "60")), split: thucSplit, seed: Number(arg("seed", "17")) } as const;
    for (const line of describeChatRelated(await measureChatRelated(o), o)) console.log(line);
  }
  if (only === "all" || only === "growth") await evalGrowth(thucSplit, arg("sizes", "1500,3000,6000,9000"), Number(arg("seeds", "10")), opts);
  if (only === "all" || only === "scale") await evalScale(Number(arg("articles", "100000")));
  await Promise.resolve();
}

if (process.argv[1]?.endsWith("search.ts")) await run();
