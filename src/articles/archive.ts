import type Keyv from "keyv";
import { ArticleSchema, type Article } from "./article.js";

export interface ArchiveOptions {
  /** Articles expire after this many days; default 30. */
  retentionDays?: number;
  /** Entries kept in the newest-first index behind recent(); default 5000. */
  maxIndexEntries?: number;
  /** Clock for index expiry; default Date.now (keyv's own TTL uses the system clock). */
  now?: () => number;
}

const INDEX_KEY = "__index:recent";
/** The recent index is written at most this often (ms). */
const INDEX_WRITE_MS = 1000;
/** [article id, publishedAt, expiresAt] */
type IndexEntry = [string, number, number];

function isIndex(value: unknown): value is IndexEntry[] {
  if (!Array.isArray(value)) return false;
  // A plain loop: zod over thousands of tuples costs tens of ms on the main thread.
  for (const e of value as unknown[]) {
    if (!Array.isArray(e) || e.length !== 3 || typeof e[0] !== "string" || typeof e[1] !== "number" || typeof e[2] !== "number") return false;
  }
  return true;
}

/**
 * Articles by id in a Keyv (TTL = retention), plus a bounded newest-first index so recent()
 * does not scan the store. all() walks the store's iterator when it has one.
 */
export class ArticleArchive {
  private readonly ttlMs: number;
  private readonly maxIndex: number;
  private readonly now: () => number;
  private writes: Promise<unknown> = Promise.resolve();
  /** One poller writes, so put() reads the stored index once and then keeps its own copy. */
  private index?: IndexEntry[];
  /** Entries of puts whose index write was left for later. */
  private pending: IndexEntry[] = [];
  private indexWrittenAt = -Infinity;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Keyv,
    options: ArchiveOptions = {},
  ) {
    this.ttlMs = (options.retentionDays ?? 30) * 86_400_000;
    this.maxIndex = options.maxIndexEntries ?? 5000;
    this.now = options.now ?? Date.now;
  }

  /** Stores (or replaces) articles; resolves once stored. */
  put(articles: readonly Article[]): Promise<void> {
    // Serialised so concurrent puts from parallel feed polls do not lose index entries.
    return this.serially(() => this.putNow(articles));
  }

  /** Writes the recent index now when puts left entries for later (before closing the store). */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    return this.serially(() => this.writeIndex());
  }

  private serially(job: () => Promise<void>): Promise<void> {
    const run = this.writes.then(job);
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async putNow(articles: readonly Article[]): Promise<void> {
    if (articles.length === 0) return;
    const now = this.now();
    // Batches with a yield between them: a 1500-item backlog serialised in one go stalls the bot.
    for (let i = 0; i < articles.length; i += 50) {
      await Promise.all(articles.slice(i, i + 50).map((a) => this.store.set(a.id, a, this.ttlMs)));
      if (i + 50 < articles.length) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    for (const a of articles) this.pending.push([a.id, a.publishedAt, now + this.ttlMs]);
    // A poll round makes thousands of puts: the 5,000-entry index (a ~250 KB row of JSON) is
    // written at most once a second, not after each put (in a 2,000-feed first poll that merge and
    // write were a third of the main thread's time). What other instances list lags by ≤ 1 s.
    if (now - this.indexWrittenAt < INDEX_WRITE_MS) {
      this.flushTimer ??= setTimeout(() => void this.flush().catch(() => undefined), INDEX_WRITE_MS).unref();
      return;
    }
    await this.writeIndex();
  }

  private async writeIndex(): Promise<void> {
    if (this.pending.length === 0) return;
    const now = this.now();
    this.indexWrittenAt = now;
    // An article put twice meanwhile: its last entry counts.
    const added = [...new Map(this.pending.map((e) => [e[0], e])).values()];
    this.pending = [];
    const fresh = new Set(added.map(([id]) => id));
    const kept = (await this.readIndex()).filter(([id, , expiresAt]) => !fresh.has(id) && expiresAt > now);
    added.sort((x, y) => y[1] - x[1]);
    // Both lists are newest-first: merge instead of re-sorting thousands of entries per put.
    const merged: IndexEntry[] = [];
    let i = 0;
    let j = 0;
    while (merged.length < this.maxIndex && (i < kept.length || j < added.length)) {
      const takeAdded = j < added.length && (i >= kept.length || added[j]![1] >= kept[i]![1]);
      merged.push(takeAdded ? added[j++]! : kept[i++]!);
    }
    this.index = merged;
    // One JSON string: keyv's default serializer is slow on thousands of small tuples.
    await this.store.set(INDEX_KEY, JSON.stringify(this.index));
  }

  /** Writers reuse their cached copy; readers (fromStore) see what any instance wrote. */
  private async readIndex(fromStore = false): Promise<IndexEntry[]> {
    if (this.index && !fromStore) return this.index;
    const stored: unknown = await this.store.get(INDEX_KEY);
    let value: unknown = stored;
    if (typeof stored === "string") {
      try {
        value = JSON.parse(stored);
      } catch {
        value = undefined;
      }
    }
    const index = isIndex(value) ? value : [];
    if (!fromStore) this.index = index;
    return index;
  }

  /** One article, or undefined when unknown, expired or unreadable. */
  async get(id: string): Promise<Article | undefined> {
    const parsed = ArticleSchema.safeParse(await this.store.get(id));
    return parsed.success ? parsed.data : undefined;
  }

  /**
   * The summaries of these articles, in order (undefined where unknown, expired or unreadable):
   * what the search index reads instead of holding them. One read for all of them.
   */
  async summaries(ids: readonly string[]): Promise<Array<string | undefined>> {
    if (ids.length === 0) return [];
    const values: unknown[] = await this.store.getMany([...ids]);
    return values.map((v) => {
      const summary = typeof v === "object" && v !== null ? (v as { summary?: unknown }).summary : undefined;
      return typeof summary === "string" ? summary : undefined;
    });
  }

  /** Every stored article (store order); falls back to the index when the store cannot iterate. */
  async *all(): AsyncIterable<Article> {
    if (typeof this.store.iterator === "function") {
      for await (const [key, value] of this.store.iterator(undefined)) {
        if (typeof key !== "string" || key.startsWith("__")) continue;
        const parsed = ArticleSchema.safeParse(value);
        if (parsed.success) yield parsed.data;
      }
      return;
    }
    for (const [id] of await this.readIndex(true)) {
      const article = await this.get(id);
      if (article) yield article;
    }
  }

  /** Newest articles first (by publication time), at most `limit` (default 20). */
  async recent(limit = 20): Promise<Article[]> {
    // This instance's puts under way, and entries left for later, go into the index first.
    await this.flush();
    const now = this.now();
    const out: Article[] = [];
    for (const [id, , expiresAt] of await this.readIndex(true)) {
      if (out.length >= limit) break;
      if (expiresAt <= now) continue;
      const article = await this.get(id);
      if (article) out.push(article);
    }
    return out;
  }

  /** Alias of recent() for search/latest callers. */
  listRecent(limit = 20): Promise<Article[]> {
    return this.recent(limit);
  }
}
