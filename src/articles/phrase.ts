/**
 * Contiguous-phrase lookup in titles. Readers search for a piece of a headline they saw, and the
 * piece often cuts a word or number in two (…均价13000元 → "1300", 《WARSOUP》 → "warso"), which no
 * term index finds. Titles are kept as normalised text in chunks and scanned with indexOf: at 100k
 * titles that is a few MB of text and about a millisecond per query.
 */
import { normalizeText } from "./tokenize.js";

const HAN = /\p{Script=Han}/u;
/** A letter or digit that is not Han: Latin words have boundaries, Han text does not. */
const WORD_CHAR = /[\p{L}\p{N}]/u;
/** Titles per sealed chunk. */
const CHUNK_DOCS = 2048;

/**
 * Text for phrase matching: NFKC, lower case, every run of punctuation or spaces as one space,
 * none between two Han characters (中国 足球 is the phrase 中国足球).
 */
export function phraseKey(text: string): string {
  return normalizeText(text)
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .replace(/(\p{Script=Han}) (?=\p{Script=Han})/gu, "$1")
    .trim();
}

interface Chunk {
  /** Keys joined by "\n" (never inside a key). */
  text: string;
  /** Offset of each key in `text`. */
  starts: Int32Array;
  docs: Int32Array;
}

/** Titles' phrase keys by document number (numbers as in the inverted index). */
export class TitlePhrases {
  private chunks: Chunk[] = [];
  private openKeys: string[] = [];
  private openDocs: number[] = [];

  /** Notes a document's title. */
  add(doc: number, title: string): void {
    this.openKeys.push(phraseKey(title));
    this.openDocs.push(doc);
    if (this.openKeys.length >= CHUNK_DOCS) this.seal();
  }

  /**
   * Documents whose title holds the phrase (a {@link phraseKey}), in document order. A phrase
   * without Han characters must start at a word boundary (so "art" does not find "start"); its
   * end may cut a word, as a half-typed last word does.
   */
  find(phrase: string, accept: (doc: number) => boolean): number[] {
    if (phrase === "") return [];
    if (this.openKeys.length > 0) this.seal();
    const bounded = !HAN.test(phrase);
    const out: number[] = [];
    for (const c of this.chunks) {
      let from = 0;
      for (;;) {
        const at = c.text.indexOf(phrase, from);
        if (at < 0) break;
        const i = lastAtOrBefore(c.starts, at);
        const end = i + 1 < c.starts.length ? c.starts[i + 1]! : c.text.length + 1;
        const before = at > c.starts[i]! ? c.text[at - 1]! : "";
        if (bounded && before !== "" && WORD_CHAR.test(before) && !HAN.test(before)) {
          from = at + 1;
          continue;
        }
        const doc = c.docs[i]!;
        if (accept(doc)) out.push(doc);
        from = end;
      }
    }
    return out;
  }

  /** Keeps only documents for which `live` holds (after the inverted index compacts). */
  compact(live: (doc: number) => boolean): void {
    if (this.openKeys.length > 0) this.seal();
    const keys: string[] = [];
    const docs: number[] = [];
    for (const c of this.chunks) {
      for (let i = 0; i < c.docs.length; i++) {
        const doc = c.docs[i]!;
        if (!live(doc)) continue;
        const end = i + 1 < c.starts.length ? c.starts[i + 1]! - 1 : c.text.length;
        keys.push(c.text.slice(c.starts[i], end));
        docs.push(doc);
      }
    }
    this.chunks = [];
    for (let i = 0; i < keys.length; i += CHUNK_DOCS) {
      this.openKeys = keys.slice(i, i + CHUNK_DOCS);
      this.openDocs = docs.slice(i, i + CHUNK_DOCS);
      this.seal();
    }
  }

  /** Turns the open keys into a chunk; a small last chunk is merged with its predecessor's keys later. */
  private seal(): void {
    const last = this.chunks[this.chunks.length - 1];
    // Refill a partly filled last chunk instead of leaving many small ones (one per query otherwise).
    let keys = this.openKeys;
    let docs = this.openDocs;
    if (last !== undefined && last.docs.length < CHUNK_DOCS) {
      this.chunks.pop();
      keys = [...splitChunk(last), ...keys];
      docs = [...last.docs, ...docs];
    }
    const starts = new Int32Array(keys.length);
    let offset = 0;
    keys.forEach((k, i) => {
      starts[i] = offset;
      offset += k.length + 1;
    });
    this.chunks.push({ text: keys.join("\n"), starts, docs: Int32Array.from(docs) });
    this.openKeys = [];
    this.openDocs = [];
  }
}

function splitChunk(c: Chunk): string[] {
  return Array.from(c.starts, (s, i) => c.text.slice(s, i + 1 < c.starts.length ? c.starts[i + 1]! - 1 : c.text.length));
}

/** Index of the last start ≤ at. */
function lastAtOrBefore(starts: Int32Array, at: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
