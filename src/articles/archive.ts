import type Keyv from "keyv";
import { z } from "zod";
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
const IndexSchema = z.array(z.tuple([z.string(), z.number(), z.number()]));
type IndexEntry = z.infer<typeof IndexSchema>[number];

/**
 * Articles by id in a Keyv (TTL = retention), plus a bounded newest-first index so recent()
 * does not scan the store. all() walks the store's iterator when it has one.
 */
export class ArticleArchive {
  private readonly ttlMs: number;
  private readonly maxIndex: number;
  private readonly now: () => number;
  private writes: Promise<unknown> = Promise.resolve();

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
    const run = this.writes.then(() => this.putNow(articles));
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async putNow(articles: readonly Article[]): Promise<void> {
    if (articles.length === 0) return;
    const now = this.now();
    await Promise.all(articles.map((a) => this.store.set(a.id, a, this.ttlMs)));
    const fresh = new Set(articles.map((a) => a.id));
    const index = (await this.readIndex()).filter(([id, , expiresAt]) => !fresh.has(id) && expiresAt > now);
    for (const a of articles) index.push([a.id, a.publishedAt, now + this.ttlMs]);
    index.sort((x, y) => y[1] - x[1]);
    await this.store.set(INDEX_KEY, index.slice(0, this.maxIndex));
  }

  private async readIndex(): Promise<IndexEntry[]> {
    const parsed = IndexSchema.safeParse(await this.store.get(INDEX_KEY));
    return parsed.success ? parsed.data : [];
  }

  /** One article, or undefined when unknown, expired or unreadable. */
  async get(id: string): Promise<Article | undefined> {
    const parsed = ArticleSchema.safeParse(await this.store.get(id));
    return parsed.success ? parsed.data : undefined;
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
    for (const [id] of await this.readIndex()) {
      const article = await this.get(id);
      if (article) yield article;
    }
  }

  /** Newest articles first (by publication time), at most `limit` (default 20). */
  async recent(limit = 20): Promise<Article[]> {
    const now = this.now();
    const out: Article[] = [];
    for (const [id, , expiresAt] of await this.readIndex()) {
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
