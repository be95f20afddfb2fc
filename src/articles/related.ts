import type { Article, IndexedArticle } from "./article.js";
import { shingles, titleKey, tokenize } from "./tokenize.js";

/** Bigram Jaccard similarity of two titles at or above which they are the same story (0.8). */
export const DUPLICATE_JACCARD = 0.8;

/** Jaccard similarity of two sets. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let inter = 0;
  for (const x of small) if (large.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/** Same story twice: same link, same normalised title, or title shingle Jaccard ≥ 0.8. */
export function isNearDuplicate(a: IndexedArticle, b: IndexedArticle): boolean {
  if (a.link !== "" && a.link === b.link) return true;
  const ka = titleKey(a.title);
  if (ka !== "" && ka === titleKey(b.title)) return true;
  return jaccard(shingles(a.title), shingles(b.title)) >= DUPLICATE_JACCARD;
}

/** True when `candidate` came before `article` (publication time, then first-seen time). */
export function isEarlier(candidate: IndexedArticle, article: IndexedArticle): boolean {
  return (
    candidate.publishedAt < article.publishedAt ||
    (candidate.publishedAt === article.publishedAt && candidate.firstSeenAt < article.firstSeenAt)
  );
}

/** Weighted query terms for "more like this". */
export interface WeightedTerms {
  terms: string[];
  weights: number[];
}

/** Options for {@link relatedQuery}. */
export interface RelatedQueryOptions {
  /** Weight of a title term relative to a summary term (default 3). */
  titleWeight?: number;
  /** Summary characters used for the query (default 300). */
  maxSummaryChars?: number;
  /** Most distinct terms kept (default 64), title terms first. */
  maxTerms?: number;
  /** Title Han characters as unigram terms too (default true; the index must be built the same way). */
  charUnigrams?: boolean;
}

/** Builds the OR query for related(): title terms weighted above summary and category terms. */
export function relatedQuery(article: Article, opts: RelatedQueryOptions = {}): WeightedTerms {
  const titleWeight = opts.titleWeight ?? 3;
  const maxSummaryChars = opts.maxSummaryChars ?? 300;
  const maxTerms = opts.maxTerms ?? 64;
  const weightOf = new Map<string, number>();
  const addAll = (terms: string[], w: number): void => {
    for (const t of terms) weightOf.set(t, (weightOf.get(t) ?? 0) + w);
  };
  addAll(tokenize(article.title, { charUnigrams: opts.charUnigrams ?? true }), titleWeight);
  const body = `${article.summary.slice(0, maxSummaryChars)} ${article.categories.join(" ")}`;
  addAll(tokenize(body), 1);
  // Repeated terms add up but with diminishing returns, so one word repeated cannot dominate.
  const entries = [...weightOf.entries()].slice(0, maxTerms);
  return { terms: entries.map(([t]) => t), weights: entries.map(([, w]) => Math.sqrt(w)) };
}

/** Recency factor in (floor, 1]: 1 for same-day, halving the gap above `floor` every half-life. */
export function recencyFactor(ageMs: number, halfLifeMs: number, floor: number): number {
  if (halfLifeMs <= 0 || ageMs <= 0) return 1;
  return floor + (1 - floor) * Math.pow(2, -ageMs / halfLifeMs);
}

/** Options for {@link expandQuery} (pseudo-relevance feedback). */
export interface FeedbackOptions {
  /** Terms added from the feedback articles (default 30). */
  terms?: number;
  /** Weight of the added terms relative to the original query's total weight (default 0.5). */
  weight?: number;
}

/**
 * Rocchio-style pseudo-relevance feedback: a headline shares few words with its neighbours, so the
 * terms common among the best first-pass matches (weighted by their scores) are added to the query.
 */
export function expandQuery(
  query: WeightedTerms,
  feedback: ReadonlyArray<{ article: Article; score: number }>,
  queryOpts: RelatedQueryOptions = {},
  opts: FeedbackOptions = {},
): WeightedTerms {
  const top = feedback[0]?.score ?? 0;
  if (top <= 0) return query;
  const mass = new Map<string, number>();
  for (const { article, score } of feedback) {
    const q = relatedQuery(article, queryOpts);
    const norm = q.weights.reduce((s, w) => s + w, 0) || 1;
    q.terms.forEach((t, i) => mass.set(t, (mass.get(t) ?? 0) + ((score / top) * q.weights[i]!) / norm));
  }
  const added = [...mass.entries()].sort((a, b) => b[1] - a[1]).slice(0, opts.terms ?? 30);
  const addedMass = added.reduce((s, [, m]) => s + m, 0) || 1;
  const scale = ((opts.weight ?? 0.5) * query.weights.reduce((s, w) => s + w, 0)) / addedMass;
  const weightOf = new Map<string, number>();
  query.terms.forEach((t, i) => weightOf.set(t, query.weights[i]!));
  for (const [t, m] of added) weightOf.set(t, (weightOf.get(t) ?? 0) + m * scale);
  return { terms: [...weightOf.keys()], weights: [...weightOf.values()] };
}
