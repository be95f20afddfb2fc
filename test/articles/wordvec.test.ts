import { describe, expect, it } from "vitest";
import type { Article } from "../../src/articles/article.js";
import { isNearDuplicate } from "../../src/articles/related.js";
import { ArticleIndex } from "../../src/articles/search.js";
import { WordVecIndex } from "../../src/articles/wordvec.js";
import { archiveOf } from "../../src/articles/trained-vectors.js";
import { WordVecModel } from "../../src/articles/wordvec-model.js";
import { subwordBuckets, wordvecWords } from "../../src/articles/wordvec-text.js";
import { trainWordVectors } from "../../src/articles/wordvec-train.js";
import { rng } from "../../src/articles/rng.js";
import { art } from "./fixtures.js";

// Made-up subjects; each headline takes three words of its subject, drawn at random. (Three, not
// two: with two, the direction all headlines share is one subject's, and taking it out is wrong.)
const SPORT = ["花滑", "短节目", "冠军", "球队", "联赛", "进球", "教练", "决赛", "主场", "射门", "裁判", "球迷"];
const MONEY = ["股市", "基金", "利率", "银行", "债券", "汇率", "央行", "信贷", "指数", "券商", "融资", "上涨"];
const TECH = ["芯片", "手机", "算法", "电脑", "网络", "软件", "屏幕", "电池", "系统", "数据", "程序", "硬件"];
const SUBJECTS = [SPORT, MONEY, TECH];

function headline(words: readonly string[], i: number): string {
  const r = rng(i + 1);
  const pick = (): string => words[Math.floor(r() * words.length)]!;
  return `${pick()} ${pick()} ${pick()} 第${i}期`;
}

const texts = (n: number): Array<[string, string]> => Array.from({ length: n }, (_, i) => [headline(SUBJECTS[i % 3]!, i), ""] as [string, string]);

const OPTS = { dims: 16, buckets: 4096, epochs: 20, minDocs: 100 };

function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j]! * b[j]!;
  return s;
}

function embed(model: WordVecModel, title: string): Float32Array {
  const v = new Float32Array(model.dims);
  expect(model.embed(title, "", v)).toBe(true);
  return v;
}

describe("wordvecWords and subwords", () => {
  it("splits Chinese into words and English into stemmed words without stop words", () => {
    const zh = wordvecWords("央行下调利率！");
    expect(zh.join("")).toBe("央行下调利率");
    expect(zh).toEqual(expect.arrayContaining(["央行", "利率"]));
    expect(wordvecWords("The Banks are raising rates")).toEqual(["bank", "rais", "rate"]);
    expect(wordvecWords("iPhone 15 发布")).toEqual(["iphon", "15", "发布"]);
  });

  it("gives a word its own row and its pieces', so related words share some", () => {
    const rows = (w: string): number[] => {
      const out: number[] = [];
      subwordBuckets(w, 1 << 20, out);
      return out;
    };
    expect(rows("股")).toHaveLength(2); // the word, and 股 as a piece of 股市
    expect(rows("花滑")).toHaveLength(3); // the word, 花, 滑
    expect(rows("花样滑冰")).toHaveLength(1 + 4 + 3);
    const shared = rows("花滑").slice(1).filter((r) => rows("花样滑冰").includes(r));
    expect(shared).toHaveLength(2);
    expect(rows("rates").length).toBeGreaterThan(3);
    expect(rows("15")).toHaveLength(1);
  });
});

describe("trainWordVectors", () => {
  it("is deterministic: the same texts give the same model", () => {
    const a = trainWordVectors(texts(200), OPTS);
    const b = trainWordVectors(texts(200), OPTS);
    expect(Buffer.from(a.table.buffer).equals(Buffer.from(b.table.buffer))).toBe(true);
    expect([...a.common]).toEqual([...b.common]);
    expect(a.table.some((x) => x !== 0)).toBe(true);
  });

  it("puts the words of one subject's company together", () => {
    const model = new WordVecModel(trainWordVectors(texts(600), OPTS));
    const shot = embed(model, "射门");
    for (const sport of ["球迷", "冠军", "花滑"]) {
      for (const other of ["券商", "利率", "芯片", "电池"]) expect(cosine(shot, embed(model, sport))).toBeGreaterThan(cosine(shot, embed(model, other)) + 0.3);
    }
    const rate = embed(model, "利率");
    expect(cosine(rate, embed(model, "信贷 汇率"))).toBeGreaterThan(cosine(rate, embed(model, "决赛 主场")) + 0.3);
    expect(cosine(rate, embed(model, "信贷 汇率"))).toBeGreaterThan(cosine(rate, embed(model, "芯片 手机")) + 0.3);
  });

  it("gives a word never seen a vector from its known pieces", () => {
    // Few rows, so that unknown pieces rarely share one with a trained piece.
    const model = new WordVecModel(trainWordVectors(texts(600), { ...OPTS, buckets: 1 << 16 }));
    const unseen = embed(model, "花样滑冰"); // 花 and 滑 are pieces of 花滑
    expect(cosine(unseen, embed(model, "花滑"))).toBeGreaterThan(0.3);
    expect(model.embed("完全陌生", "", new Float32Array(model.dims))).toBe(false);
  });
});

describe("WordVecIndex", () => {
  const docsOf = (articles: Article[]): Array<Article | undefined> => [...articles];

  function filled(n: number): { index: WordVecIndex; articles: Array<Article | undefined> } {
    const index = new WordVecIndex(OPTS);
    const articles = docsOf(texts(n).map(([t], i) => art(t, { hour: i + 1 })));
    articles.forEach((a, doc) => index.add(doc, a!));
    return { index, articles };
  }

  const isSport = (a: Article | undefined): boolean => SPORT.some((w) => a!.title.includes(w));

  it("trains in a worker without blocking, then finds the articles of the same subject", async () => {
    const { index, articles } = filled(300);
    let done = false;
    const ready = index.ready(archiveOf(articles), articles.length).then(() => {
      done = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    await ready;
    expect(index.trained).toBe(true);
    const q = index.vector(art("射门 球迷"))!;
    const near = [...index.nearest(q, 20, () => true).keys()];
    expect(near).toHaveLength(20);
    expect(near.every((doc) => isSport(articles[doc]))).toBe(true);
  });

  it("embeds articles added after training and forgets removed ones", async () => {
    const { index, articles } = filled(300);
    await index.ready(archiveOf(articles), articles.length);
    // The worker embedded the archive; this thread embeds the same way.
    for (const doc of [0, 151, 299]) expect(index.similarity(index.vector(articles[doc]!)!, doc)).toBeGreaterThan(0.99);
    const fresh = art("裁判 射门 第999期", { hour: 999 });
    const doc = articles.length;
    articles.push(fresh);
    index.add(doc, fresh);
    const q = index.vector(art("射门 裁判"))!;
    expect(index.similarity(q, doc)).toBeGreaterThan(0.5);
    expect([...index.nearest(q, 5, () => true).keys()]).toContain(doc);
    index.remove(doc);
    articles[doc] = undefined;
    expect(index.similarity(q, doc)).toBe(0);
    expect([...index.nearest(q, 5, () => true).keys()]).not.toContain(doc);
  });

  it("retrains once the archive has grown by a quarter, learning the new words", async () => {
    const { index, articles } = filled(200);
    await index.ready(archiveOf(articles), articles.length);
    const before = index.vector(art("乒乓"));
    expect(before).toBeNull();
    for (let i = 0; i < 80; i++) {
      const a = art(headline(SPORT, i).replace(/^\S+/, "乒乓"), { hour: 500 + i });
      index.add(articles.length, a);
      articles.push(a);
    }
    await index.ready(archiveOf(articles), articles.length);
    expect(index.vector(art("乒乓"))).not.toBeNull();
  });

  it("keeps one byte per dimension and article", async () => {
    const { index, articles } = filled(300);
    await index.ready(archiveOf(articles), articles.length);
    // 1,024 article slots (the smallest allocation) × (16 dims + a flag), and the 4,096-row model.
    expect(index.bytes.vectors).toBe(1024 * 17);
    expect(index.bytes.model).toBeLessThan(4096 * (16 + 4) + (1 << 16) + 1024);
  });
});

describe("related() with word vectors", () => {
  const corpus = (): Article[] => [
    ...Array.from({ length: 90 }, (_, i) => art(headline(SPORT, i), { hour: 2 * i + 1 })),
    ...Array.from({ length: 90 }, (_, i) => art(headline(MONEY, i), { hour: 2 * i + 2 })),
  ];

  it("ranks by word-vector cosine when it carries the whole score", async () => {
    const wordVectors = { dims: 16, buckets: 4096, epochs: 20, minDocs: 100 };
    const ix = new ArticleIndex({
      latent: { dims: 8, minDocs: 100 },
      latentWeight: 0,
      wordVectors,
      wordVectorWeight: 1,
      wordVectorHalfChars: 1e12,
      wordVectorCandidates: 500,
      relatedHalfLifeDays: 0,
      nearEqualRatio: 1,
    });
    const articles = corpus();
    const probe = art("射门 球迷 联赛", { hour: 1000 });
    ix.addAll([...articles, probe]);
    await ix.prepareRelated();
    const got = (await ix.related(probe, 8)).map((a) => a.id);

    // The same vectors by hand: documents are numbered in the order articles were added.
    const ref = new WordVecIndex(wordVectors);
    const docs: Array<Article | undefined> = [...articles, probe];
    docs.forEach((a, doc) => ref.add(doc, a!));
    await ref.ready(archiveOf(docs), docs.length);
    const q = ref.vector(probe)!;
    // related() skips near-duplicates of the probe and of those already chosen (same words, other issue number).
    const want: Article[] = [];
    for (const doc of ref.nearest(q, 500, (d) => d < articles.length).keys()) {
      const a = docs[doc]!;
      if (isNearDuplicate(a, probe) || want.some((w) => isNearDuplicate(w, a))) continue;
      want.push(a);
      if (want.length === 8) break;
    }
    expect(got).toEqual(want.map((a) => a.id));
  });

  it("at weight 0 related answers from tf-idf and LSA alone", async () => {
    const ix = new ArticleIndex({ latent: { dims: 8, minDocs: 100 }, wordVectorWeight: 0 });
    const articles = corpus();
    const probe = art("射门 球迷 联赛", { hour: 1000 });
    ix.addAll([...articles, probe]);
    await ix.prepareRelated();
    const rel = await ix.related(probe, 3);
    expect(rel).toHaveLength(3);
    expect(rel.every((a) => SPORT.some((w) => a.title.includes(w)))).toBe(true);
  });
});
