import { describe, expect, it } from "vitest";
import { isNearDuplicate } from "../../src/articles/related.js";
import { ArticleIndex } from "../../src/articles/search.js";
import { SemanticSpace, semanticSummary, semanticTerms } from "../../src/articles/semantic.js";
import { art } from "./fixtures.js";

// Two made-up subjects; every headline takes three words of its subject, so no two share many.
const SPORT = ["花滑", "短节目", "冠军", "球队", "联赛", "进球", "教练", "决赛", "主场", "射门", "裁判", "球迷"];
const MONEY = ["股市", "基金", "利率", "银行", "债券", "汇率", "央行", "信贷", "指数", "券商", "融资", "上涨"];

function headline(words: readonly string[], i: number): string {
  return `${words[i % 12]!}${words[(i * 5 + 1) % 12]!}${words[(i * 7 + 3) % 12]!}第${i}期`;
}

function corpus(sliceSize?: number): { ix: ArticleIndex; sport: ReturnType<typeof art>[]; money: ReturnType<typeof art>[] } {
  const ix = new ArticleIndex({ latent: { dims: 8, minDocs: 100, ...(sliceSize ? { sliceSize } : {}) } });
  const sport = Array.from({ length: 80 }, (_, i) => art(headline(SPORT, i), { hour: 2 * i + 1 }));
  const money = Array.from({ length: 80 }, (_, i) => art(headline(MONEY, i), { hour: 2 * i + 2 }));
  ix.addAll([...sport, ...money]);
  return { ix, sport, money };
}

describe("related with the LSA space (enough articles to train it)", () => {
  it("finds earlier articles of the same subject, never itself, later ones or near-duplicates", async () => {
    const { ix, sport, money } = corpus();
    const probe = art("花滑短节目冠军第999期", { hour: 500 });
    const dup = art("花滑短节目冠军第999期!", { hour: 400 });
    ix.addAll([probe, dup]);
    await ix.prepareRelated();
    const rel = await ix.related(probe, 5);
    expect(rel).toHaveLength(5);
    const sportIds = new Set(sport.map((a) => a.id));
    for (const r of rel) {
      expect(sportIds.has(r.id)).toBe(true);
      expect(r.publishedAt).toBeLessThan(probe.publishedAt);
      expect(isNearDuplicate(r, probe)).toBe(false);
    }
    // An early money article: only the few earlier articles qualify, and money ones come first.
    const early = money[3]!;
    const relEarly = await ix.related(early, 3);
    for (const r of relEarly) expect(r.publishedAt).toBeLessThan(early.publishedAt);
    expect(relEarly[0]!.title).toMatch(/股市|基金|利率|银行|债券|汇率|央行|信贷|指数|券商|融资|上涨/);
  });

  it("relates headlines that share no word but share their words' company", async () => {
    const { ix, sport, money } = corpus();
    // 射门 and 球迷 never appear together below, yet both co-occur with the other sport words.
    const probe = art("射门", { hour: 900 });
    ix.add(probe);
    await ix.prepareRelated();
    const rel = await ix.related(probe, 10);
    const sportIds = new Set(sport.map((a) => a.id));
    const moneyIds = new Set(money.map((a) => a.id));
    expect(rel.filter((r) => sportIds.has(r.id)).length).toBeGreaterThan(rel.filter((r) => moneyIds.has(r.id)).length);
  });
});

describe("training in the background", () => {
  it("does not block related(): word matches serve while the space trains in slices, then it is used", async () => {
    const { ix, sport, money } = corpus(10);
    const probe = art("射门", { hour: 900 });
    ix.add(probe);
    await ix.related(probe, 10); // starts training; answers from word matches at once
    let trained = false;
    const ready = ix.prepareRelated().then(() => {
      trained = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(trained).toBe(false); // still training after a turn of the event loop: it yields
    await ready;
    const rel = await ix.related(probe, 10);
    const sportIds = new Set(sport.map((a) => a.id));
    const moneyIds = new Set(money.map((a) => a.id));
    expect(rel.filter((r) => sportIds.has(r.id)).length).toBeGreaterThan(rel.filter((r) => moneyIds.has(r.id)).length);
  });
});

describe("SemanticSpace", () => {
  it("puts words that keep the same company close together, and other subjects apart", () => {
    const docs = [
      ...Array.from({ length: 60 }, (_, i) => semanticTerms(headline(SPORT, i), "")),
      ...Array.from({ length: 60 }, (_, i) => semanticTerms(headline(MONEY, i), "")),
    ];
    const space = SemanticSpace.train(docs, { dims: 2 });
    const v = (text: string): Float32Array => space.vector(semanticTerms(text, ""));
    const dot = (a: Float32Array, b: Float32Array): number => a.reduce((s, x, i) => s + x * b[i]!, 0);
    const sameSubject = dot(v("花滑决赛"), v("球迷主场"));
    const otherSubject = dot(v("花滑决赛"), v("央行利率"));
    expect(sameSubject).toBeGreaterThan(otherSubject + 0.3);
  });
});

describe("what the related space reads of a summary", () => {
  it("reads 1,000 characters of Latin text and 300 of Chinese, or what it is told", () => {
    const en = `${"word ".repeat(199)}tail ${"late ".repeat(100)}`;
    expect(semanticTerms("Title", en).has("tail")).toBe(true);
    expect(semanticTerms("Title", en).has("late")).toBe(false);
    expect(semanticTerms("Title", `${"word ".repeat(150)}beyond`).has("beyond")).toBe(true);
    expect(semanticTerms("Title", `${"word ".repeat(150)}beyond`, { maxSummaryChars: 300 }).has("beyond")).toBe(false);
    expect(semanticTerms("Title", `${"word ".repeat(220)}beyond`).has("beyond")).toBe(false);
    const zh = `${"股市".repeat(150)}央行`;
    expect(semanticSummary(zh)).toBe("股市".repeat(150));
    expect(semanticTerms("标题", zh).has("央行")).toBe(false);
    expect(semanticTerms("标题", `${"股市".repeat(140)}央行`).has("央行")).toBe(true);
  });
});
