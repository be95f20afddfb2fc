import { describe, expect, it } from "vitest";
import type { Article } from "../../src/articles/article.js";
import { archiveOf, spreadSample, TrainedVectors, type ArchiveDocs, type Fitted } from "../../src/articles/trained-vectors.js";
import { art } from "./fixtures.js";
import { RelatedSpaces } from "../../src/articles/wordvec-spaces.js";
import { WordVecIndex } from "../../src/articles/wordvec.js";
import type { WordVecModel } from "../../src/articles/wordvec-model.js";
import type { SemanticSpace } from "../../src/articles/semantic.js";

/** A space whose trainings finish when the test says; its model is the number of documents it was trained on. */
class Manual extends TrainedVectors<number> {
  readonly fits: Array<{ live: number; finish: () => void }> = [];

  constructor() {
    super(2, { minDocs: 10, retrainAfter: 0.25 }, "test");
  }

  get serving(): number | null {
    return this.model;
  }

  protected fit(archive: ArchiveDocs, live: readonly number[]): Promise<Fitted<number>> {
    return new Promise((resolve) => {
      this.fits.push({
        live: live.length,
        finish: () => {
          const vecs = new Int8Array(archive.docs.length * 2);
          const has = new Uint8Array(archive.docs.length);
          for (const doc of live) {
            vecs[doc * 2] = 127;
            has[doc] = 1;
          }
          resolve({ model: live.length, vecs, has });
        },
      });
    });
  }

  protected embedInto(_model: number, _a: Article, vecs: Int8Array, offset: number): boolean {
    vecs[offset + 1] = 127;
    return true;
  }
}

const until = async (cond: () => boolean): Promise<void> => {
  while (!cond()) await new Promise((resolve) => setImmediate(resolve));
};

function archive(docs: Array<Article | undefined>, space: Manual, n: number): void {
  for (let i = 0; i < n; i++) {
    const doc = docs.length;
    docs.push(art(`headline ${doc}`));
    space.add(doc, docs[doc]!);
  }
}

describe("TrainedVectors", () => {
  it("usable() waits for the training that covers the archive, not for one trained on part of it", async () => {
    const space = new Manual();
    const docs: Array<Article | undefined> = [];
    archive(docs, space, 600);
    space.ensure(archiveOf(docs), 600);
    await until(() => space.fits.length === 1);
    archive(docs, space, 400); // the rest of the backlog arrives while the first training runs
    space.fits[0]!.finish();
    await until(() => space.serving === 600);
    // Trained on 600 of 1,000: more than half, but due again (400 changes ≥ a quarter of 600).
    let servingWhenUsable: number | null = null;
    const usable = space.usable(archiveOf(docs), 1000, 60_000).then(() => (servingWhenUsable = space.serving));
    await until(() => space.fits.length === 2);
    expect(space.fits[1]!.live).toBe(1000);
    space.fits[1]!.finish();
    await usable;
    expect(servingWhenUsable).toBe(1000);
  });

  it("trains on what was archived when training was due, not on what arrives while it waits its turn", async () => {
    const space = new Manual();
    const docs: Array<Article | undefined> = [];
    archive(docs, space, 100);
    let letGo = (): void => undefined;
    const turn = new Promise<void>((resolve) => (letGo = resolve));
    let waiting = false;
    space.ensure(archiveOf(docs), 100, () => {
      waiting = true;
      return turn;
    });
    await until(() => waiting);
    archive(docs, space, 20); // a first poll's new items, while another space trains
    docs[3] = undefined; // and one article expires
    space.remove(3);
    letGo();
    await until(() => space.fits.length === 1);
    expect(space.fits[0]!.live).toBe(99);
    space.fits[0]!.finish();
    await until(() => space.serving === 99);
    // Those that arrived meanwhile are embedded at the swap; the expired one has no vector.
    const q = new Float32Array([0, 1]);
    expect(space.similarity(q, 110)).toBeCloseTo(1);
    expect(space.similarity(q, 50)).toBe(0);
    expect(space.similarity(new Float32Array([1, 0]), 50)).toBeCloseTo(1);
    expect(space.similarity(new Float32Array([1, 0]), 3)).toBe(0);
    expect([...space.nearest(new Float32Array([0, 1]), 3, (doc) => doc !== 119).keys()]).toEqual([100, 101, 102]);
  });
});

describe("TrainedVectors at the swap", () => {
  it("embeds what arrived during training with the new model, its texts read from the archive in chunks, before the new model serves", async () => {
    const space = new Manual();
    const docs: Array<Article | undefined> = [];
    archive(docs, space, 20);
    const reads: number[] = [];
    let served: number | null = null;
    const source = archiveOf(docs);
    const counted: ArchiveDocs = {
      docs,
      full: (chunk) => {
        reads.push(chunk.length);
        // What serves while a chunk is read: the old model (none) until the swap.
        served = space.serving;
        return source.full(chunk);
      },
    };
    space.ensure(counted, 20);
    await until(() => space.fits.length === 1);
    archive(docs, space, 1200); // a big archive still loading while the space trains
    space.fits[0]!.finish();
    await until(() => space.serving === 20);
    // Read 500 at a time (the bot answers between chunks), not embedded in one go.
    expect(reads).toEqual([500, 500, 200]);
    expect(served).toBeNull();
    const q = new Float32Array([0, 1]);
    expect(space.similarity(q, 20)).toBeCloseTo(1);
    expect(space.similarity(q, 1219)).toBeCloseTo(1);
    expect(space.similarity(new Float32Array([1, 0]), 5)).toBeCloseTo(1);
  });
});

describe("spreadSample", () => {
  it("takes every document up to the cap and spreads a larger archive evenly", () => {
    const live = Array.from({ length: 10 }, (_, i) => i * 2);
    expect(spreadSample(live, 20)).toEqual(live);
    expect(spreadSample(live, 5)).toEqual([0, 4, 8, 12, 16]);
  });
});

describe("RelatedSpaces", () => {
  it("trains the word vectors after the LSA space, also when asked to be ready or usable", async () => {
    const events: string[] = [];
    class Words extends WordVecIndex {
      protected override async fit(archive: ArchiveDocs, live: readonly number[]): Promise<Fitted<WordVecModel>> {
        events.push("words start");
        return super.fit(archive, live);
      }
    }
    class Spaces extends RelatedSpaces {
      protected override async fit(archive: ArchiveDocs, live: readonly number[]): Promise<Fitted<SemanticSpace>> {
        events.push("lsa start");
        const out = await super.fit(archive, live);
        events.push("lsa end");
        return out;
      }
    }
    for (const how of ["ready", "usable"] as const) {
      events.length = 0;
      const spaces = new Spaces({ minDocs: 20, dims: 4 }, new Words({ minDocs: 20, dims: 4, buckets: 512 }));
      const docs = Array.from({ length: 60 }, (_, i) => art(`${["股市", "芯片", "球队"][i % 3]!}新闻 第${i}期`));
      docs.forEach((a, doc) => spaces.add(doc, a));
      if (how === "ready") await spaces.ready(archiveOf(docs), docs.length);
      else await spaces.usable(archiveOf(docs), docs.length, 60_000);
      await spaces.ready(archiveOf(docs), docs.length);
      expect(events).toEqual(["lsa start", "lsa end", "words start"]);
    }
  });
});
