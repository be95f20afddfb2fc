import type { Article } from "./article.js";
import { LatentIndex, type LatentOptions } from "./latent.js";
import type { ArchiveDocs } from "./trained-vectors.js";
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
  override ensure(archive: ArchiveDocs, liveCount: number): boolean {
    const serves = super.ensure(archive, liveCount);
    this.words.ensure(archive, liveCount, () => this.latentIdle(archive, liveCount));
    return serves;
  }

  override async ready(archive: ArchiveDocs, liveCount: number): Promise<void> {
    await Promise.all([super.ready(archive, liveCount), this.words.ready(archive, liveCount)]);
  }

  /**
   * Resolves when no LSA training runs. Through ready(), the one way LatentIndex tells; ready()
   * also reports a failed training, which is prepareRelated's to report, so it is dropped here.
   */
  private async latentIdle(archive: ArchiveDocs, liveCount: number): Promise<void> {
    await super.ready(archive, liveCount).catch(() => undefined);
  }

  override async usable(archive: ArchiveDocs, liveCount: number, maxWaitMs: number): Promise<void> {
    await Promise.all([super.usable(archive, liveCount, maxWaitMs), this.words.usable(archive, liveCount, maxWaitMs)]);
  }
}
