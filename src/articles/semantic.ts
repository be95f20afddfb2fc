/**
 * Latent semantic space (LSA) for related(): headlines on one subject often share no word
 * (花滑 / 短节目), but their words co-occur with the same others across the archive. A truncated
 * SVD of the archive's term matrix (randomized, on a sample) maps each term to a few dozen
 * dimensions; an article's vector is the sum of its terms' (fold-in), compared by cosine.
 */
import { hasHan, tokenize } from "./tokenize.js";
import { rng } from "./rng.js";

/** Options for {@link SemanticSpace}. */
export interface SemanticOptions {
  /** Dimensions kept (default 50; 0 disables the space). */
  dims?: number;
  /** Most articles the SVD is computed on (default 10000). */
  maxTrainDocs?: number;
  /** Most terms with a vector, the most frequent first (default 30000). */
  maxTerms?: number;
  /** Fewest articles before a space is trained (default 200). */
  minDocs?: number;
  /** Weight of a title term relative to a summary term (default 2; a whole number: training counts are bytes). */
  titleWeight?: number;
  /** Summary characters used (default: by script, see semanticSummary). */
  maxSummaryChars?: number;
}

/**
 * Summary characters the space reads (training, article vectors, the tf-idf cosine of related())
 * of Latin text. Where feeds carry full text, more says more: BBC dev related p@3 89.0 % at 300,
 * 91.3 % at 600, 92.5 % at 1,000 (bench/search.ts --split dev --only related --sets bbc); a query
 * then costs ~21 instead of ~8 ms at 2,000 articles (each candidate's text is read again).
 */
export const SEMANTIC_SUMMARY_CHARS = 1000;
/**
 * The same for Chinese text: 300 characters carry about what 1,000 Latin ones do, and each costs
 * two bytes where a Latin one costs one (at 100k full-text articles 1,000 would keep ~140 MB more).
 */
export const SEMANTIC_SUMMARY_CHARS_HAN = 300;

/** What the space reads of a summary: `max` characters when given, else by script (see above). */
export function semanticSummary(summary: string, max?: number): string {
  const n = max ?? (hasHan(summary.slice(0, 64)) ? SEMANTIC_SUMMARY_CHARS_HAN : SEMANTIC_SUMMARY_CHARS);
  return summary.length > n ? summary.slice(0, n) : summary;
}

/** Sparse term counts of one text (title weighted), the space's input. */
export type TermCounts = Map<string, number>;

/** Terms for the space: Han characters and bigrams, stemmed Latin words (cheap: no segmenter). */
export function semanticTerms(title: string, summary: string, opts: SemanticOptions = {}): TermCounts {
  const tw = opts.titleWeight ?? 2;
  const out: TermCounts = new Map();
  const add = (text: string, w: number): void => {
    for (const t of tokenize(text, { segmentWords: false, charUnigrams: true })) out.set(t, (out.get(t) ?? 0) + w);
  };
  add(title, tw);
  if (summary !== "") add(semanticSummary(summary, opts.maxSummaryChars), 1);
  return out;
}

/** One document of a {@link TermCorpus}: term ids and their (weighted) counts, capped at 255. */
interface CorpusDoc {
  ids: Int32Array;
  counts: Uint8Array;
}

/** 1 + ln(count) for a byte count: the sublinear tf of a training row. */
const SUBLINEAR_TF = Float64Array.from({ length: 256 }, (_, c) => (c === 0 ? 0 : 1 + Math.log(c)));

/**
 * A training row over the space's vocabulary: the weight of entry e is
 * SUBLINEAR_TF[cnt[e]] × idf[idx[e]] × scale (l2-normalised), worked out where it is used: a
 * Float32 weight per entry took 28 MB at 10k sampled articles, a byte count takes 7.
 */
interface TrainingRow {
  idx: Int32Array;
  cnt: Uint8Array;
  scale: number;
}

/** Term counts of many documents over one shared vocabulary (typed arrays, not a Map each). */
class TermCorpus {
  readonly terms: string[] = [];
  readonly docs: CorpusDoc[] = [];
  private readonly idOf = new Map<string, number>();

  /** Forgets the term strings (ids stay valid); add() must not be called after. */
  dropDictionary(): void {
    this.terms.length = 0;
    this.idOf.clear();
  }

  add(doc: TermCounts): void {
    const ids = new Int32Array(doc.size);
    const counts = new Uint8Array(doc.size);
    let e = 0;
    for (const [t, c] of doc) {
      let id = this.idOf.get(t);
      if (id === undefined) {
        id = this.terms.length;
        this.terms.push(t);
        this.idOf.set(t, id);
      }
      ids[e] = id;
      counts[e++] = Math.min(255, Math.round(c));
    }
    this.docs.push({ ids, counts });
  }
}

interface SparseRow {
  idx: Int32Array;
  val: Float64Array;
}

/** Orthonormalises the l columns of an n×l row-major matrix in place (modified Gram–Schmidt). */
function orthonormalize(m: Float32Array, n: number, l: number): void {
  for (let j = 0; j < l; j++) {
    for (let p = 0; p < j; p++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += m[i * l + j]! * m[i * l + p]!;
      for (let i = 0; i < n; i++) m[i * l + j]! -= d * m[i * l + p]!;
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += m[i * l + j]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < n; i++) m[i * l + j]! /= norm;
  }
}

/** Eigenvectors (columns of the returned l×l matrix) and eigenvalues of a symmetric matrix (Jacobi). */
function symmetricEigen(a: Float64Array, l: number): { vectors: Float64Array; values: Float64Array } {
  const v = new Float64Array(l * l);
  for (let i = 0; i < l; i++) v[i * l + i] = 1;
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < l; p++) for (let q = p + 1; q < l; q++) off += a[p * l + q]! ** 2;
    if (off < 1e-18) break;
    for (let p = 0; p < l; p++) {
      for (let q = p + 1; q < l; q++) {
        const apq = a[p * l + q]!;
        if (Math.abs(apq) < 1e-30) continue;
        const theta = (a[q * l + q]! - a[p * l + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < l; k++) {
          const akp = a[k * l + p]!;
          const akq = a[k * l + q]!;
          a[k * l + p] = c * akp - s * akq;
          a[k * l + q] = s * akp + c * akq;
        }
        for (let k = 0; k < l; k++) {
          const apk = a[p * l + k]!;
          const aqk = a[q * l + k]!;
          a[p * l + k] = c * apk - s * aqk;
          a[q * l + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < l; k++) {
          const vkp = v[k * l + p]!;
          const vkq = v[k * l + q]!;
          v[k * l + p] = c * vkp - s * vkq;
          v[k * l + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const values = new Float64Array(l);
  for (let i = 0; i < l; i++) values[i] = a[i * l + i]!;
  return { vectors: v, values };
}

/** A trained space as data: terms in row order, their idf, and the T×dims projection. */
export interface SpaceParts {
  dims: number;
  terms: string[];
  idf: Float64Array<ArrayBuffer>;
  proj: Float32Array<ArrayBuffer>;
}

/** Collects a training's articles one at a time ({@link SemanticSpace.trainer}), then trains once. */
export interface SpaceTrainer {
  /** Reduces these [title, summary] texts to term counts and keeps only those. */
  add(texts: ReadonlyArray<readonly [string, string]>): void;
  train(): SemanticSpace;
}

/** A trained space: term → row of a T×dims projection, plus each term's idf. */
export class SemanticSpace {
  readonly dims: number;
  private readonly termRow = new Map<string, number>();
  private idf = new Float64Array(0);
  private proj = new Float32Array(0);

  private constructor(dims: number) {
    this.dims = dims;
  }

  /** Trains a space on these articles' term counts (a deterministic sample when there are many). */
  static train(docs: readonly TermCounts[], opts: SemanticOptions = {}): SemanticSpace {
    const corpus = new TermCorpus();
    for (const d of docs) corpus.add(d);
    return SemanticSpace.trainOn(corpus, opts);
  }

  /**
   * A training fed one article at a time: each text is reduced to term counts as it comes, so
   * neither side holds the sample's texts (what the worker receives in chunks: strings clone
   * cheaply, and a Map of terms per article would hold ~5 KB each on both threads).
   */
  static trainer(opts: SemanticOptions = {}): SpaceTrainer {
    const corpus = new TermCorpus();
    return {
      add: (texts) => {
        for (const [title, summary] of texts) corpus.add(semanticTerms(title, summary, opts));
      },
      train: () => SemanticSpace.trainOn(corpus, opts),
    };
  }

  private static trainOn(all: TermCorpus, opts: SemanticOptions): SemanticSpace {
    const k = opts.dims ?? 50;
    const space = new SemanticSpace(k);
    const rand = rng(20240101);
    const maxDocs = opts.maxTrainDocs ?? 10_000;
    let sample = all.docs;
    if (sample.length > maxDocs) {
      const step = sample.length / maxDocs;
      sample = Array.from({ length: maxDocs }, (_, i) => all.docs[Math.floor(i * step)]!);
    }
    const n = sample.length;
    const df = new Int32Array(all.terms.length);
    for (const d of sample) for (const id of d.ids) df[id]!++;
    // Ids, not a tuple per term: at 10k sampled articles there are ~140k terms.
    const terms = all.terms;
    const vocab = Int32Array.from(df.keys())
      .filter((id) => df[id]! >= 2)
      .sort((a, b) => df[b]! - df[a]! || (terms[a]! < terms[b]! ? -1 : 1))
      .subarray(0, opts.maxTerms ?? 30_000);
    space.idf = new Float64Array(vocab.length);
    const rowOfId = new Int32Array(terms.length).fill(-1);
    vocab.forEach((id, i) => {
      space.termRow.set(terms[id]!, i);
      rowOfId[id] = i;
      space.idf[i] = Math.log((n + 1) / (df[id]! + 0.5));
    });
    const T = vocab.length;
    // The whole dictionary (~140k terms at 10k sampled articles, ~25 MB of Map and strings) is not
    // needed past here: the vocabulary keeps its own terms.
    all.dropDictionary();
    // Rows overwrite the corpus's own arrays: at 10k sampled articles a second copy was ~50 MB.
    const rows = sample.map((d) => space.rowInPlace(d, rowOfId));
    const idf = space.idf;
    const l = Math.min(k + 10, T, n);
    if (l < 2) return space;
    // Randomized range finder with two power iterations (Halko et al. 2011).
    // Float32 storage (Gram–Schmidt sums in doubles): at 30k terms × 60 the two were 19 MB as Float64,
    // and the article vectors are quantised to bytes (1/127) in the end anyway.
    const omega = new Float32Array(T * l);
    for (let i = 0; i < omega.length; i++) omega[i] = rand() - 0.5;
    const y = new Float32Array(n * l);
    const mulX = (right: Float32Array, out: Float32Array): void => {
      out.fill(0);
      rows.forEach((r, i) => {
        for (let e = 0; e < r.idx.length; e++) {
          const base = r.idx[e]! * l;
          const x = SUBLINEAR_TF[r.cnt[e]!]! * idf[r.idx[e]!]! * r.scale;
          for (let j = 0; j < l; j++) out[i * l + j]! += x * right[base + j]!;
        }
      });
    };
    const mulXt = (left: Float32Array, out: Float32Array): void => {
      out.fill(0);
      rows.forEach((r, i) => {
        for (let e = 0; e < r.idx.length; e++) {
          const base = r.idx[e]! * l;
          const x = SUBLINEAR_TF[r.cnt[e]!]! * idf[r.idx[e]!]! * r.scale;
          for (let j = 0; j < l; j++) out[base + j]! += x * left[i * l + j]!;
        }
      });
    };
    mulX(omega, y);
    // omega is not needed again: its T×l buffer becomes z.
    const z = omega;
    for (let it = 0; it < 2; it++) {
      orthonormalize(y, n, l);
      mulXt(y, z);
      orthonormalize(z, T, l);
      mulX(z, y);
    }
    orthonormalize(y, n, l);
    mulXt(y, z); // z = Xᵀ Q = Bᵀ (T×l)
    const bbt = new Float64Array(l * l);
    for (let t = 0; t < T; t++) {
      for (let p = 0; p < l; p++) {
        const zp = z[t * l + p]!;
        if (zp === 0) continue;
        for (let q = 0; q < l; q++) bbt[p * l + q]! += zp * z[t * l + q]!;
      }
    }
    const { vectors, values } = symmetricEigen(bbt, l);
    const order = [...values.keys()].sort((a, b) => values[b]! - values[a]!).slice(0, k);
    // V = Bᵀ Ũ Σ⁻¹; the article vector x·V·Σ = x·Bᵀ·Ũ, so the projection is Bᵀ Ũ (no Σ⁻¹).
    space.proj = new Float32Array(T * k);
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < order.length; c++) {
        const col = order[c]!;
        let s = 0;
        for (let p = 0; p < l; p++) s += z[t * l + p]! * vectors[p * l + col]!;
        space.proj[t * k + c] = s;
      }
    }
    return space;
  }

  /** The trained space as plain data (for moving it between threads). */
  toParts(): SpaceParts {
    return { dims: this.dims, terms: [...this.termRow.keys()], idf: this.idf, proj: this.proj };
  }

  /** A space from {@link toParts}. */
  static fromParts(parts: SpaceParts): SemanticSpace {
    const space = new SemanticSpace(parts.dims);
    parts.terms.forEach((t, i) => space.termRow.set(t, i));
    space.idf = parts.idf;
    space.proj = parts.proj;
    return space;
  }

  /** Unit vector of an article's terms (all zeros when none of them is known). */
  vector(doc: TermCounts, out: Float32Array = new Float32Array(this.dims)): Float32Array {
    out.fill(0);
    const r = this.sparse(doc);
    const k = this.dims;
    for (let e = 0; e < r.idx.length; e++) {
      const base = r.idx[e]! * k;
      const x = r.val[e]!;
      for (let j = 0; j < k; j++) out[j]! += x * this.proj[base + j]!;
    }
    let norm = 0;
    for (let j = 0; j < k; j++) norm += out[j]! ** 2;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let j = 0; j < k; j++) out[j]! /= norm;
    return out;
  }

  /** A query's sparse tf-idf vector, term row → weight (unit length), for {@link sparseCosine}. */
  sparseVector(doc: TermCounts): Map<number, number> {
    const r = this.sparse(doc);
    const m = new Map<number, number>();
    for (let e = 0; e < r.idx.length; e++) m.set(r.idx[e]!, r.val[e]!);
    return m;
  }

  /** Cosine of a query's sparse vector and an article's terms over the space's vocabulary. */
  sparseCosine(query: ReadonlyMap<number, number>, doc: TermCounts): number {
    const r = this.sparse(doc);
    let s = 0;
    for (let e = 0; e < r.idx.length; e++) s += (query.get(r.idx[e]!) ?? 0) * r.val[e]!;
    return s;
  }

  /**
   * {@link sparse} of a corpus document as a training row, term ids mapped to rows by `rowOfId`
   * (−1: unknown), written over the document's own arrays (it is not read again).
   */
  rowInPlace(doc: CorpusDoc, rowOfId: Int32Array): TrainingRow {
    const { ids, counts } = doc;
    let kept = 0;
    let norm = 0;
    for (let e = 0; e < ids.length; e++) {
      const i = rowOfId[ids[e]!]!;
      if (i < 0) continue;
      const w = SUBLINEAR_TF[counts[e]!]! * this.idf[i]!;
      ids[kept] = i;
      counts[kept++] = counts[e]!;
      norm += w * w;
    }
    return { idx: ids.subarray(0, kept), cnt: counts.subarray(0, kept), scale: 1 / (Math.sqrt(norm) || 1) };
  }

  /** Known terms with sublinear tf × idf weights, l2-normalised. */
  private sparse(doc: TermCounts): SparseRow {
    const idx: number[] = [];
    const val: number[] = [];
    let norm = 0;
    for (const [t, c] of doc) {
      const i = this.termRow.get(t);
      if (i === undefined) continue;
      const w = (1 + Math.log(c)) * this.idf[i]!;
      idx.push(i);
      val.push(w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    return { idx: Int32Array.from(idx), val: Float64Array.from(val, (x) => x / norm) };
  }
}
