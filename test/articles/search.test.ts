import { describe, expect, it } from "vitest";
import { ArticleIndex } from "../../src/articles/search.js";
import { art, HOUR_MS, T0 } from "./fixtures.js";

function titles(result: { hits: Array<{ article: { title: string } }> }): string[] {
  return result.hits.map((h) => h.article.title);
}

describe("ArticleIndex.search: Chinese compounds", () => {
  const ix = new ArticleIndex();
  ix.addAll([
    art("高区打印机产业链企业开足马力"),
    art("剑指营收200亿！威海新能源产业集群这样突破"),
    art("全省高质量招商引资大会召开"),
    art("威海再入选春节旅游两大热门榜单"),
    art("高温天气持续", { summary: "市区气温升高" }),
  ]);

  it.each([
    ["打印机", "高区打印机产业链企业开足马力"],
    ["打印", "高区打印机产业链企业开足马力"],
    ["高区", "高区打印机产业链企业开足马力"],
    ["新能源", "剑指营收200亿！威海新能源产业集群这样突破"],
    ["能源", "剑指营收200亿！威海新能源产业集群这样突破"],
    ["招商引资", "全省高质量招商引资大会召开"],
    ["招商", "全省高质量招商引资大会召开"],
    ["引资", "全省高质量招商引资大会召开"],
  ])("%s finds its article and nothing unrelated", (query, title) => {
    const r = ix.search(query);
    expect(titles(r)).toEqual([title]);
    expect(r.total).toBe(1);
  });

  it("puts articles with every query word first, then those with fewer (issue: search needed every word)", () => {
    const both = titles(ix.search("威海 旅游"));
    expect(both[0]).toBe("威海再入选春节旅游两大热门榜单");
    expect(both).toContain("剑指营收200亿！威海新能源产业集群这样突破");
  });

  it("a word that matches nothing does not hide the articles that match the others", () => {
    expect(titles(ix.search("威海 旅游 火星"))[0]).toBe("威海再入选春节旅游两大热门榜单");
    expect(titles(ix.search("威海 火星"))).toContain("威海再入选春节旅游两大热门榜单");
    expect(ix.search("火星 土星").total).toBe(0);
  });

  it("a one-character query matches the character anywhere, including at the end of a run", () => {
    const r = ix.search("链");
    expect(titles(r)).toEqual(["高区打印机产业链企业开足马力"]);
    expect(titles(ix.search("破"))).toEqual(["剑指营收200亿！威海新能源产业集群这样突破"]);
  });

  it("searches the summary too, ranking title matches higher", () => {
    const more = new ArticleIndex();
    more.addAll([art("天气预报", { summary: "明日高区有雨" }), art("高区新闻", { summary: "今日要闻" })]);
    expect(titles(more.search("高区"))).toEqual(["高区新闻", "天气预报"]);
  });
});

describe("ArticleIndex.search: mixed scripts and English", () => {
  const ix = new ArticleIndex();
  ix.addAll([
    art("一季度GDP同比增长5.3%"),
    art("苹果发布iPhone 15，支持USB-C"),
    art("5G基站建设提速"),
    art("Parliament elections called for May"),
    art("Weather: sunny spells"),
  ]);

  it.each([
    ["gdp", "一季度GDP同比增长5.3%"],
    ["ＧＤＰ", "一季度GDP同比增长5.3%"],
    ["GDP 增长", "一季度GDP同比增长5.3%"],
    ["iphone", "苹果发布iPhone 15，支持USB-C"],
    ["iPhone 15", "苹果发布iPhone 15，支持USB-C"],
    ["5G", "5G基站建设提速"],
    ["election", "Parliament elections called for May"],
    ["Elections", "Parliament elections called for May"],
    ["the election", "Parliament elections called for May"],
  ])("%s", (query, title) => {
    expect(titles(ix.search(query))).toEqual([title]);
  });

  it("returns nothing for stop words only or no match", () => {
    expect(ix.search("the of").total).toBe(0);
    expect(ix.search("火星").total).toBe(0);
  });
});

describe("ArticleIndex ranking, pagination and filters", () => {
  it("breaks near-equal scores by recency, newest first", () => {
    const ix = new ArticleIndex();
    const old = art("新能源汽车销量", { hour: 1 });
    const mid = art("新能源汽车出口", { hour: 5 });
    const young = art("新能源汽车价格", { hour: 9 });
    ix.addAll([mid, old, young]);
    expect(ix.search("新能源").hits.map((h) => h.article.id)).toEqual([young.id, mid.id, old.id]);
  });

  it("keeps relevance above recency when scores differ clearly", () => {
    const ix = new ArticleIndex();
    ix.add(art("新能源", { hour: 1 }));
    ix.add(art("今日要闻", { summary: "其中一条提到新能源的政策解读和其他很多内容", hour: 9 }));
    expect(titles(ix.search("新能源"))[0]).toBe("新能源");
  });

  it("pages with offset and limit and reports the total", () => {
    const ix = new ArticleIndex();
    for (let i = 0; i < 7; i++) ix.add(art(`旅游新闻第${i}条`, { hour: i }));
    const first = ix.search("旅游", { limit: 3 });
    const last = ix.search("旅游", { limit: 3, offset: 6 });
    expect(first.total).toBe(7);
    expect(first.hits).toHaveLength(3);
    expect(last.hits).toHaveLength(1);
    const all = ix.search("旅游", { limit: 10 }).hits.map((h) => h.article.id);
    expect([...first.hits, ...ix.search("旅游", { limit: 3, offset: 3 }).hits, ...last.hits].map((h) => h.article.id)).toEqual(all);
  });

  it("filters by topic and by time", () => {
    const ix = new ArticleIndex();
    ix.addAll([
      art("旅游 A", { topics: ["travel"], hour: 1 }),
      art("旅游 B", { hour: 2 }),
      art("旅游 C", { topics: ["travel"], hour: 3 }),
    ]);
    expect(titles(ix.search("旅游", { topicId: "travel" })).sort()).toEqual(["旅游 A", "旅游 C"]);
    expect(titles(ix.search("旅游", { since: T0 + 2 * HOUR_MS }))).toEqual(["旅游 C", "旅游 B"]);
  });

  it("latest lists newest first, per topic, with offset", () => {
    const ix = new ArticleIndex();
    const a = art("a", { hour: 3, topics: ["x"] });
    const b = art("b", { hour: 1, topics: ["x"] });
    const c = art("c", { hour: 2 });
    ix.add(a);
    ix.add(b);
    ix.add(c);
    expect(ix.latest().map((x) => x.title)).toEqual(["a", "c", "b"]);
    expect(ix.latest({ topicId: "x" }).map((x) => x.title)).toEqual(["a", "b"]);
    expect(ix.latest({ offset: 1, limit: 1 }).map((x) => x.title)).toEqual(["c"]);
  });

  it("replaces an article re-added with the same id, and removes", () => {
    const ix = new ArticleIndex();
    const a = art("旧标题");
    ix.add(a);
    ix.add({ ...a, title: "新标题" });
    expect(ix.size).toBe(1);
    expect(ix.search("旧标题").total).toBe(0);
    expect(ix.search("新标题").total).toBe(1);
    ix.remove(a.id);
    expect(ix.has(a.id)).toBe(false);
    expect(ix.search("新标题").total).toBe(0);
    expect(ix.latest()).toEqual([]);
  });

  it("prune drops articles older than the cut-off from search and latest", () => {
    const ix = new ArticleIndex();
    ix.addAll([art("旅游 old", { hour: 1 }), art("旅游 older", { hour: 0 }), art("旅游 new", { hour: 10 })]);
    expect(ix.prune(T0 + 5 * HOUR_MS)).toBe(2);
    expect(ix.size).toBe(1);
    expect(titles(ix.search("旅游"))).toEqual(["旅游 new"]);
    expect(ix.latest().map((a) => a.title)).toEqual(["旅游 new"]);
    expect(ix.prune(T0)).toBe(0);
  });

  it("stays correct after enough removals to compact", () => {
    const ix = new ArticleIndex();
    for (let i = 0; i < 3000; i++) ix.add(art(i % 2 === 0 ? `旅游${i}` : `体育${i}`, { hour: i }));
    expect(ix.prune(T0 + 2000 * HOUR_MS)).toBe(2000);
    expect(ix.search("旅游").total).toBe(500);
    expect(ix.search("体育", { limit: 1 }).hits[0]!.article.title).toBe("体育2999");
  });
});

describe("ArticleIndex.search: queries whose words do not all match", () => {
  it("ranks articles by how many of the reader's words they match, all-words first, and still finds partial matches", () => {
    const ix = new ArticleIndex();
    ix.addAll([
      art("Solar farm opens on the coast"),
      art("Investment fund for new factories"),
      art("Solar panels bring investment to the harbour"),
      art("Weather: rain tomorrow"),
    ]);
    const titles = ix.search("solar panels investment").hits.map((h) => h.article.title);
    expect(titles[0]).toBe("Solar panels bring investment to the harbour");
    expect(titles).toContain("Solar farm opens on the coast");
    expect(titles).toContain("Investment fund for new factories");
    expect(titles).not.toContain("Weather: rain tomorrow");
    // One Chinese word stays strict: 旧标题 does not turn into "anything with 标题".
    const zh = new ArticleIndex();
    zh.addAll([art("新标题公布"), art("旧标题回顾")]);
    expect(zh.search("旧标题").hits.map((h) => h.article.title)).toEqual(["旧标题回顾"]);
  });
});

describe("ArticleIndex memory: what it keeps of an article", () => {
  const body = "上海证券交易所今日发布公告称，".repeat(80);

  it("holds the article without its summary (the archive has it), and indexes the summary's start when it comes", () => {
    const ix = new ArticleIndex();
    const a = art("上交所发布公告", { summary: body, categories: ["财经"], imageUrl: "https://img.example/a.jpg", author: "记者" });
    ix.add(a);
    const kept = ix.get(a.id)!;
    expect("summary" in kept).toBe(false);
    expect({ ...kept, summary: a.summary }).toEqual(a);
    expect(ix.search("上交所").hits.map((h) => h.article.id)).toEqual([a.id]);
    // The index read the summary when the article came (maxIndexedSummaryChars, 400).
    const deep = art("另一条", { summary: `${"无关内容。".repeat(70)}深交所` });
    const far = art("又一条", { summary: `${"无关内容。".repeat(90)}港交所` });
    ix.addAll([deep, far]);
    expect(ix.search("深交所").hits.map((h) => h.article.id)).toEqual([deep.id]);
    expect(ix.search("港交所").total).toBe(0);
  });

  it("articles without categories or topics share one frozen empty list", () => {
    const ix = new ArticleIndex();
    const [a, b] = [art("甲新闻"), art("乙新闻")];
    ix.add(a);
    ix.add(b);
    expect(ix.get(a.id)!.topics).toBe(ix.get(b.id)!.topics);
    expect(Object.isFrozen(ix.get(a.id)!.categories)).toBe(true);
    expect(a.topics).not.toBe(ix.get(a.id)!.topics);
  });
});
