import { describe, expect, it } from "vitest";
import { isNearDuplicate } from "../../src/articles/related.js";
import { ArticleIndex } from "../../src/articles/search.js";
import { art } from "./fixtures.js";

describe("related", () => {
  const older = [
    art("威海新能源产业集群营收突破200亿", { hour: 1, summary: "风电 光伏 储能 新能源装机" }),
    art("新能源汽车电子项目落户高区", { hour: 2, summary: "新能源 汽车 电子 项目" }),
    art("春节旅游热门目的地榜单发布", { hour: 3, summary: "旅游 春节 目的地" }),
    art("威海光伏储能新能源项目开工", { hour: 4, summary: "光伏 储能 新能源" }),
    art("教育综合改革典型案例公布", { hour: 5 }),
  ];
  const ix = new ArticleIndex();
  ix.addAll(older);

  it("returns the most related earlier articles, topical ones first", async () => {
    const probe = art("新能源储能光伏产业再突破", { hour: 10, summary: "新能源 光伏 储能" });
    ix.add(probe);
    const rel = await ix.related(probe);
    expect(rel).toHaveLength(3);
    expect(rel.map((a) => a.title)).not.toContain("教育综合改革典型案例公布");
    expect(rel.map((a) => a.title).slice(0, 2).sort()).toEqual(
      ["威海光伏储能新能源项目开工", "威海新能源产业集群营收突破200亿"].sort(),
    );
  });

  it("never returns the article itself, later articles, or near-duplicates", async () => {
    const probe = older[1]!; // hour 2: only hour-1 article is earlier
    const rel = await ix.related(probe, 5);
    expect(rel.map((a) => a.id)).not.toContain(probe.id);
    for (const r of rel) expect(r.publishedAt).toBeLessThan(probe.publishedAt);

    const dupIx = new ArticleIndex();
    const original = art("高区召开2024年工作动员大会", { hour: 1 });
    const sameLink = art("动员大会：高区吹响进军号", { hour: 2, link: "https://news.example/same" });
    const other = art("高区工作动员大会部署经济工作", { hour: 3 });
    const probe2 = art("高区召开2024年工作动员大会！", { hour: 9, link: "https://news.example/same" });
    dupIx.addAll([original, sameLink, other, probe2]);
    expect((await dupIx.related(probe2)).map((a) => a.title)).toEqual([other.title]);
  });

  it("does not return two near-duplicates of each other", async () => {
    const dupIx = new ArticleIndex();
    const a = art("高区打印机产业链企业开足马力", { hour: 1 });
    const b = art("高区打印机产业链企业开足马力（图）", { hour: 2 });
    const probe = art("打印机产业链企业订单增长", { hour: 5 });
    dupIx.addAll([a, b, probe]);
    expect(await dupIx.related(probe)).toHaveLength(1);
  });

  it("prefers the more recent of equally related articles", async () => {
    const rix = new ArticleIndex();
    const oldOne = art("新能源汽车补贴政策", { hour: 1 });
    const newOne = art("新能源汽车补贴政策解读", { hour: 1000 });
    const probe = art("新能源汽车补贴", { hour: 1001 });
    rix.addAll([oldOne, newOne, probe]);
    expect((await rix.related(probe, 1))[0]!.id).toBe(newOne.id);
  });

  it("finds English stories through stemmed words", async () => {
    const rix = new ArticleIndex();
    const e1 = art("Elections called in Wales", { hour: 1, summary: "Voters will elect a new assembly" });
    const e2 = art("Football results", { hour: 2, summary: "Goals and games" });
    const probe = art("Welsh election campaign begins", { hour: 3, summary: "The election in Wales" });
    rix.addAll([e1, e2, probe]);
    expect((await rix.related(probe)).map((a) => a.id)).toEqual([e1.id]);
  });
});

describe("isNearDuplicate", () => {
  it("same link, same normalised title, or very similar titles", () => {
    expect(isNearDuplicate(art("甲", { link: "https://x/1" }), art("乙", { link: "https://x/1" }))).toBe(true);
    expect(isNearDuplicate(art("威海：新春第一会"), art("威海:新春第一会"))).toBe(true);
    expect(isNearDuplicate(art("威海再入选春节旅游两大热门榜单"), art("威海再入选春节旅游两大热门榜单啦"))).toBe(true);
    expect(isNearDuplicate(art("威海再入选春节旅游热门榜单"), art("威海新能源产业集群突破"))).toBe(false);
    expect(isNearDuplicate(art("a", { link: "" }), art("b", { link: "" }))).toBe(false);
  });
});
