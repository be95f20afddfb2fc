import type { Article } from "./article.js";
import { startWorker, workerRequest, yieldToEventLoop } from "../worker-entry.js";
import { inChunks, sampleTexts, spreadSample, TrainedVectors, type ArchiveDocs, type Fitted, type TrainingSchedule } from "./trained-vectors.js";
import { SemanticSpace, semanticSummary, semanticTerms, type SemanticOptions, type SpaceParts, type TermCounts } from "./semantic.js";

/** Articles handled between two yields to the event loop while training (default). */
const SLICE = 500;
/** Longest run of mapping work between two yields (ms): what a command waits for at worst. */
const SLICE_MS = 8;

/**
 * The training worker's young generation (MB): at 100k articles V8's default let the process peak at
 * +134–142 MB RSS while training, +111 MB with 4 (or 2), in the same ~12 s.
 */
const YOUNG_GENERATION_MB = 4;

/** [title, summary] of one sampled article, as the training worker receives it. */
type TrainingText = readonly [string, string];

/** What the training worker is asked (see train-worker.ts): options, then the sample in chunks, then train. */
export type TrainRequest =
  | { kind: "start"; opts: SemanticOptions }
  | { kind: "texts"; texts: TrainingText[] }
  | { kind: "train" };

/**
 * The SVD takes seconds at 10k sampled articles: it runs in a worker thread so the bot keeps
 * answering, and the worker tokenizes the texts itself (a term Map per article cost ~5 KB on
 * each thread, and cloning them blocked the event loop). The sample goes over as it is read from
 * the archive, a chunk at a time, so neither thread holds all of its texts (at 100k articles,
 * sending them in one message made the training peak +110 MB RSS). Where no worker can start,
 * it runs here (still correct, just blocking).
 */
async function trainOffThread(chunks: AsyncIterable<TrainingText[]>, opts: SemanticOptions): Promise<SemanticSpace> {
  const worker = startWorker(import.meta.url, "train-worker", YOUNG_GENERATION_MB);
  if (worker === null) {
    const trainer = SemanticSpace.trainer(opts);
    for await (const texts of chunks) trainer.add(texts);
    return trainer.train();
  }
  try {
    worker.postMessage({ kind: "start", opts } satisfies TrainRequest);
    for await (const texts of chunks) worker.postMessage({ kind: "texts", texts } satisfies TrainRequest);
    return SemanticSpace.fromParts(await workerRequest<SpaceParts>(worker, { kind: "train" } satisfies TrainRequest, "training"));
  } finally {
    void worker.terminate();
  }
}

/** Options for {@link LatentIndex}. */
export interface LatentOptions extends SemanticOptions, TrainingSchedule {
  /** Articles handled between two yields to the event loop while training (default 500). */
  sliceSize?: number;
}

/** Similarities to one query article. */
export interface LatentScorer {
  /** The query's LSA unit vector. */
  vector: Float32Array;
  /** Sparse tf-idf cosine (sublinear tf, space vocabulary) between the query and an article. */
  cosine(candidate: Pick<Article, "title" | "summary">): number;
  /** LSA cosine between the query and an indexed document (0 without a vector). */
  latent(doc: number): number;
}

/**
 * One LSA vector per indexed article (document numbers as in the inverted index), trained lazily
 * on the first use once there are enough articles and again after the archive has changed by
 * `retrainAfter` (TrainedVectors); articles added in between are folded into the current space.
 */
export class LatentIndex extends TrainedVectors<SemanticSpace> {
  private readonly scratch: Float32Array;

  constructor(private readonly opts: LatentOptions = {}) {
    super(opts.dims ?? 50, opts, "related-articles");
    this.scratch = new Float32Array(this.dims);
  }

  /** Trains on a sample in a worker and maps every article into the new space here, yielding between slices. */
  protected async fit(archive: ArchiveDocs, live: readonly number[]): Promise<Fitted<SemanticSpace>> {
    const slice = Math.max(1, this.opts.sliceSize ?? SLICE);
    const sample = spreadSample(live, this.opts.maxTrainDocs ?? 10_000);
    const maxChars = this.opts.maxSummaryChars;
    const space = await trainOffThread(sampleTexts(archive, sample, (a) => [a.title, semanticSummary(a.summary, maxChars)]), this.opts);
    // Mapped into fresh arrays while the old space keeps serving.
    const size = Math.max(archive.docs.length, 1024);
    const vecs = new Int8Array(size * this.dims);
    const has = new Uint8Array(size);
    let sliceStart = performance.now();
    for await (const { docs: chunk, articles } of inChunks(archive, live)) {
      for (let i = 0; i < chunk.length; i++) {
        const a = articles[i];
        if (a !== undefined && this.embedInto(space, a, vecs, chunk[i]! * this.dims)) has[chunk[i]!] = 1;
        if (i % slice === slice - 1 || (i % 16 === 15 && performance.now() - sliceStart > SLICE_MS)) {
          await yieldToEventLoop();
          sliceStart = performance.now();
        }
      }
    }
    return { model: space, vecs, has };
  }

  /** Scoring helpers for one query article (null before training). */
  scorer(article: Article): LatentScorer | null {
    const space = this.model;
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

  /** An article's unit vector in `space`, quantised into `vecs` at `offset`. */
  protected embedInto(space: SemanticSpace, a: Article, vecs: Int8Array, offset: number): boolean {
    const v = space.vector(this.terms(a), this.scratch);
    for (let j = 0; j < this.dims; j++) vecs[offset + j] = Math.round(v[j]! * 127);
    return true;
  }

  private terms(a: Pick<Article, "title" | "summary">): TermCounts {
    return semanticTerms(a.title, a.summary, this.opts);
  }
}
