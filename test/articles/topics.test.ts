import { describe, expect, it } from "vitest";
import { matchTopics, queryArticles, resolveTopic, topicName } from "../../src/articles/topics.js";
import { ArticleIndex } from "../../src/articles/search.js";
import { art } from "./fixtures.js";

const topics = [
  { id: "energy", name: "新能源", keywords: ["新能源", "光伏", "solar power"] },
  { id: "politics", name: "Politics", keywords: ["election", "parliament"] },
  { id: "travel", name: "旅游", keywords: ["旅游", "tourism"] },
  { id: "tech", name: "科技", keywords: ["5G", "iPhone"] },
];

describe("matchTopics", () => {
  it("matches Chinese keywords as substrings in title, summary and categories", () => {
    expect(matchTopics(art("剑指营收200亿！威海新能源产业集群"), topics, [])).toEqual(["energy"]);
    expect(matchTopics(art("项目开工", { summary: "分布式光伏电站" }), topics, [])).toEqual(["energy"]);
    expect(matchTopics(art("春节假期", { categories: ["旅游"] }), topics, [])).toEqual(["travel"]);
  });

  it("matches English keywords as whole, stemmed words, case-insensitively", () => {
    expect(matchTopics(art("Snap ELECTIONS called"), topics, [])).toEqual(["politics"]);
    expect(matchTopics(art("Selections of the week"), topics, [])).toEqual([]);
    expect(matchTopics(art("New solar-power plant"), topics, [])).toEqual(["energy"]);
    expect(matchTopics(art("Solar panels and power cuts"), topics, [])).toEqual([]);
  });

  it("handles full-width and mixed text", () => {
    expect(matchTopics(art("５Ｇ基站建设提速"), topics, [])).toEqual(["tech"]);
    expect(matchTopics(art("苹果发布iPhone 15"), topics, [])).toEqual(["tech"]);
  });

  it("adds the feed's default topics, several topics per article, no repeats", () => {
    expect(matchTopics(art("新能源旅游线路", { summary: "election" }), topics, ["local", "travel"])).toEqual([
      "energy",
      "politics",
      "travel",
      "local",
    ]);
  });
});

describe("resolveTopic", () => {
  it.each([["energy"], ["ENERGY"], ["新能源"], ["#新能源"], ["ｐｏｌｉｔｉｃｓ"], [" politics "]])("%s", (input) => {
    expect(resolveTopic(input, topics)).toBeDefined();
  });

  it("takes a per-language topic by its id or its name in any language, and names it in the reader's language", () => {
    const bilingual = [{ id: "energy", name: { "zh-CN": "新能源", en: "New energy" }, keywords: [] }, ...topics.slice(1)];
    for (const input of ["energy", "新能源", "New energy", "new energy", "NEWENERGY", "#新能源"]) expect(resolveTopic(input, bilingual)?.id).toBe("energy");
    expect(resolveTopic("new", bilingual)).toBeUndefined();
    expect(topicName(bilingual[0]!, "en")).toBe("New energy");
    expect(topicName(bilingual[0]!, "zh-CN")).toBe("新能源");
    expect(topicName(topics[0]!, "en")).toBe("新能源"); // one name serves every language
  });

  it("resolves to the right topic and rejects unknown input", () => {
    expect(resolveTopic("旅游", topics)?.id).toBe("travel");
    expect(resolveTopic("Politics", topics)?.id).toBe("politics");
    expect(resolveTopic("体育", topics)).toBeUndefined();
    expect(resolveTopic("", topics)).toBeUndefined();
  });
});

describe("queryArticles", () => {
  const ix = new ArticleIndex();
  const items = [
    art("威海新能源项目开工", { topics: ["energy"], hour: 1 }),
    art("光伏电站并网", { topics: ["energy"], hour: 2 }),
    art("储能新技术", { topics: ["energy"], hour: 3 }),
    art("新能源汽车展", { hour: 4 }),
  ];
  ix.addAll(items);

  it("a topic name lists that topic's latest articles, paged", () => {
    const r = queryArticles(ix, topics, "新能源", { limit: 2 });
    expect(r.mode).toBe("topic");
    expect(r.topic?.id).toBe("energy");
    expect(r.total).toBe(3);
    expect(r.hits.map((h) => h.article.title)).toEqual(["储能新技术", "光伏电站并网"]);
    expect(queryArticles(ix, topics, "ENERGY", { offset: 2 }).hits.map((h) => h.article.title)).toEqual([
      "威海新能源项目开工",
    ]);
  });

  it("other words are a free-text search", () => {
    const r = queryArticles(ix, topics, "新能源汽车");
    expect(r.mode).toBe("search");
    expect(r.total).toBe(1);
    expect(r.hits[0]!.article.title).toBe("新能源汽车展");
  });
});
