import { describe, expect, it } from "vitest";
import { InvertedIndex } from "../../src/articles/inverted.js";
import { COMMON_TF_BITS, PackedPostings } from "../../src/articles/postings.js";
import { rng } from "../../src/articles/rng.js";

describe("PackedPostings", () => {
  it("reads back every posting through growth, free-list reuse, own buffers and repacking", () => {
    const p = new PackedPostings();
    const rand = rng(7);
    const lists = Array.from({ length: 3000 }, () => p.allocate());
    const want: number[][] = lists.map(() => []);
    // Zipf-like: a few lists get most postings (some outgrow a shared block), most get a few.
    for (let doc = 0; doc < 40_000; doc++) {
      for (let k = 0; k < 12; k++) {
        const list = Math.floor(lists.length * rand() ** 4);
        const bits = Math.floor(rand() * 64);
        if (want[list]!.length > 0 && Math.floor(want[list]!.at(-1)! / 64) === doc) continue;
        p.append(list, doc, bits);
        want[list]!.push(doc * 64 + bits);
      }
    }
    // Gaps of every varint length, up to documents past 2²².
    const far = p.allocate();
    const farWant = [0, 1, 130, 20_000, 3_000_000, 5_000_000].map((doc, i) => doc * 64 + i);
    for (const v of farWant) p.append(far, Math.floor(v / 64), v % 64);
    for (const [i, list] of lists.entries()) expect(p.read(list)).toEqual(want[i]);
    expect(p.read(far)).toEqual(farWant);
    expect(p.countOf(lists[0]!)).toBe(want[0]!.length);
    const { used, reserved } = p.bytes;
    // It repacked along the way: what it holds beyond the postings stays under half of them (plus a page).
    expect(reserved - used).toBeLessThanOrEqual(used / 2 + (1 << 20));
  });
});

describe("PackedPostings bytes", () => {
  it("a posting of the commonest tf bits (once in the body) takes one byte below a gap of 64 documents, any other one more", () => {
    const p = new PackedPostings();
    const common = p.allocate();
    const titled = p.allocate();
    for (let doc = 0; doc < 1000; doc++) {
      p.append(common, doc * 63, COMMON_TF_BITS);
      p.append(titled, doc * 63, 8);
    }
    expect(p.bytes.used).toBe(1000 + 2000);
    expect(p.read(common).slice(0, 2)).toEqual([COMMON_TF_BITS, 63 * 64 + COMMON_TF_BITS]);
    expect(p.read(titled).slice(0, 2)).toEqual([8, 63 * 64 + 8]);
  });
});

describe("InvertedIndex", () => {
  it("scores from packed postings as from plain ones, and compaction keeps live documents only", () => {
    const ix = new InvertedIndex();
    const rand = rng(11);
    const words = Array.from({ length: 400 }, (_, i) => `w${i}`);
    const docs: string[][] = [];
    for (let d = 0; d < 3000; d++) {
      const terms = Array.from({ length: 5 + Math.floor(rand() * 10) }, () => words[Math.floor(words.length * rand() ** 3)]!);
      docs.push(terms);
      ix.add(terms.slice(0, 3), terms.slice(3));
    }
    const matchesOf = (term: string): number[] => ix.score([{ term, prefix: false, weight: 1 }], 1, () => true).docs.sort((a, b) => a - b);
    const holding = (term: string, live: (d: number) => boolean): number[] => docs.flatMap((t, d) => (live(d) && t.includes(term) ? [d] : []));
    for (const term of ["w0", "w7", "w150", "w399"]) expect(matchesOf(term)).toEqual(holding(term, () => true));
    for (let d = 0; d < 3000; d += 2) ix.remove(d);
    expect(ix.needsCompaction()).toBe(true);
    ix.compact();
    for (const term of ["w0", "w7", "w150"]) {
      expect(matchesOf(term)).toEqual(holding(term, (d) => d % 2 === 1));
      expect(ix.docFreq(term)).toBe(holding(term, (d) => d % 2 === 1).length);
    }
    // Title and body counts survive the round trip (tf capped at 7).
    const d = 1;
    const tf = (list: string[], t: string): number => Math.min(list.filter((x) => x === t).length, 7);
    const t = docs[d]![0]!;
    const posting = ix.postingsOf(t).find((p) => Math.floor(p / 64) === d)!;
    expect([(posting >> 3) & 7, posting & 7]).toEqual([tf(docs[d]!.slice(0, 3), t), tf(docs[d]!.slice(3), t)]);
  });
});
