/**
 * What the related-articles spaces (the LSA space, the word vectors) share: one unit vector per
 * indexed article, as bytes (component × 127) by document number, from a model trained in the
 * background on a sample of the archive and trained again once the archive has changed by a share;
 * articles added in between are embedded with the model that serves. A related() call never waits
 * for training: the current model (or none: word matches) serves until the new one is ready.
 */
import type { Article, IndexedArticle } from "./article.js";
import { yieldToEventLoop } from "../worker-entry.js";

/** The archive as the spaces read it: slots by document number, and the articles' texts on demand. */
export interface ArchiveDocs {
  /** Document number → article (undefined once removed). */
  readonly docs: ReadonlyArray<IndexedArticle | undefined>;
  /** These documents with their summaries, in order; undefined for one removed (or no longer in the archive). */
  full(docs: readonly number[]): Promise<Array<Article | undefined>>;
}

/** An ArchiveDocs over articles held in memory, by document number (tests, benchmarks). */
export function archiveOf(articles: ReadonlyArray<Article | undefined>): ArchiveDocs {
  return { docs: articles, full: (docs) => Promise.resolve(docs.map((doc) => articles[doc])) };
}

/** Longest run of embedding at the swap between two yields to the event loop (ms). */
const SWAP_SLICE_MS = 8;

/** Documents read from the archive at a time while training. */
export const TEXT_CHUNK = 500;

/** These documents with their texts, read from the archive `size` at a time (undefined: gone). */
export async function* inChunks(
  archive: ArchiveDocs,
  docs: readonly number[],
  size = TEXT_CHUNK,
): AsyncGenerator<{ docs: number[]; articles: Array<Article | undefined> }> {
  for (let i = 0; i < docs.length; i += size) {
    const chunk = docs.slice(i, i + size);
    yield { docs: chunk, articles: await archive.full(chunk) };
  }
}

/** What `read` takes of each of these documents that is still there, a chunk at a time, in order. */
export async function* sampleTexts<T>(archive: ArchiveDocs, docs: readonly number[], read: (a: Article) => T): AsyncGenerator<T[]> {
  for await (const { articles } of inChunks(archive, docs)) {
    const texts: T[] = [];
    for (const a of articles) if (a !== undefined) texts.push(read(a));
    yield texts;
  }
}

/** When a space trains. */
export interface TrainingSchedule {
  /** Fewest articles before a model is trained (default 200). */
  minDocs?: number;
  /** Articles added or removed since training, as a share of those trained on, that trigger retraining (default 0.25). */
  retrainAfter?: number;
}

/** A trained model and the vectors of the articles it was trained with (slots by document number). */
export interface Fitted<M> {
  model: M;
  vecs: Int8Array;
  has: Uint8Array;
}

export abstract class TrainedVectors<M> {
  private current: M | null = null;
  private vecs: Int8Array = new Int8Array(0);
  private has: Uint8Array = new Uint8Array(0);
  private trainedOn = 0;
  private changedSince = 0;
  /** The running training; it never rejects (a failure lands in `failure`). */
  private training: Promise<void> | null = null;
  private failure: unknown = undefined;
  /** Documents added while a training runs, embedded with the new model before the swap. */
  private arrivals: Set<number> | null = null;

  protected constructor(
    readonly dims: number,
    private readonly schedule: TrainingSchedule,
    /** Names the space in a training failure. */
    private readonly what: string,
  ) {}

  /**
   * Trains a model on the archive's `live` documents (they stay in `docs` meanwhile, or become
   * undefined) and embeds them into arrays of at least `docs.length` slots; yields as it goes.
   */
  protected abstract fit(archive: ArchiveDocs, live: readonly number[]): Promise<Fitted<M>>;

  /** Embeds an article with a model into `vecs` at `offset`; false (slot untouched) when it has no vector. */
  protected abstract embedInto(model: M, article: Article, vecs: Int8Array, offset: number): boolean;

  /** False when disabled (dims 0). */
  get enabled(): boolean {
    return this.dims > 0;
  }

  /** The model that serves (null before the first training). */
  protected get model(): M | null {
    return this.current;
  }

  /** Bytes of the article vectors and their flags. */
  protected get vectorBytes(): number {
    return this.vecs.byteLength + this.has.byteLength;
  }

  /** Notes a new article; embedded right away when a model serves. */
  add(doc: number, article: Article): void {
    this.changedSince++;
    this.arrivals?.add(doc);
    if (this.current === null) return;
    this.reserve(doc + 1);
    this.has[doc] = this.embedInto(this.current, article, this.vecs, doc * this.dims) ? 1 : 0;
  }

  /** Forgets an article's vector. */
  remove(doc: number): void {
    this.changedSince++;
    this.arrivals?.delete(doc);
    if (doc < this.has.length) this.has[doc] = 0;
  }

  /**
   * True when a model can be used now. When (re)training is due it starts in the background.
   * `after`: what training waits for before it starts (another space's training, so that two
   * workers' memory does not add up).
   */
  ensure(archive: ArchiveDocs, liveCount: number, after?: () => Promise<void>): boolean {
    if (!this.enabled || liveCount < (this.schedule.minDocs ?? 200)) return this.current !== null;
    if (this.due && this.training === null) {
      this.training = this.train(archive, after)
        .catch((err: unknown) => {
          // The current model (or word matches) serves meanwhile; the next call that finds training due tries again.
          this.failure = err;
        })
        .finally(() => {
          this.training = null;
          this.arrivals = null;
        });
    }
    return this.current !== null;
  }

  /** Resolves when no training is running (after starting one if due); rejects when it failed. */
  async ready(archive: ArchiveDocs, liveCount: number): Promise<void> {
    this.failure = undefined;
    this.ensure(archive, liveCount);
    while (this.training !== null) await this.training;
    const failure = this.failure;
    this.failure = undefined;
    if (failure !== undefined) throw failure instanceof Error ? failure : new Error(`${this.what} training failed`, { cause: failure });
  }

  /** True when no model serves or the archive has changed by `retrainAfter` since it was trained. */
  private get due(): boolean {
    return this.current === null || this.changedSince >= (this.schedule.retrainAfter ?? 0.25) * this.trainedOn;
  }

  /**
   * Resolves once a model that is not due for retraining serves, or when none can (too few
   * articles, disabled, training failed), or after `maxWaitMs`. Starts training when due. Related
   * links chosen before that would come from a model that missed much of the archive (or from no
   * model): what the first new articles after a first poll's backlog wait for. (Waiting only for
   * a model trained on half of it let a first poll's new items get links from a space trained
   * on part of the backlog while the next training ran: through the chat 69–83 % of posts had the
   * links of a space trained on the whole backlog.)
   */
  async usable(archive: ArchiveDocs, liveCount: number, maxWaitMs: number): Promise<void> {
    this.ensure(archive, liveCount);
    const deadline = Date.now() + maxWaitMs;
    while (this.training !== null && this.due) {
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

  /** Cosine of a query unit vector and an indexed article's (0 without a vector). */
  similarity(q: Float32Array, doc: number): number {
    if (doc >= this.has.length || this.has[doc] !== 1) return 0;
    let s = 0;
    const base = doc * this.dims;
    for (let j = 0; j < this.dims; j++) s += q[j]! * this.vecs[base + j]!;
    return s / 127;
  }

  /** The `top` accepted articles closest to a query unit vector, document → cosine, best first. */
  nearest(q: Float32Array, top: number, accept: (doc: number) => boolean): Map<number, number> {
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
    return new Map(best.slice(0, top));
  }

  /** Trains, then swaps the new model and vectors in, embedding what arrived meanwhile. */
  private async train(archive: ArchiveDocs, after?: () => Promise<void>): Promise<void> {
    // What is archived in the same turn as the articles that made training due (the rest of a
    // poll's batches) is trained on too.
    await yieldToEventLoop();
    const { docs } = archive;
    const changesBefore = this.changedSince;
    let live: number[] = [];
    docs.forEach((a, doc) => {
      if (a !== undefined) live.push(doc);
    });
    // From here on, what arrives is embedded at the swap with the new model.
    const arrivals = new Set<number>();
    this.arrivals = arrivals;
    // The sample is what was archived when training was due, not what arrives while it waits
    // (that is embedded at the swap, like later arrivals), so a first poll's new items are not
    // trained on whether or not another training held this one up.
    if (after !== undefined) {
      await after();
      live = live.filter((doc) => docs[doc] !== undefined);
    }
    const { model, ...fitted } = await this.fit(archive, live);
    let { vecs, has } = fitted;
    const k = this.dims;
    const grow = (need: number): void => {
      if (need <= has.length) return;
      const grownV = new Int8Array(need * k);
      grownV.set(vecs);
      vecs = grownV;
      const grownH = new Uint8Array(need);
      grownH.set(has);
      has = grownH;
    };
    // What arrived meanwhile, with the new model, read from the archive and embedded in slices: a
    // training that started while a big archive was still loading finds most of it here (at 100k
    // articles one pass held the event loop 19 s). What arrives during a slice joins the set.
    let sliceStart = performance.now();
    while (arrivals.size > 0) {
      const chunk: number[] = [];
      for (const doc of arrivals) {
        chunk.push(doc);
        if (chunk.length === TEXT_CHUNK) break;
      }
      for (const doc of chunk) arrivals.delete(doc);
      const articles = await archive.full(chunk);
      grow(docs.length);
      for (let i = 0; i < chunk.length; i++) {
        const a = articles[i];
        if (a !== undefined) has[chunk[i]!] = this.embedInto(model, a, vecs, chunk[i]! * k) ? 1 : 0;
        if (performance.now() - sliceStart > SWAP_SLICE_MS) {
          await yieldToEventLoop();
          sliceStart = performance.now();
          grow(docs.length);
        }
      }
    }
    // From here to the swap nothing yields: no article can slip between the two models.
    grow(docs.length);
    for (let doc = 0; doc < docs.length; doc++) if (docs[doc] === undefined) has[doc] = 0;
    this.current = model;
    this.vecs = vecs;
    this.has = has;
    this.trainedOn = live.length;
    this.changedSince -= changesBefore;
  }

  private reserve(need: number): void {
    if (need <= this.has.length) return;
    // A quarter more, not double: at 100k articles doubling would leave megabytes unused.
    const cap = Math.max(need, Math.ceil(this.has.length * 1.25), 1024);
    const v = new Int8Array(cap * this.dims);
    v.set(this.vecs);
    this.vecs = v;
    const h = new Uint8Array(cap);
    h.set(this.has);
    this.has = h;
  }
}

/** Up to `max` of the live documents, spread evenly over the archive (oldest to newest). */
export function spreadSample(live: readonly number[], max: number): number[] {
  const step = Math.max(1, live.length / max);
  const out: number[] = [];
  for (let i = 0; i < live.length && out.length < max; i = Math.floor(out.length * step)) out.push(live[i]!);
  return out;
}
