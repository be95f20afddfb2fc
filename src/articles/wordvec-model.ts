/**
 * A trained word-vector model as the main thread keeps it: one row of bytes per hashed word or
 * subword, and each word's idf in one byte. It turns an article into a unit vector, the
 * idf-weighted mean of its words' vectors with the archive's common direction taken out.
 */
import { idfSlot, subwordBuckets, wordvecWords } from "./wordvec-text.js";

/** A trained model as plain data (cloned from the training worker, which keeps its own to embed with). */
export interface WordVecParts {
  dims: number;
  /** Rows of the subword table. */
  buckets: number;
  /** buckets × dims, each row quantised to bytes by its own scale (all zero: never trained). */
  table: Int8Array<ArrayBuffer>;
  /** Per-row scale: value = byte × scale. */
  scales: Float32Array<ArrayBuffer>;
  /** Slot (idfSlot) → round(idf × IDF_STEPS); 0: a word training never saw. */
  idf: Uint8Array<ArrayBuffer>;
  /** The idf of a word training never saw. */
  unseenIdf: number;
  /** Unit vector of the direction all articles share (SIF's common component), taken out of each; empty: none. */
  common: Float32Array<ArrayBuffer>;
  /** Weight of a title word relative to a summary word. */
  titleWeight: number;
  /** Summary characters read. */
  maxSummaryChars: number;
}

/** idf resolution in the byte table: 1/16 nat. */
export const IDF_STEPS = 16;
/** idf slots (one byte each). */
export const IDF_SLOTS = 1 << 16;

/** Bytes a model of these parts keeps. */
export function modelBytes(p: WordVecParts): number {
  return p.table.byteLength + p.scales.byteLength + p.idf.byteLength + p.common.byteLength;
}

/** Embeds articles with a trained model; shared by the worker (training) and the main thread. */
export class WordVecModel {
  readonly dims: number;
  private readonly rows: number[] = [];
  private readonly word: Float32Array;
  private readonly scratch: Float32Array;

  constructor(readonly parts: WordVecParts) {
    this.dims = parts.dims;
    this.word = new Float32Array(parts.dims);
    this.scratch = new Float32Array(parts.dims);
  }

  /** Bytes this model keeps. */
  get bytes(): number {
    return modelBytes(this.parts);
  }

  /**
   * An article's unit vector into `out`; false (and zeros) when none of its words has a trained
   * piece.
   */
  embed(title: string, summary: string, out: Float32Array): boolean {
    out.fill(0);
    const { titleWeight, maxSummaryChars } = this.parts;
    let any = this.addWords(wordvecWords(title), titleWeight, out);
    if (summary !== "") any = this.addWords(wordvecWords(summary.slice(0, maxSummaryChars)), 1, out) || any;
    if (!any) return false;
    const k = this.dims;
    const c = this.parts.common;
    if (c.length === k) {
      let dot = 0;
      for (let j = 0; j < k; j++) dot += out[j]! * c[j]!;
      for (let j = 0; j < k; j++) out[j]! -= dot * c[j]!;
    }
    let norm = 0;
    for (let j = 0; j < k; j++) norm += out[j]! ** 2;
    norm = Math.sqrt(norm);
    if (norm === 0) return false;
    for (let j = 0; j < k; j++) out[j]! /= norm;
    return true;
  }

  /**
   * An article's unit vector as bytes (component × 127) into `out` at `offset`; false (and the
   * slot untouched) when it has none. The error this adds to a cosine is below 0.005.
   */
  embedBytes(title: string, summary: string, out: Int8Array, offset: number): boolean {
    const v = this.scratch;
    if (!this.embed(title, summary, v)) return false;
    for (let j = 0; j < this.dims; j++) out[offset + j] = Math.round(v[j]! * 127);
    return true;
  }

  /** Adds each word's unit vector × idf × weight to `out`; true when any word had one. */
  private addWords(words: readonly string[], weight: number, out: Float32Array): boolean {
    const { table, scales, idf, unseenIdf, buckets } = this.parts;
    const k = this.dims;
    const v = this.word;
    let any = false;
    for (const w of words) {
      const rows = this.rows;
      rows.length = 0;
      subwordBuckets(w, buckets, rows);
      v.fill(0);
      for (const r of rows) {
        const s = scales[r]!;
        if (s === 0) continue;
        const base = r * k;
        for (let j = 0; j < k; j++) v[j]! += table[base + j]! * s;
      }
      let norm = 0;
      for (let j = 0; j < k; j++) norm += v[j]! ** 2;
      if (norm === 0) continue;
      const q = idf[idfSlot(w, idf.length)]!;
      const f = (weight * (q === 0 ? unseenIdf : q / IDF_STEPS)) / Math.sqrt(norm);
      for (let j = 0; j < k; j++) out[j]! += f * v[j]!;
      any = true;
    }
    return any;
  }
}
