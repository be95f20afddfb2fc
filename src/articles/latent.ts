import type { Article } from "./article.js";
import { Worker } from "node:worker_threads";
import { workerEntry } from "../worker-entry.js";
import { SemanticSpace, semanticTerms, type SemanticOptions, type SpaceParts, type TermCounts } from "./semantic.js";

/** Articles handled between two yields to the event loop while training (default). */
const SLICE = 500;
/** Longest run of mapping work between two yields (ms): what a command waits for at worst. */
const SLICE_MS = 8;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** [title, summary] of one sampled article, as the training worker receives it. */
type TrainingText = readonly [string, string];

/**
 * The SVD takes seconds at 10k sampled articles: it runs in a worker thread so the bot keeps
 * answering, and the worker tokenizes the texts itself (a term Map per article cost ~5 KB on
 * each thread, and cloning them blocked the event loop). Where no worker can start, it runs here
 * (still correct, just blocking).
 */
async function trainOffThread(texts: TrainingText[], opts: SemanticOptions): Promise<SemanticSpace> {
  let worker: Worker;
  try {
    const entry = workerEntry(import.meta.url, "train-worker");
    worker = new Worker(entry.script, { eval: entry.eval });
  } catch {
    return SemanticSpace.trainOnTexts(texts, opts);
  }
  try {
    const parts = await new Promise<SpaceParts>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`training worker exited with ${code}`)));
      worker.postMessage({ texts, opts });
    });
    return SemanticSpace.fromParts(parts);
  } finally {
    void worker.terminate();
  }
}

/** Options for {@link LatentIndex}. */
export interface LatentOptions extends SemanticOptions {
  /** Articles added since training, as a share of those trained on, that trigger retraining (default 0.25). */
  retrainAfter?: number;
  /** Articles handled between two yields to the event loop while training (default 500). */
  sliceSize?: number;
}

/** Similarities to one query article. */
export interface LatentScorer {
  /** The query's LSA unit vector. */
  vector: Float32Array;
  /** Sparse tf-idf cosine (sublinear tf, space vocabulary) between the query and an article. */
  cosine(candidate: Article): number;
  /** LSA cosine between the query and an indexed document (0 without a vector). */
  latent(doc: number): number;
}

/**
 * One LSA vector per indexed article (document numbers as in the inverted index). The space is
 * trained lazily on the first use once there are enough articles, and again after the archive
 * has changed by `retrainAfter`; articles added in between are folded into the current space.
 */
export class LatentIndex {
  private space: SemanticSpace | null = null;
  /** Unit vectors quantised to bytes (component × 127): a quarter of Float32's 20 MB at 100k articles. */
  private vecs = new Int8Array(0);
  private readonly scratch: Float32Array;
  private has = new Uint8Array(0);
  private readonly dims: number;
  private trainedOn = 0;
  private changedSince = 0;
  /** The running training; it never rejects (a failure lands in `failure`). */
  private training: Promise<void> | null = null;
  private failure: unknown = undefined;

  constructor(private readonly opts: LatentOptions = {}) {
    this.dims = opts.dims ?? 50;
    this.scratch = new Float32Array(this.dims);
  }

  /** False when disabled (dims 0). */
  get enabled(): boolean {
    return this.dims > 0;
  }

  /** Notes a new article; folded in right away when a space exists. */
  add(doc: number, article: Article): void {
    this.changedSince++;
    if (this.space === null) return;
    this.reserve(doc + 1);
    this.store(this.space, article, this.vecs, doc);
    this.has[doc] = 1;
  }

  /** Forgets an article's vector. */
  remove(doc: number): void {
    this.changedSince++;
    if (doc < this.has.length) this.has[doc] = 0;
  }

  /**
   * True when a trained space can be used now. When (re)training is due it starts in the background
   * and the current space (or none: callers fall back to word matches) serves until it is ready, so
   * a related() call never blocks the bot for the seconds training takes at 100k articles.
   */
  ensure(docs: ReadonlyArray<Article | undefined>, liveCount: number): boolean {
    if (!this.enabled || liveCount < (this.opts.minDocs ?? 200)) return false;
    const due = this.space === null || this.changedSince >= (this.opts.retrainAfter ?? 0.25) * this.trainedOn;
    if (due && this.training === null) {
      this.training = this.train(docs, liveCount)
        .catch((err: unknown) => {
          // Word matches serve meanwhile; the next call that finds training due tries again.
          this.failure = err;
        })
        .finally(() => {
          this.training = null;
        });
    }
    return this.space !== null;
  }

  /** Resolves when no training is running (after starting one if due); rejects when it failed. */
  async ready(docs: ReadonlyArray<Article | undefined>, liveCount: number): Promise<void> {
    this.failure = undefined;
    this.ensure(docs, liveCount);
    while (this.training !== null) await this.training;
    const failure = this.failure;
    this.failure = undefined;
    if (failure !== undefined) throw failure instanceof Error ? failure : new Error("related-articles training failed", { cause: failure });
  }

  /**
   * Resolves once a space that knows at least half of the archive serves, or when none can
   * (too few articles, disabled, training failed), or after `maxWaitMs`. Starts training when due.
   * Related links chosen before that would be word matches only: this is what the first new
   * articles after a first poll's backlog wait for.
   */
  async usable(docs: ReadonlyArray<Article | undefined>, liveCount: number, maxWaitMs: number): Promise<void> {
    this.ensure(docs, liveCount);
    const deadline = Date.now() + maxWaitMs;
    while (this.training !== null && (this.space === null || 2 * this.trainedOn < liveCount)) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, left);
        timer.unref();
      });
      await Promise.race([this.training, timeout]);
      clearTimeout(timer);
    }
  }

  /** Trains on a sample and maps every article into the new space, yielding between slices. */
  private async train(docs: ReadonlyArray<Article | undefined>, liveCount: number): Promise<void> {
    const changesBefore = this.changedSince;
    const slice = Math.max(1, this.opts.sliceSize ?? SLICE);
    const live: number[] = [];
    docs.forEach((a, doc) => {
      if (a !== undefined) live.push(doc);
    });
    const maxTrain = this.opts.maxTrainDocs ?? 10_000;
    const maxSummary = this.opts.maxSummaryChars ?? 300;
    const step = Math.max(1, live.length / maxTrain);
    const texts: TrainingText[] = [];
    for (let i = 0; i < live.length && texts.length < maxTrain; i = Math.floor((texts.length + 1) * step)) {
      const a = docs[live[i]!];
      if (a !== undefined) texts.push([a.title, a.summary.slice(0, maxSummary)]);
    }
    const space = await trainOffThread(texts, this.opts);
    // Map into fresh arrays while the old space keeps serving; articles that arrive meanwhile are
    // folded in at the swap.
    let vecs = new Int8Array(Math.max(docs.length, 1024) * this.dims);
    let has = new Uint8Array(Math.max(docs.length, 1024));
    let sliceStart = performance.now();
    for (let i = 0; i < live.length; i++) {
      const doc = live[i]!;
      const a = docs[doc];
      if (a !== undefined) {
        this.store(space, a, vecs, doc);
        has[doc] = 1;
      }
      if (i % slice === slice - 1 || (i % 16 === 15 && performance.now() - sliceStart > SLICE_MS)) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
    if (docs.length > has.length) {
      const grownV = new Int8Array(docs.length * this.dims);
      grownV.set(vecs);
      vecs = grownV;
      const grownH = new Uint8Array(docs.length);
      grownH.set(has);
      has = grownH;
    }
    for (let doc = 0; doc < docs.length; doc++) {
      const a = docs[doc];
      if (a === undefined) has[doc] = 0;
      else if (has[doc] !== 1) {
        this.store(space, a, vecs, doc);
        has[doc] = 1;
      }
    }
    this.space = space;
    this.vecs = vecs;
    this.has = has;
    this.trainedOn = liveCount;
    this.changedSince = this.changedSince - changesBefore;
  }

  /**
   * Cosine similarity of the query vector to every accepted document with a vector; the `top`
   * best, document → similarity.
   */
  nearest(q: Float32Array, top: number, accept: (doc: number) => boolean): Map<number, number> {
    const out = new Map<number, number>();
    const k = this.dims;
    const { vecs, has } = this;
    const best: Array<[number, number]> = [];
    let floor = -Infinity;
    for (let doc = 0; doc < has.length; doc++) {
      if (has[doc] !== 1) continue;
      let s = 0;
      const base = doc * k;
      for (let j = 0; j < k; j++) s += q[j]! * vecs[base + j]!;
      s /= 127;
      if (s <= floor || !accept(doc)) continue;
      best.push([doc, s]);
      if (best.length > 2 * top) {
        best.sort((a, b) => b[1] - a[1]);
        best.length = top;
        floor = best[top - 1]![1];
      }
    }
    best.sort((a, b) => b[1] - a[1]);
    for (const [doc, s] of best.slice(0, top)) out.set(doc, s);
    return out;
  }

  /** Scoring helpers for one query article (null before training). */
  scorer(article: Article): LatentScorer | null {
    const space = this.space;
    if (space === null) return null;
    const terms = this.terms(article);
    const query = space.sparseVector(terms);
    const vector = space.vector(terms);
    return {
      vector,
      cosine: (c) => space.sparseCosine(query, this.terms(c)),
      latent: (doc) => this.similarity(vector, doc),
    };
  }

  private similarity(q: Float32Array, doc: number): number {
    if (doc >= this.has.length || this.has[doc] !== 1) return 0;
    let s = 0;
    const base = doc * this.dims;
    for (let j = 0; j < this.dims; j++) s += q[j]! * this.vecs[base + j]!;
    return s / 127;
  }

  /** An article's unit vector in `space`, quantised into its slot of `vecs`. */
  private store(space: SemanticSpace, a: Article, vecs: Int8Array, doc: number): void {
    const v = space.vector(this.terms(a), this.scratch);
    const base = doc * this.dims;
    for (let j = 0; j < this.dims; j++) vecs[base + j] = Math.round(v[j]! * 127);
  }

  private terms(a: Article): TermCounts {
    return semanticTerms(a.title, a.summary, this.opts);
  }

  private reserve(need: number): void {
    if (need <= this.has.length) return;
    const cap = Math.max(need, this.has.length * 2, 1024);
    const v = new Int8Array(cap * this.dims);
    v.set(this.vecs);
    this.vecs = v;
    const h = new Uint8Array(cap);
    h.set(this.has);
    this.has = h;
  }
}
