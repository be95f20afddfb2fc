import { describe, expect, it } from "vitest";
import { phraseKey, TitlePhrases } from "../../src/articles/phrase.js";
import { ArticleIndex } from "../../src/articles/search.js";
import { art } from "./fixtures.js";

function titles(result: { hits: Array<{ article: { title: string } }> }): string[] {
  return result.hits.map((h) => h.article.title);
}

describe("ArticleIndex.search: a piece of the headline finds it (issue 17)", () => {
  const ix = new ArticleIndex();
  // Newer articles come later: "newest first among near-equals" would put them first.
  ix.addAll([
    art("中国男足球员名单公布", { hour: 1 }),
    art("国足球员今日集结备战世预赛", { hour: 2 }),
    art("足球：国家队球员伤病情况汇总", { hour: 3 }),
    art("球员谈国足：足球需要耐心", { hour: 4 }),
    art("东直门精装现房均价36000元(图)", { hour: 5 }),
    art("最低不足1300 超值手机推荐", { hour: 6 }),
    art("手机网游《封神online》宅也有礼！", { hour: 7 }),
    art("Surprise win for anti-Bush film", { hour: 8 }),
    art("Anti-spam screensaver scrapped", { hour: 9 }),
    art("Film festival: a win for the anti-war lobby", { hour: 10 }),
    art("Start of the art sale delayed", { hour: 11 }),
  ]);

  it("ranks the title holding the characters contiguously above titles holding the same bigrams apart", () => {
    expect(titles(ix.search("国足球员"))[0]).toBe("国足球员今日集结备战世预赛");
  });

  it("finds a fragment that cuts a number or a Latin word in two", () => {
    expect(titles(ix.search("36000元"))).toEqual(["东直门精装现房均价36000元(图)"]);
    expect(titles(ix.search("价3600"))).toEqual(["东直门精装现房均价36000元(图)"]);
    expect(titles(ix.search("封神onli"))).toEqual(["手机网游《封神online》宅也有礼！"]);
    // A whole number still finds the article that has it as a word, first.
    expect(titles(ix.search("1300"))[0]).toBe("最低不足1300 超值手机推荐");
  });

  it("keeps stop words of an English fragment: the phrase decides the order", () => {
    const r = titles(ix.search("win for anti"));
    expect(r[0]).toBe("Surprise win for anti-Bush film");
    expect(r).toContain("Film festival: a win for the anti-war lobby");
    expect(titles(ix.search("for anti"))[0]).toBe("Surprise win for anti-Bush film");
  });

  it("an English phrase starts at a word boundary: art does not find start", () => {
    expect(titles(ix.search("art sale"))).toEqual(["Start of the art sale delayed"]);
    expect(new TitlePhrases().find("art", () => true)).toEqual([]);
    const p = new TitlePhrases();
    p.add(0, "Start of the sale");
    p.add(1, "Art of the sale");
    expect(p.find(phraseKey("art"), () => true)).toEqual([1]);
  });

  it("still returns the best partial matches when not every word matches", () => {
    // No title has 火星: the two that have both other words lead.
    const r = titles(ix.search("国足 火星 球员"));
    expect(r.slice(0, 2).sort()).toEqual(["国足球员今日集结备战世预赛", "球员谈国足：足球需要耐心"].sort());
    expect(r).toContain("中国男足球员名单公布");
    expect(titles(ix.search("anti-spam comet"))[0]).toBe("Anti-spam screensaver scrapped");
  });

  it("respects the topic and date filters for phrase matches too", () => {
    const f = new ArticleIndex();
    f.addAll([art("均价36000元 东直门", { hour: 1, topics: ["realty"] }), art("均价36000元 西直门", { hour: 50 })]);
    expect(titles(f.search("价3600", { topicId: "realty" }))).toEqual(["均价36000元 东直门"]);
    expect(f.search("价3600", { since: art("x", { hour: 40 }).publishedAt }).hits.map((h) => h.article.title)).toEqual(["均价36000元 西直门"]);
  });
});

describe("TitlePhrases", () => {
  it("folds case, width and punctuation, and joins Han across spaces", () => {
    expect(phraseKey("《WARSOUP》 宣传片")).toBe("warsoup 宣传片");
    expect(phraseKey("中国 足球，ＧＤＰ")).toBe("中国足球 gdp");
  });

  it("forgets removed documents when compacted, across chunks", () => {
    const p = new TitlePhrases();
    for (let d = 0; d < 5000; d++) p.add(d, d % 2 === 0 ? `偶数标题${d}` : `odd title ${d}`);
    expect(p.find("偶数标题", () => true)).toHaveLength(2500);
    p.compact((d) => d % 4 === 0);
    const left = p.find("偶数标题", () => true);
    expect(left).toHaveLength(1250);
    expect(left.every((d) => d % 4 === 0)).toBe(true);
    expect(p.find("odd title", () => true)).toEqual([]);
    p.add(5000, "偶数标题 new");
    expect(p.find("偶数标题", () => true)).toHaveLength(1251);
  });

  it("survives removal and pruning in the index", () => {
    const ix = new ArticleIndex();
    const a = art("封神online公测", { hour: 1 });
    ix.add(a);
    ix.remove(a.id);
    expect(ix.search("封神onl").total).toBe(0);
  });
});
