import type { IndexedArticle } from "./article.js";

/** A scored article. */
export interface Hit {
  article: IndexedArticle;
  score: number;
}

/** Default share of the band leader's score within which hits count as near-equal (5 %). */
export const NEAR_EQUAL_RATIO = 0.95;

/** Newest first; ties by id so the order is total and stable. */
export function byRecency(a: IndexedArticle, b: IndexedArticle): number {
  return b.publishedAt - a.publishedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Relevance first, newer first among near-equals. Hits are cut into bands from the top: a band
 * holds every hit scoring at least `ratio` × its leader's score; each band is ordered newest first.
 * (Banding, not pairwise comparison, because "within 5 %" is not transitive.)
 */
export function rankHits(hits: Hit[], ratio: number = NEAR_EQUAL_RATIO): Hit[] {
  hits.sort((a, b) => b.score - a.score || byRecency(a.article, b.article));
  let start = 0;
  while (start < hits.length) {
    const floor = hits[start]!.score * ratio;
    let end = start + 1;
    while (end < hits.length && hits[end]!.score >= floor) end++;
    if (end - start > 1) {
      const band = hits.slice(start, end).sort((a, b) => byRecency(a.article, b.article));
      for (let i = 0; i < band.length; i++) hits[start + i] = band[i]!;
    }
    start = end;
  }
  return hits;
}
