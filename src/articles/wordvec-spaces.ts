import type { Article } from "./article.js";
import { LatentIndex, type LatentOptions } from "./latent.js";
import type { WordVecIndex } from "./wordvec.js";

/**
 * The LSA space and the word vectors as one: articles reach both, training starts for both, and
 * waiting for the related-articles space (prepareRelated, relatedReady) waits for both. The word
 * vectors train after the LSA space: each training worker peaks at ~100 MB at 100k articles, and
 * at once they would add up.
 */
export class RelatedSpaces extends LatentIndex {
  constructor(
    latent: LatentOptions | undefined,
    readonly words: WordVecIndex,
  ) {
    super(latent);
  }

  override add(doc: number, article: Article): void {
    super.add(doc, article);
    this.words.add(doc, article);
  }

  override remove(doc: number): void {
    super.remove(doc);
    this.words.remove(doc);
  }

  /** Starts whichever training is due; true when the LSA space serves (as LatentIndex). */
  override ensure(docs: ReadonlyArray<Article | undefined>, liveCount: number): boolean {
    const serves = super.ensure(docs, liveCount);
    this.words.ensure(docs, liveCount, () => this.latentIdle(docs, liveCount));
    return serves;
  }

  override async ready(docs: ReadonlyArray<Article | undefined>, liveCount: number): Promise<void> {
    await Promise.all([super.ready(docs, liveCount), this.words.ready(docs, liveCount)]);
  }

  /**
   * Resolves when no LSA training runs. Through ready(), the one way LatentIndex tells; ready()
   * also reports a failed training, which is prepareRelated's to report, so it is dropped here.
   */
  private async latentIdle(docs: ReadonlyArray<Article | undefined>, liveCount: number): Promise<void> {
    await super.ready(docs, liveCount).catch(() => undefined);
  }

  override async usable(docs: ReadonlyArray<Article | undefined>, liveCount: number, maxWaitMs: number): Promise<void> {
    await Promise.all([super.usable(docs, liveCount, maxWaitMs), this.words.usable(docs, liveCount, maxWaitMs)]);
  }
}
