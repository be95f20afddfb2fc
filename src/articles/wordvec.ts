/**
 * Word vectors trained on the archive itself (fastText-style skip-gram over subwords, see
 * wordvec-train.ts) give related() a third similarity beside tf-idf and LSA: headlines that share
 * no word but whose words keep the same company, where LSA (one vector per article, few dims
 * for a short text) misses it. One byte vector per article; trained in a worker on a sample,
 * retrained when the archive has grown by a quarter, new articles embedded as they arrive.
 */
import type { Article } from "./article.js";
import { EMBED_CHUNK, WordVecJob } from "./wordvec-job.js";
import type { WordVecModel } from "./wordvec-model.js";
import type { WordVecText, WordVecTrainOptions } from "./wordvec-train.js";
import { inChunks, sampleTexts, spreadSample, TrainedVectors, type ArchiveDocs, type Fitted, type TrainingSchedule } from "./trained-vectors.js";

/** Options for {@link WordVecIndex}. */
export interface WordVecOptions extends WordVecTrainOptions, TrainingSchedule {
  /**
   * Most articles trained on, spread over the archive (default 10,000). Training is bounded by
   * word occurrences (wordPasses) either way; at 100k articles the training thread peaked at +108 MB
   * RSS with 20,000, +81 MB with 10,000, +53 MB with 2,000, in the same ~30 s.
   */
  maxTrainDocs?: number;
}

/**
 * One word-vector unit vector per indexed article, as bytes (component × 127), by document number;
 * trained and retrained as TrainedVectors says, articles added in between embedded with the current model.
 */
export class WordVecIndex extends TrainedVectors<WordVecModel> {
  constructor(private readonly opts: WordVecOptions = {}) {
    super(opts.dims ?? 32, opts, "word-vector");
  }

  /** True once a model serves. */
  get trained(): boolean {
    return this.model !== null;
  }

  /** Bytes held on this thread: article vectors (with their flags) and the model. */
  get bytes(): { vectors: number; model: number } {
    return { vectors: this.vectorBytes, model: this.model?.bytes ?? 0 };
  }

  /** An article's unit vector (null before training, or when none of its words is known). */
  vector(article: Article): Float32Array | null {
    const model = this.model;
    if (model === null) return null;
    const v = new Float32Array(this.dims);
    const [title, summary] = this.text(article);
    return model.embed(title, summary, v) ? v : null;
  }

  /**
   * Trains on a sample in the worker, which then embeds every article (in chunks: the main thread
   * only copies the bytes in).
   */
  protected async fit(archive: ArchiveDocs, live: readonly number[]): Promise<Fitted<WordVecModel>> {
    const job = await WordVecJob.train(sampleTexts(archive, spreadSample(live, this.opts.maxTrainDocs ?? 10_000), (a) => this.text(a)), this.opts);
    const k = this.dims;
    const size = Math.max(archive.docs.length, 1024);
    const vecs = new Int8Array(size * k);
    const has = new Uint8Array(size);
    try {
      for await (const { docs: slice, articles } of inChunks(archive, live, EMBED_CHUNK)) {
        const chunk = slice.filter((_, c) => articles[c] !== undefined);
        const out = await job.embed(articles.filter((a) => a !== undefined).map((a) => this.text(a)));
        chunk.forEach((doc, c) => {
          if (out.has[c] !== 1) return;
          vecs.set(out.vecs.subarray(c * k, (c + 1) * k), doc * k);
          has[doc] = 1;
        });
      }
    } finally {
      job.close();
    }
    return { model: job.model, vecs, has };
  }

  protected embedInto(model: WordVecModel, a: Article, vecs: Int8Array, offset: number): boolean {
    const [title, summary] = this.text(a);
    return model.embedBytes(title, summary, vecs, offset);
  }

  /** What the model reads of an article: its headline with tags, and the summary's start. */
  private text(a: Article): WordVecText {
    return [headline(a), a.summary.slice(0, this.opts.maxSummaryChars ?? 120)];
  }
}

/** Title and feed tags: the tags name the subject as a headline's words do. */
function headline(a: Article): string {
  return a.categories.length === 0 ? a.title : `${a.title} ${a.categories.join(" ")}`;
}
