import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import iconv from "iconv-lite";
import { afterAll, describe, expect, it } from "vitest";
import { decodeFeedBytes } from "../../src/feeds/decode.js";
import { FEED_ERROR_KINDS, FeedError } from "../../src/feeds/errors.js";
import { WorkerFeedProcessor } from "../../src/feeds/parse-pool.js";
import type { ProcessedFeed } from "../../src/feeds/pipeline.js";

const CORPUS = join(process.cwd(), "../shared/corpus/feeds");
const MARKUP = /<\/?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?\/?>/;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** feedparser's test files describe the HTTP header they were served with in a leading comment. */
function httpCharsetOf(bytes: Buffer): string | undefined {
  return /Header:\s*Content-type:[^\n]*charset=['"]?([\w-]+)/i.exec(bytes.subarray(0, 600).toString("latin1"))?.[1];
}

type Outcome = { ok: ProcessedFeed } | { error: unknown };

describe.skipIf(!existsSync(CORPUS))("shared feed corpus (skipped when ../shared/corpus/feeds is absent)", () => {
  const files = existsSync(CORPUS) ? walk(CORPUS).sort() : [];
  // Workers bound time (job timeout) and memory (heap cap) for every file, hostile ones included.
  const pool = new WorkerFeedProcessor({ workers: 4, jobTimeoutMs: 20_000, maxHeapMb: 256 });
  const outcomes = new Map<string, Outcome>();
  const counts: Record<string, number> = {};
  afterAll(async () => {
    await pool.close();
    console.log(`corpus: ${files.length} files`, counts);
  });

  const run = async (file: string): Promise<Outcome> => {
    const cached = outcomes.get(file);
    if (cached) return cached;
    const bytes = readFileSync(file);
    const charset = httpCharsetOf(bytes);
    let outcome: Outcome;
    try {
      outcome = {
        ok: await pool.process(bytes, {
          feedId: "c",
          feedUrl: "https://corpus.example/feed.xml",
          nowMs: Date.UTC(2026, 0, 1),
          timeZone: "Asia/Shanghai",
          ...(charset ? { httpCharset: charset } : {}),
        }),
      };
    } catch (error) {
      outcome = { error };
    }
    outcomes.set(file, outcome);
    const key = "ok" in outcome ? "ok" : outcome.error instanceof FeedError ? outcome.error.kind : "untyped";
    counts[key] = (counts[key] ?? 0) + 1;
    return outcome;
  };

  it.each(files.map((f) => [relative(CORPUS, f), f]))("%s: articles with clean titles and absolute links, or a typed FeedError", async (_name, file) => {
    const outcome = await run(file);
    if ("error" in outcome) {
      expect(outcome.error).toBeInstanceOf(FeedError);
      expect(FEED_ERROR_KINDS).toContain((outcome.error as FeedError).kind);
      return;
    }
    const { articles } = outcome.ok;
    expect(articles.length).toBeGreaterThan(0);
    for (const a of articles) {
      expect(a.title.trim()).not.toBe("");
      expect(a.title).not.toMatch(MARKUP);
      expect(a.title).not.toContain("\uFFFD");
      expect(a.link === "" || /^https?:\/\/[^/]+/.test(a.link)).toBe(true);
      if (a.imageUrl) expect(a.imageUrl).toMatch(/^https?:\/\//);
    }
    // Where the source gives items links, we must keep them.
    const text = readFileSync(file, "latin1");
    const sourceHasLinks = /<(item|entry)[\s>][\s\S]*?<link[\s>][^<]*?(https?:|href=)/i.test(text) || /"url"\s*:\s*"http/.test(text);
    if (sourceHasLinks) expect(articles.some((a) => a.link !== "")).toBe(true);
  });

  it("hostile XML (entity expansion, XXE) ends in hostile-xml, not a timeout", async () => {
    const hostile = files.filter((f) => f.includes("defusedxml-hostile"));
    expect(hostile.length).toBeGreaterThan(0);
    for (const f of hostile) {
      const outcome = await run(f);
      expect("error" in outcome && outcome.error instanceof FeedError && outcome.error.kind).toBe("hostile-xml");
    }
  });

  it("HTML served instead of a feed is not-a-feed", async () => {
    for (const f of files.filter((x) => /notafeed\.html$|unrecognized\.rss$/.test(x))) {
      const outcome = await run(f);
      expect("error" in outcome && (outcome.error as FeedError).kind).toBe("not-a-feed");
    }
  });

  it.each(["rsparser-netnewswire/kc0011.rss", "feedparser-py/illformed/chardet/gb2312.xml"])("GB2312 feed %s comes out as correct Chinese", async (name) => {
    const file = join(CORPUS, name);
    // Expectation from the bytes themselves: the first two Han characters of the first item title.
    const reference = iconv.decode(readFileSync(file), "gb18030");
    const itemTitle = /<item[\s>][\s\S]*?<title>(?:<!\[CDATA\[)?([\s\S]*?)(?:\]\]>)?<\/title>/.exec(reference)?.[1] ?? "";
    const word = /\p{Script=Han}{2}/u.exec(itemTitle)?.[0];
    expect(word).toBeDefined();
    const outcome = await run(file);
    expect("ok" in outcome).toBe(true);
    if ("ok" in outcome) expect(outcome.ok.articles.some((a) => a.title.includes(word!))).toBe(true);
  });

  it("feedparser's GB2312 encoding cases decode as GB18030 (HTTP charset and prolog)", () => {
    const cases = files.filter((f) => /feedparser-py\/encoding\/.*gb2312/.test(f));
    expect(cases.length).toBeGreaterThan(0);
    for (const f of cases) {
      const bytes = readFileSync(f);
      const decoded = decodeFeedBytes(bytes, httpCharsetOf(bytes));
      // These are ASCII-only documents, so valid UTF-8 decoding is equally correct; never mojibake.
      expect(["gb18030", "utf-8"]).toContain(decoded.encoding);
      expect(decoded.text).not.toContain("\uFFFD");
    }
  });
});
