import type { Worker } from "node:worker_threads";
import { startWorker, workerRequest, yieldToEventLoop } from "../worker-entry.js";
import { WordVecModel, type WordVecParts } from "./wordvec-model.js";
import { trainWordVectors, type WordVecText, type WordVecTrainOptions } from "./wordvec-train.js";

/** What the word-vector worker is asked (see wordvec-worker.ts). */
export type WordVecRequest =
  | { kind: "texts"; texts: WordVecText[] }
  | { kind: "train"; opts: WordVecTrainOptions }
  | { kind: "embed"; texts: WordVecText[] };

/** Byte vectors (dims each, one after another) of the texts asked for, and which of them had one. */
export interface EmbeddedTexts {
  vecs: Int8Array<ArrayBuffer>;
  has: Uint8Array<ArrayBuffer>;
}

/** The worker's young generation (MB): at 100k articles, V8's default (16) peaked ~20–50 MB higher and was no faster. */
const YOUNG_GENERATION_MB = 4;
/** Texts per message: 1,000 clone in about a millisecond. */
const CHUNK = 1000;

/** Embeds texts with a model, as the worker does. */
export function embedTexts(model: WordVecModel, texts: readonly WordVecText[]): EmbeddedTexts {
  const vecs = new Int8Array(texts.length * model.dims);
  const has = new Uint8Array(texts.length);
  texts.forEach(([title, summary], i) => {
    if (model.embedBytes(title, summary, vecs, i * model.dims)) has[i] = 1;
  });
  return { vecs, has };
}

/**
 * One training in a worker thread: it trains on a sample, then embeds the whole archive chunk by
 * chunk with the model it keeps, so that neither the arithmetic nor the segmenter's ~100 µs per
 * article (10 s at 100k) runs on the main thread. Where no worker can start, both run here.
 */
export class WordVecJob {
  private constructor(
    private readonly worker: Worker | null,
    /** The trained model (the worker has its own copy). */
    readonly model: WordVecModel,
  ) {}

  /**
   * Sends the sample chunk by chunk as it is read (yielding between them), trains, and resolves with
   * the model. The main thread never holds the whole sample: its texts are slices of summaries read
   * from the archive, and 10k of them kept ~15 MB of whole summaries alive for the training's length.
   */
  static async train(chunks: AsyncIterable<WordVecText[]>, opts: WordVecTrainOptions): Promise<WordVecJob> {
    const worker = startWorker(import.meta.url, "wordvec-worker", YOUNG_GENERATION_MB);
    if (worker === null) {
      const texts: WordVecText[] = [];
      for await (const chunk of chunks) texts.push(...chunk);
      return new WordVecJob(null, new WordVecModel(trainWordVectors(texts, opts)));
    }
    try {
      for await (const texts of chunks) {
        for (let i = 0; i < texts.length; i += CHUNK) worker.postMessage({ kind: "texts", texts: texts.slice(i, i + CHUNK) } satisfies WordVecRequest);
        await yieldToEventLoop();
      }
      const parts = await request<WordVecParts>(worker, { kind: "train", opts });
      return new WordVecJob(worker, new WordVecModel(parts));
    } catch (err) {
      void worker.terminate();
      throw err;
    }
  }

  /** Byte vectors of these texts (at most a chunk's worth is sensible per call). */
  embed(texts: WordVecText[]): Promise<EmbeddedTexts> {
    if (this.worker === null) return Promise.resolve(embedTexts(this.model, texts));
    return request<EmbeddedTexts>(this.worker, { kind: "embed", texts });
  }

  /** Ends the worker. */
  close(): void {
    if (this.worker !== null) void this.worker.terminate();
  }
}

/** Texts per {@link WordVecJob.embed} call. */
export const EMBED_CHUNK = CHUNK;

/** One request to the word-vector worker, typed. */
function request<T>(worker: Worker, msg: WordVecRequest): Promise<T> {
  return workerRequest<T>(worker, msg, "word-vector");
}
