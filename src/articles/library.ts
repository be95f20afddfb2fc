import type Keyv from "keyv";
import { ArticleArchive } from "./archive.js";
import { articleShortId, type Article } from "./article.js";
import { ArticleIndex, type ArticleIndexOptions } from "./search.js";
import { yieldToEventLoop } from "../worker-entry.js";

/** Longest run of indexing while loading the archive between two yields to the event loop (ms). */
const LOAD_SLICE_MS = 16;

/**
 * The archive and the in-memory search index kept in step: the one place that feeds the index
 * (at start from the archive, then with every article archived here or on another instance).
 */
export class Library {
  readonly archive: ArticleArchive;
  readonly index: ArticleIndex;
  /** Short ids of deep links → article ids. */
  private readonly shortIds = new Map<string, string>();
  private loading: Promise<number> | undefined;
  /** True while load() runs: then the spaces train after it (run.ts), not on part of the archive. */
  private loadingNow = false;

  constructor(
    kv: Keyv,
    private readonly retentionDays: number,
    private readonly now: () => number,
    indexOptions: ArticleIndexOptions = {},
  ) {
    this.archive = new ArticleArchive(kv, { retentionDays, now });
    // The index holds no summaries: it reads them from the archive.
    this.index = new ArticleIndex({ ...indexOptions, texts: this.archive });
  }

  /**
   * Indexes what the archive holds within retention; returns how many. Called once (later calls
   * get the same promise): at 100k articles it takes tens of seconds, so the bot starts answering
   * before it ends, and {@link relatedReady} waits for it.
   */
  load(): Promise<number> {
    if (this.loading === undefined) {
      this.loadingNow = true;
      this.loading = this.loadNow().finally(() => {
        this.loadingNow = false;
      });
    }
    return this.loading;
  }

  private async loadNow(): Promise<number> {
    let loaded = 0;
    const cutoff = this.cutoff();
    let sliceStart = performance.now();
    for await (const a of this.archive.all()) {
      if (a.firstSeenAt >= cutoff) {
        this.add(a);
        loaded++;
      }
      // The store yields between pages of 1,000; indexing a page took ~0.4 s, which commands waited for.
      if (performance.now() - sliceStart > LOAD_SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
    return loaded;
  }

  /** Articles that joined the archive: searchable from now on. */
  archived(articles: readonly Article[]): void {
    for (const a of articles) this.add(a);
    // A first poll's backlog arrives in one batch: the related-articles space trains on it now,
    // in the background, rather than at the first new article (which would get word matches only).
    // Not while the archive loads: a space trained on part of it would be trained again at once
    // (at 100k articles, twice the work and memory in the bot's first minute).
    if (articles.length > 0 && !this.loadingNow) this.index.warmRelated();
  }

  /**
   * Resolves when related links rank over the whole archive: once it is loaded (when loading has
   * started) and a space trained on most of it serves (bounded wait).
   */
  async relatedReady(maxWaitMs?: number): Promise<void> {
    // A failed load was logged by whoever started it; links then come from what is indexed.
    if (this.loading) await this.loading.catch(() => 0);
    return this.index.relatedReady(maxWaitMs);
  }

  /** Adds one article unless it is indexed already (Followers.index for other instances' articles). */
  readonly add = (a: Article): void => {
    if (this.index.has(a.id)) return;
    this.index.add(a);
    this.shortIds.set(articleShortId(a.id), a.id);
  };

  /** The article behind a deep link's short id, from the archive (undefined when not indexed or no longer archived). */
  async byShortId(shortId: string): Promise<Article | undefined> {
    const id = this.shortIds.get(shortId);
    return id === undefined || !this.index.has(id) ? undefined : this.archive.get(id);
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
