import type Keyv from "keyv";
import { z } from "zod";
import type { Article } from "../articles/article.js";

/** Stored per feed; `seen` is an LRU list of [key, lastSeenMs], oldest first. */
export const FeedStateSchema = z.object({
  etag: z.string().optional(),
  lastModified: z.string().optional(),
  firstPollDone: z.boolean(),
  seen: z.array(z.tuple([z.string(), z.number()])),
});
export type FeedState = z.infer<typeof FeedStateSchema>;

export interface DetectorOptions {
  /** Seen ids kept at least; default 1000 (per kind of key: id, link, title). */
  minSeen?: number;
  /** Seen ids kept as a multiple of the feed's current size; default 3. */
  feedSizeFactor?: number;
  /** Titles shorter than this (after normalising) are not used for de-duplication; default 6. */
  minTitleChars?: number;
}

export interface Detection {
  /** Articles never reported before (always empty on the first successful poll). */
  newArticles: Article[];
  firstPoll: boolean;
}

/** Lower-case letters and digits only, so re-punctuated or re-spaced titles still match. */
export function normaliseTitleKey(title: string): string {
  return title.toLowerCase().normalize("NFKC").replace(/[^\p{L}\p{N}]+/gu, "");
}

const stateKey = (feedId: string): string => `feedstate:${feedId}`;

/**
 * Decides which items are new, exactly once per item: the first poll only records the backlog;
 * afterwards an item is new unless its id, link or normalised title is in the feed's bounded
 * LRU set of recently seen keys (so reordering, re-dating, dropping and re-adding do not repeat it).
 */
export class NewItemDetector {
  private readonly minSeen: number;
  private readonly factor: number;
  private readonly minTitleChars: number;

  constructor(
    private readonly store: Keyv,
    options: DetectorOptions = {},
  ) {
    this.minSeen = options.minSeen ?? 1000;
    this.factor = options.feedSizeFactor ?? 3;
    this.minTitleChars = options.minTitleChars ?? 6;
  }

  /** Current state (a fresh one when nothing or something unreadable is stored). */
  async getState(feedId: string): Promise<FeedState> {
    const raw = parseStored(await this.store.get(stateKey(feedId)));
    // The seen list can hold thousands of tuples: check it with a plain loop (zod costs ~10 ms here,
    // on the main thread), and the small rest with the schema.
    const seen = (raw as { seen?: unknown } | undefined)?.seen;
    const parsed = FeedStateSchema.omit({ seen: true }).safeParse(raw);
    if (!parsed.success || !isSeenList(seen)) return { firstPollDone: false, seen: [] };
    return { ...parsed.data, seen };
  }

  /** Stores the HTTP validators after a successful fetch (also used for 304 responses). */
  async saveValidators(feedId: string, validators: { etag?: string; lastModified?: string }): Promise<void> {
    const state = await this.getState(feedId);
    await this.store.set(stateKey(feedId), JSON.stringify(withValidators(state, validators)));
  }

  /** Forgets a feed entirely (removed from config). */
  async forget(feedId: string): Promise<void> {
    await this.store.delete(stateKey(feedId));
  }

  private keysOf(article: Article): string[] {
    const keys = [`i:${article.id}`];
    if (article.link) keys.push(`l:${article.link}`);
    const title = normaliseTitleKey(article.title);
    // The day is part of the title key: the same title re-posted under a new guid and link on the
    // same day is a duplicate, but a daily column ("今日天气", "Letters to the Editor") is new each day.
    if (title.length >= this.minTitleChars) keys.push(`t:${title}:${new Date(article.publishedAt).toISOString().slice(0, 10)}`);
    return keys;
  }

  /** Records one poll's articles and returns the new ones; persists state with the validators. */
  async detect(
    feedId: string,
    articles: readonly Article[],
    nowMs: number,
    validators: { etag?: string; lastModified?: string } = {},
  ): Promise<Detection> {
    const { newArticles, firstPoll, commit } = await this.prepare(feedId, articles, nowMs, validators);
    await commit();
    return { newArticles, firstPoll };
  }

  /**
   * Like detect(), but the new state is written only by `commit()`: the caller hands the new
   * articles on first, so a crash or a failed hand-off before the commit makes them new again on
   * the next poll instead of losing them.
   */
  async prepare(
    feedId: string,
    articles: readonly Article[],
    nowMs: number,
    validators: { etag?: string; lastModified?: string } = {},
  ): Promise<Detection & { commit: () => Promise<void> }> {
    const state = await this.getState(feedId);
    const seen = new Map(state.seen);
    const newArticles: Article[] = [];
    for (const article of articles) {
      const keys = this.keysOf(article);
      const known = keys.some((k) => seen.has(k));
      if (!known && state.firstPollDone) newArticles.push(article);
      // Re-insert so Map order stays least-recently-seen first.
      for (const k of keys) {
        seen.delete(k);
        seen.set(k, nowMs);
      }
    }
    const capacity = Math.max(this.minSeen, this.factor * articles.length) * 3;
    const overflow = seen.size - capacity;
    if (overflow > 0) {
      let dropped = 0;
      for (const k of seen.keys()) {
        if (dropped++ >= overflow) break;
        seen.delete(k);
      }
    }
    const next = withValidators({ firstPollDone: true, seen: [...seen] }, validators);
    return {
      newArticles,
      firstPoll: !state.firstPollDone,
      // Stored as one JSON string: keyv's default serializer walks big arrays slowly on the main thread.
      commit: async () => {
        await this.store.set(stateKey(feedId), JSON.stringify(next));
      },
    };
  }
}

function parseStored(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function isSeenList(value: unknown): value is Array<[string, number]> {
  if (!Array.isArray(value)) return false;
  for (const entry of value as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== "string" || typeof entry[1] !== "number") return false;
  }
  return true;
}

function withValidators(state: FeedState, validators: { etag?: string; lastModified?: string }): FeedState {
  const next: FeedState = { firstPollDone: state.firstPollDone, seen: state.seen };
  const etag = validators.etag ?? state.etag;
  const lastModified = validators.lastModified ?? state.lastModified;
  if (etag) next.etag = etag;
  if (lastModified) next.lastModified = lastModified;
  return next;
}
