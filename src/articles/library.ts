import type Keyv from "keyv";
import { ArticleArchive } from "./archive.js";
import { articleShortId, type Article } from "./article.js";
import { ArticleIndex } from "./search.js";

/**
 * The archive and the in-memory search index kept in step: the one place that feeds the index
 * (at start from the archive, then with every article archived here or on another instance).
 */
export class Library {
  readonly archive: ArticleArchive;
  readonly index = new ArticleIndex();
  /** Short ids of deep links → article ids. */
  private readonly shortIds = new Map<string, string>();

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
        this.add(a);
        loaded++;
      }
    }
    return loaded;
  }

  /** Articles that joined the archive: searchable from now on. */
  archived(articles: readonly Article[]): void {
    for (const a of articles) this.add(a);
    // A first poll's backlog arrives in one batch: the related-articles space trains on it now,
    // in the background, rather than at the first new article (which would get word matches only).
    if (articles.length > 0) this.index.warmRelated();
  }

  /** Resolves when related links rank with a space trained on most of the archive (bounded wait). */
  relatedReady(maxWaitMs?: number): Promise<void> {
    return this.index.relatedReady(maxWaitMs);
  }

  /** Adds one article unless it is indexed already (Followers.index for other instances' articles). */
  readonly add = (a: Article): void => {
    if (this.index.has(a.id)) return;
    this.index.add(a);
    this.shortIds.set(articleShortId(a.id), a.id);
  };

  /** The indexed article behind a deep link's short id. */
  byShortId(shortId: string): Article | undefined {
    const id = this.shortIds.get(shortId);
    return id === undefined ? undefined : this.index.get(id);
  }

  readonly has = (id: string): boolean => this.index.has(id);

  /** Drops articles past retention from the index. */
  prune(): void {
    if (this.index.prune(this.cutoff()) === 0) return;
    for (const [sid, id] of this.shortIds) if (!this.index.has(id)) this.shortIds.delete(sid);
  }

  private cutoff(): number {
    return this.now() - this.retentionDays * 86_400_000;
  }
}
