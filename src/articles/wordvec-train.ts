/**
 * Word vectors from the archive's own titles and summary starts: skip-gram with negative sampling
 * over hashed subwords (fastText's unsupervised model, wordvec-sgns.ts), then the rows quantised
 * to bytes and the articles' common direction found. Runs in a worker thread (wordvec-worker.ts):
 * seconds of arithmetic at tens of thousands of articles. Deterministic for a given seed and input.
 */
import { rng } from "./rng.js";
import { idfSlot, subwordBuckets, wordvecWords } from "./wordvec-text.js";
import { IDF_SLOTS, IDF_STEPS, WordVecModel, type WordVecParts } from "./wordvec-model.js";
import { trainSkipGram, type SkipGramCorpus } from "./wordvec-sgns.js";

/** Options for {@link trainWordVectors}. */
export interface WordVecTrainOptions {
  /** Dimensions (default 32; 48 gave the same figures on THUCNews and TNEWS dev). */
  dims?: number;
  /** Rows of the hashed word and subword table (default 32768: 1 MB as bytes at 32 dims; 65536 gave the same figures). */
  buckets?: number;
  /**
   * Most passes over the texts (default 20; fewer when wordPasses says so, which binds from ~100k
   * words: an archive of a few thousand headlines gets them all). 20 instead of 10, dev splits,
   * related p@3 with 1,500 / 3,000 / 6,000 THUCNews titles archived: 0.558 → 0.579 / 0.642 → 0.683 /
   * 0.684 → 0.698; 10,000 titles 73.5 → 73.7 %, TNEWS 35.4 → 34.9 %, BBC 92.7 % either way.
   */
  epochs?: number;
  /** Word occurrences trained on over all passes, at most (default 2,000,000): bounds training time. */
  wordPasses?: number;
  /** Largest context window, in words each side (default 10). */
  window?: number;
  /** Negative samples per context word (default 3: within noise of 5, at two thirds of the arithmetic). */
  negatives?: number;
  /** Starting learning rate, falling linearly to 0 (default 0.05). */
  learningRate?: number;
  /** Fewest occurrences for a word to be predicted as a context word (default 2). */
  minCount?: number;
  /** Frequent-word subsampling threshold (default 0: every word kept; 1e-4 cost 6 points on THUCNews). */
  subsample?: number;
  /** Weight of a title word relative to a summary word in article vectors (default 2). */
  titleWeight?: number;
  /** Summary characters read (default 120). */
  maxSummaryChars?: number;
  /** Random seed (default 17). */
  seed?: number;
}

/** [title, summary] of one article. */
export type WordVecText = readonly [string, string];

const MAX_VOCAB = 200_000;

/** Trains a model on these texts (in this order; deterministic). */
export function trainWordVectors(texts: readonly WordVecText[], opts: WordVecTrainOptions = {}): WordVecParts {
  const dims = opts.dims ?? 32;
  const buckets = opts.buckets ?? 32_768;
  const rand = rng(opts.seed ?? 17);
  const read = readCorpus(texts, buckets, opts);
  const parts = emptyParts(dims, buckets, idfTable(read.df, texts.length), Math.log((texts.length + 1) / 0.5), opts);
  if (read.corpus.total === 0) return parts;
  const { input, trained } = trainSkipGram(
    read.corpus,
    {
      dims,
      buckets,
      // A small archive gets many passes, a large one fewer: about the same number of updates.
      epochs: Math.max(1, Math.min(opts.epochs ?? 20, Math.floor((opts.wordPasses ?? 2_000_000) / read.corpus.total))),
      window: opts.window ?? 10,
      negatives: opts.negatives ?? 3,
      learningRate: opts.learningRate ?? 0.05,
    },
    rand,
  );
  // Each trained row quantised by its own scale; untrained rows stay zero (no vector from noise).
  for (let row = 0; row < buckets; row++) {
    if (trained[row] !== 1) continue;
    const base = row * dims;
    let max = 0;
    for (let j = 0; j < dims; j++) max = Math.max(max, Math.abs(input[base + j]!));
    if (max === 0) continue;
    const s = max / 127;
    parts.scales[row] = s;
    for (let j = 0; j < dims; j++) parts.table[base + j] = Math.round(input[base + j]! / s);
  }
  parts.common = commonDirection(new WordVecModel(parts), texts, dims);
  return parts;
}

/** The texts as word ids (strings dropped once counted), with document frequencies by idf slot. */
function readCorpus(texts: readonly WordVecText[], buckets: number, opts: WordVecTrainOptions): { corpus: SkipGramCorpus; df: Uint32Array } {
  const maxSummary = opts.maxSummaryChars ?? 120;
  const idOf = new Map<string, number>();
  const words: string[] = [];
  const counts: number[] = [];
  const docs: Int32Array[] = [];
  const df = new Uint32Array(IDF_SLOTS);
  const seen = new Set<number>();
  let total = 0;
  for (const [title, summary] of texts) {
    const ws = wordvecWords(title);
    if (summary !== "") ws.push(...wordvecWords(summary.slice(0, maxSummary)));
    seen.clear();
    const ids = new Int32Array(ws.length);
    let n = 0;
    for (const w of ws) {
      let id = idOf.get(w);
      if (id === undefined) {
        if (words.length >= MAX_VOCAB) continue;
        id = words.length;
        idOf.set(w, id);
        words.push(w);
        counts.push(0);
      }
      counts[id]!++;
      ids[n++] = id;
      const slot = idfSlot(w, IDF_SLOTS);
      if (!seen.has(slot)) {
        seen.add(slot);
        df[slot]!++;
      }
    }
    docs.push(ids.subarray(0, n));
    total += n;
  }
  idOf.clear();
  const rowStart = new Int32Array(words.length + 1);
  const rows: number[] = [];
  words.forEach((w, id) => {
    subwordBuckets(w, buckets, rows);
    rowStart[id + 1] = rows.length;
  });
  // Context words that are predicted: those seen minCount times.
  const minCount = opts.minCount ?? 2;
  const outputOf = new Int32Array(words.length).fill(-1);
  const outputCounts: number[] = [];
  counts.forEach((c, id) => {
    if (c < minCount) return;
    outputOf[id] = outputCounts.length;
    outputCounts.push(c);
  });
  const t = opts.subsample ?? 0;
  const keep = new Float32Array(words.length);
  counts.forEach((c, id) => {
    const f = c / total;
    keep[id] = t > 0 ? Math.min(1, Math.sqrt(t / f) + t / f) : 1;
  });
  return { corpus: { docs, total, rowStart, rows: Int32Array.from(rows), outputOf, outputCounts, keep }, df };
}

/** Document frequencies → idf bytes (0: never seen). */
function idfTable(df: Uint32Array, nDocs: number): Uint8Array<ArrayBuffer> {
  const idf = new Uint8Array(IDF_SLOTS);
  for (let s = 0; s < IDF_SLOTS; s++) {
    if (df[s]! > 0) idf[s] = Math.max(1, Math.min(255, Math.round(Math.log((nDocs + 1) / (df[s]! + 0.5)) * IDF_STEPS)));
  }
  return idf;
}

function emptyParts(dims: number, buckets: number, idf: Uint8Array<ArrayBuffer>, unseenIdf: number, opts: WordVecTrainOptions): WordVecParts {
  return {
    dims,
    buckets,
    table: new Int8Array(buckets * dims),
    scales: new Float32Array(buckets),
    idf,
    unseenIdf,
    common: new Float32Array(0),
    titleWeight: opts.titleWeight ?? 2,
    maxSummaryChars: opts.maxSummaryChars ?? 120,
  };
}

/**
 * The direction every headline shares (the mean of up to 5,000 article vectors, normalised), which
 * makes unrelated ones look alike: taking it out of each gained 3–4 points on THUCNews and TNEWS.
 * (SIF takes the first singular vector instead; on THUCNews the two are the same direction, and
 * the mean stays right where an archive has only two subjects.)
 */
function commonDirection(model: WordVecModel, texts: readonly WordVecText[], dims: number): Float32Array<ArrayBuffer> {
  const step = Math.max(1, texts.length / 5000);
  const mean = new Float32Array(dims);
  const v = new Float32Array(dims);
  for (let i = 0; i < texts.length; i = Math.floor(i + step)) {
    const [title, summary] = texts[i]!;
    if (model.embed(title, summary, v)) for (let j = 0; j < dims; j++) mean[j]! += v[j]!;
  }
  let norm = 0;
  for (let j = 0; j < dims; j++) norm += mean[j]! ** 2;
  norm = Math.sqrt(norm);
  if (norm === 0) return new Float32Array(0);
  for (let j = 0; j < dims; j++) mean[j]! /= norm;
  return mean;
}
