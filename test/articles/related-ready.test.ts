import Keyv from "keyv";
import { describe, expect, it } from "vitest";
import { Library } from "../../src/articles/library.js";
import { ArticleIndex } from "../../src/articles/search.js";
import type { Article } from "../../src/articles/article.js";
import { art, T0 } from "./fixtures.js";

const SPORT = ["花滑", "短节目", "冠军", "球队", "联赛", "进球", "教练", "决赛", "主场", "射门", "裁判", "球迷"];
const MONEY = ["股市", "基金", "利率", "银行", "债券", "汇率", "央行", "信贷", "指数", "券商", "融资", "上涨"];
const headline = (w: readonly string[], i: number): string => `${w[i % 12]!}${w[(i * 5 + 1) % 12]!}${w[(i * 7 + 3) % 12]!}第${i}期`;

function backlog(): ReturnType<typeof art>[] {
  return [
    ...Array.from({ length: 120 }, (_, i) => art(headline(SPORT, i), { hour: 2 * i + 1 })),
    ...Array.from({ length: 120 }, (_, i) => art(headline(MONEY, i), { hour: 2 * i + 2 })),
  ];
}

describe("related links after a first poll's backlog (issue 17)", () => {
  it("train on the backlog as it is archived, and relatedReady waits for that space", async () => {
    const library = new Library(new Keyv(), 3650, () => T0 + 1000 * 3_600_000);
    await library.load();
    const items = backlog();
    // As the scheduler does: archived, then handed to the library.
    await library.archive.put(items);
    library.archived(items);
    const probe = art("花滑短节目冠军第999期", { hour: 900 });
    await library.archive.put([probe]);
    library.archived([probe]);
    await library.relatedReady();
    const fromChat = (await library.index.related(probe, 5)).map((a) => a.id);

    // The method as the bench runs it: the same articles, the space trained before asking.
    const reference = new ArticleIndex();
    reference.addAll([...items, probe]);
    await reference.prepareRelated();
    expect(fromChat).toEqual((await reference.related(probe, 5)).map((a) => a.id));
  });

  it("without a backlog big enough to train on, relatedReady resolves at once", async () => {
    const ix = new ArticleIndex();
    ix.addAll(backlog().slice(0, 50));
    let done = false;
    const ready = ix.relatedReady().then(() => {
      done = true;
    });
    await Promise.resolve();
    await ready;
    expect(done).toBe(true);
    expect(await ix.related(art("花滑冠军第1期", { hour: 900 }), 3)).toHaveLength(3);
  });

  it("gives up waiting after maxWaitMs and word matches serve", async () => {
    const ix = new ArticleIndex();
    ix.addAll(backlog());
    ix.warmRelated();
    const started = Date.now();
    await ix.relatedReady(0);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await ix.related(art("花滑短节目冠军第999期", { hour: 900 }), 3)).toHaveLength(3);
    await ix.prepareRelated();
  });
});

describe("the index holds no summaries (issue 17: memory)", () => {
  it("ranks related articles from summaries read from the archive exactly as with summaries held, trained or not", async () => {
    // Headlines that say little, summaries that tell the subject: what is read of them decides.
    const items = [
      ...Array.from({ length: 130 }, (_, i) => art(`第${i}期快讯`, { hour: 2 * i + 1, summary: `${headline(SPORT, i)}。${headline(SPORT, i + 3)}` })),
      ...Array.from({ length: 130 }, (_, i) => art(`第${i}期要闻`, { hour: 2 * i + 2, summary: `${headline(MONEY, i)}。${headline(MONEY, i + 5)}` })),
    ];
    const probes = [
      art("今日消息", { hour: 900, summary: "花滑短节目冠军决赛主场" }),
      art("今日消息", { hour: 901, summary: "央行利率债券汇率上涨" }),
    ];
    const library = new Library(new Keyv(), 3650, () => T0 + 1000 * 3_600_000);
    await library.archive.put(items);
    library.archived(items);
    const held = new ArticleIndex();
    held.addAll(items);
    const reads: number[] = [];
    const readSummaries = library.archive.summaries.bind(library.archive);
    library.archive.summaries = (ids) => {
      reads.push(ids.length);
      return readSummaries(ids);
    };
    const ids = async (ix: ArticleIndex, probe: Article): Promise<string[]> => (await ix.related(probe, 5)).map((a) => a.id);
    for (const trained of [false, true]) {
      if (trained) await Promise.all([library.index.prepareRelated(), held.prepareRelated()]);
      for (const probe of probes) {
        const got = await ids(library.index, probe);
        expect(got).toHaveLength(5);
        expect(got).toEqual(await ids(held, probe));
      }
    }
    // The trainings and the re-scoring read the archive; nothing in the index holds a summary.
    expect(reads.length).toBeGreaterThan(2);
    expect(items.every((a) => !("summary" in library.index.get(a.id)!))).toBe(true);
    // The summaries told sport from money: the probes' links are of their own kind.
    expect((await library.index.related(probes[0]!, 5)).every((a) => a.title.endsWith("快讯"))).toBe(true);
  });
});

describe("a big archive loads while the bot answers (issue 17)", () => {
  it("relatedReady waits for the archive to be indexed, so a new article's links see all of it", async () => {
    const kv = new Keyv();
    const now = () => T0 + 1000 * 3_600_000;
    const items = backlog();
    await new Library(kv, 3650, now).archive.put(items);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const iterate = kv.iterator!.bind(kv);
    // The store's listing is held back, as a slow disk holds back 100k rows.
    kv.iterator = async function* (namespace?: string) {
      await gate;
      yield* iterate(namespace);
    } as typeof kv.iterator;
    const library = new Library(kv, 3650, now);
    const order: string[] = [];
    const loading = library.load().then((n) => order.push(`loaded ${n}`));
    const ready = library.relatedReady().then(() => order.push("ready"));
    expect(library.load()).toBe(library.load());
    order.push("released");
    release();
    await Promise.all([loading, ready]);
    expect(order).toEqual(["released", `loaded ${items.length}`, "ready"]);
    expect(library.index.size).toBe(items.length);
  });
});
