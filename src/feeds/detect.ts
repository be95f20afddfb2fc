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
    const parsed = FeedStateSchema.safeParse(await this.store.get(stateKey(feedId)));
    return parsed.success ? parsed.data : { firstPollDone: false, seen: [] };
  }

  /** Stores the HTTP validators after a successful fetch (also used for 304 responses). */
  async saveValidators(feedId: string, validators: { etag?: string; lastModified?: string }): Promise<void> {
    const state = await this.getState(feedId);
    await this.store.set(stateKey(feedId), withValidators(state, validators));
  }

  /** Forgets a feed entirely (removed from config). */
  async forget(feedId: string): Promise<void> {
    await this.store.delete(stateKey(feedId));
  }

  private keysOf(article: Article): string[] {
    const keys = [`i:${article.id}`];
    if (article.link) keys.push(`l:${article.link}`);
    const title = normaliseTitleKey(article.title);
    if (title.length >= this.minTitleChars) keys.push(`t:${title}`);
    return keys;
  }

  /** Records one poll's articles and returns the new ones; persists state with the validators. */
  async detect(
    feedId: string,
    articles: readonly Article[],
    nowMs: number,
    validators: { etag?: string; lastModified?: string } = {},
  ): Promise<Detection> {
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
    await this.store.set(stateKey(feedId), next);
    return { newArticles, firstPoll: !state.firstPollDone };
  }
}

function withValidators(state: FeedState, validators: { etag?: string; lastModified?: string }): FeedState {
  const next: FeedState = { firstPollDone: state.firstPollDone, seen: state.seen };
  const etag = validators.etag ?? state.etag;
  const lastModified = validators.lastModified ?? state.lastModified;
  if (etag) next.etag = etag;
  if (lastModified) next.lastModified = lastModified;
  return next;
}
