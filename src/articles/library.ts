import type Keyv from "keyv";
import { ArticleArchive } from "./archive.js";
import type { Article } from "./article.js";
import { ArticleIndex } from "./search.js";

/**
 * The archive and the in-memory search index kept in step: the one place that feeds the index
 * (at start from the archive, then with every article archived here or on another instance).
 */
export class Library {
  readonly archive: ArticleArchive;
  readonly index = new ArticleIndex();

  constructor(
    kv: Keyv,
    private readonly retentionDays: number,
    private readonly now: () => number,
  ) {
    this.archive = new ArticleArchive(kv, { retentionDays, now });
  }

  /** Indexes what the archive holds within retention; returns how many. */
  async load(): Promise<number> {
    let loaded = 0;
    const cutoff = this.cutoff();
    for await (const a of this.archive.all()) {
      if (a.firstSeenAt >= cutoff) {
        this.index.add(a);
        loaded++;
      }
    }
    return loaded;
  }

  /** Articles that joined the archive: searchable from now on. */
  archived(articles: readonly Article[]): void {
    for (const a of articles) this.add(a);
  }

  /** Adds one article unless it is indexed already (Followers.index for other instances' articles). */
  readonly add = (a: Article): void => {
    if (!this.index.has(a.id)) this.index.add(a);
  };

  readonly has = (id: string): boolean => this.index.has(id);

  /** Drops articles past retention from the index. */
  prune(): void {
    this.index.prune(this.cutoff());
  }

  private cutoff(): number {
    return this.now() - this.retentionDays * 86_400_000;
  }
}
