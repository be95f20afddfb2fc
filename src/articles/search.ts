import type { Article, IndexedArticle } from "./article.js";
import { byRecency, NEAR_EQUAL_RATIO, rankHits, type Hit } from "./rank.js";
import {
  expandQuery,
  isEarlier,
  isNearDuplicate,
  recencyFactor,
  relatedQuery,
  type FeedbackOptions,
  type RelatedQueryOptions,
  type WeightedTerms,
} from "./related.js";
import { InvertedIndex, type Bm25Params, type QueryGroup } from "./inverted.js";
import { LatentIndex, type LatentOptions } from "./latent.js";
import { semanticSummary } from "./semantic.js";
import { WordVecIndex, type WordVecOptions } from "./wordvec.js";
import { RelatedSpaces } from "./wordvec-spaces.js";
import type { ArchiveDocs } from "./trained-vectors.js";
import { phraseKey, TitlePhrases } from "./phrase.js";
import { tokenize } from "./tokenize.js";

export type { Hit } from "./rank.js";

/** Options for {@link ArticleIndex}. */
export interface ArticleIndexOptions {
  /** BM25F parameters, including the title's weight over the summary (default 2). */
  bm25?: Bm25Params;
  /** related(): score × (matched terms / query terms)^this, favouring broad overlap (default 1). */
  relatedCoordination?: number;
  /** Summary characters indexed per article; bounds memory for long feeds (default 400). */
  maxIndexedSummaryChars?: number;
  /**
   * Where related() and the related-articles spaces read the summaries of indexed articles (the
   * archive, in the bot): the index does not hold them (at 100k articles they were 64 of the main
   * heap's 180 MB). Without it the index keeps what those read of each summary itself (tests, benchmarks).
   */
  texts?: ArticleTexts;
  /** Score share within which search hits count as near-equal and go newest first (default 0.95). */
  nearEqualRatio?: number;
  /** related(): half-life of the recency preference in days (default 30; 0 disables). */
  relatedHalfLifeDays?: number;
  /** related(): score factor an infinitely old article keeps (default 0.95: a gentle preference; label precision fell 0.03 with 0.75 over a two-month archive). */
  relatedRecencyFloor?: number;
  /** related(): query construction (title weight, summary length, term cap). */
  relatedQuery?: RelatedQueryOptions;
  /** related(): terms in more than this share of articles are skipped, for speed (default 0.15; min 100 docs). */
  relatedMaxDfRatio?: number;
  /** related(): first-pass matches used for pseudo-relevance feedback (default 10; 0 disables). */
  feedbackDocs?: number;
  /** related(): how many feedback terms are added and with what weight. */
  feedback?: FeedbackOptions;
  /** related(): latent semantic (LSA) similarity; `dims: 0` disables it. */
  latent?: LatentOptions;
  /** related(): share of the final score from LSA cosine, the rest from tf-idf cosine (default 0.4). */
  latentWeight?: number;
  /** related(): best LSA neighbours re-scored beside the word matches (default 50). */
  latentCandidates?: number;
  /** related(): best BM25 matches re-scored (default 100). */
  lexicalCandidates?: number;
  /** related(): word vectors trained on the archive (training, dimensions, table size); used only with the LSA space on. */
  wordVectors?: WordVecOptions;
  /**
   * related(): share of the final score from word-vector cosine for a headline without summary,
   * falling with summary length (see wordVectorHalfChars); 0 disables them (default 0.4).
   */
  wordVectorWeight?: number;
  /** related(): summary characters at which the word-vector share has halved (default 50; BBC cut to 150 characters lost 0.4 points with 150). */
  wordVectorHalfChars?: number;
  /** related(): closest word-vector neighbours re-scored beside the word matches (default 0). */
  wordVectorCandidates?: number;
  /** related(): weight of shared feed categories (cosine of the two category sets) added to the final score (default 0). */
  categoryWeight?: number;
}

/** Summaries by article id, read when related() or a training needs them. */
export interface ArticleTexts {
  /** The summaries of these articles, in order; undefined for one not (or no longer) stored. */
  summaries(ids: readonly string[]): Promise<Array<string | undefined>>;
}

/** Options for {@link ArticleIndex.search}. */
export interface SearchOptions {
  /** Page size (default 10). */
  limit?: number;
  /** Hits skipped before the page (default 0). */
  offset?: number;
  /** Only articles carrying this topic id. */
  topicId?: string;
  /** Only articles published at or after this epoch-ms time. */
  since?: number;
}

/** One page of search results; `total` counts every match, not just this page. */
export interface SearchResult {
  total: number;
  hits: Hit[];
}

/** Options for {@link ArticleIndex.latest}. */
export interface LatestOptions {
  /** Page size (default 10). */
  limit?: number;
  /** Articles skipped before the page (default 0). */
  offset?: number;
  /** Only articles carrying this topic id. */
  topicId?: string;
}

const DAY_MS = 86_400_000;
/** related(): terms in more articles than this are skipped whatever the archive's size (see relatedPass). */
const MAX_RELATED_DF = 2000;
const HAN_CHAR = /^\p{Script=Han}$/u;
/** The empty category and topic list every article without any shares. */
const NONE: string[] = Object.freeze([]) as unknown as string[];

/** In-memory full-text index over articles (BM25F over a CJK-aware tokenizer). */
export class ArticleIndex {
  private readonly ix: InvertedIndex;
  private readonly phrases = new TitlePhrases();
  private readonly byId = new Map<string, IndexedArticle>();
  private readonly docOf = new Map<string, number>();
  /** Document number → article (undefined once removed). */
  private readonly docs: Array<IndexedArticle | undefined> = [];
  /** The documents with their texts, for the related-articles spaces. */
  private readonly archiveDocs: ArchiveDocs = { docs: this.docs, full: (docs) => this.full(docs) };
  private readonly texts: ArticleTexts | undefined;
  /** Without `texts`: what is read of each indexed article's summary, by id. */
  private readonly heldSummaries = new Map<string, string>();
  private readonly coordination: number;
  private readonly feedbackDocs: number;
  private readonly maxDfRatio: number;
  private readonly feedbackOpts: FeedbackOptions;
  /** Oldest → newest (byRecency reversed); null when it must be rebuilt. */
  private ordered: IndexedArticle[] | null = [];
  private readonly maxSummaryChars: number;
  private readonly keptSummaryChars: number;
  private readonly latentSummaryChars: number | undefined;
  /** One string for each feed id and source name seen (100k articles share a few thousand). */
  private readonly shared = new Map<string, string>();
  private readonly nearEqualRatio: number;
  private readonly halfLifeMs: number;
  private readonly recencyFloor: number;
  private readonly relatedOpts: RelatedQueryOptions;
  private readonly latent: LatentIndex;
  /** Word vectors (null when disabled); trained and kept in step through `latent` (RelatedSpaces). */
  private readonly words: WordVecIndex | null;
  private readonly wordWeight: number;
  private readonly wordHalfChars: number;
  private readonly wordCandidates: number;
  private readonly latentWeight: number;
  private readonly latentCandidates: number;
  private readonly lexicalCandidates: number;
  private readonly categoryWeight: number;

  constructor(opts: ArticleIndexOptions = {}) {
    this.maxSummaryChars = opts.maxIndexedSummaryChars ?? 400;
    // Without `texts`: what related() reads of a summary; the latent space's share is by script (keptSummary()).
    this.keptSummaryChars = Math.max(opts.relatedQuery?.maxSummaryChars ?? 300, opts.latent?.maxSummaryChars ?? 0);
    this.texts = opts.texts;
    this.latentSummaryChars = opts.latent?.maxSummaryChars;
    this.nearEqualRatio = opts.nearEqualRatio ?? NEAR_EQUAL_RATIO;
    this.halfLifeMs = (opts.relatedHalfLifeDays ?? 30) * DAY_MS;
    this.recencyFloor = opts.relatedRecencyFloor ?? 0.95;
    this.relatedOpts = opts.relatedQuery ?? {};
    this.ix = new InvertedIndex(opts.bm25);
    this.coordination = opts.relatedCoordination ?? 1;
    this.feedbackDocs = opts.feedbackDocs ?? 10;
    this.maxDfRatio = opts.relatedMaxDfRatio ?? 0.15;
    this.feedbackOpts = opts.feedback ?? {};
    this.wordWeight = opts.wordVectorWeight ?? 0.4;
    this.wordHalfChars = opts.wordVectorHalfChars ?? 50;
    this.wordCandidates = opts.wordVectorCandidates ?? 0;
    // They re-score beside the LSA space's tf-idf and LSA cosines, so only where that space is on.
    const wordsOn = this.wordWeight > 0 && (opts.wordVectors?.dims ?? 1) > 0 && (opts.latent?.dims ?? 1) > 0;
    this.words = wordsOn ? new WordVecIndex(opts.wordVectors) : null;
    this.latent = this.words === null ? new LatentIndex(opts.latent) : new RelatedSpaces(opts.latent, this.words);
    this.latentWeight = opts.latentWeight ?? 0.4;
    this.latentCandidates = opts.latentCandidates ?? 50;
    this.lexicalCandidates = opts.lexicalCandidates ?? 100;
    this.categoryWeight = opts.categoryWeight ?? 0;
  }

  /** Number of indexed articles. */
  get size(): number {
    return this.byId.size;
  }

  /** True when an article with this id is indexed. */
  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The indexed article with this id, if any (without its summary: the archive has that). */
  get(id: string): IndexedArticle | undefined {
    return this.byId.get(id);
  }

  /** Adds an article, replacing any previous version with the same id. */
  add(full: Article): void {
    if (this.byId.has(full.id)) this.remove(full.id);
    const article = this.kept(full);
    this.byId.set(article.id, article);
    if (this.texts === undefined) this.heldSummaries.set(article.id, this.keptSummary(full.summary));
    const summary = full.summary.slice(0, this.maxSummaryChars);
    // Segmenter words only in titles: Intl.Segmenter costs ~30 µs per 100 chars, bigrams ~2 µs.
    const doc = this.ix.add(
      tokenize(article.title, { runEndChars: true, charUnigrams: this.relatedOpts.charUnigrams ?? true }),
      tokenize(`${summary} ${article.categories.join(" ")}`, { segmentWords: false, runEndChars: true }),
    );
    this.docs[doc] = article;
    this.docOf.set(article.id, doc);
    this.phrases.add(doc, article.title);
    this.latent.add(doc, full);
    if (this.ordered !== null) insertSorted(this.ordered, article);
  }

  /** The copy held: no summary, repeated strings and empty lists shared. */
  private kept(a: Article): IndexedArticle {
    const intern = (x: string): string => {
      const known = this.shared.get(x);
      if (known !== undefined) return known;
      this.shared.set(x, x);
      return x;
    };
    // Every field in one literal: one shape with its properties inside the object (a spread of
    // the rest grew each of 100k copies a separate property array, ~6 MB).
    return {
      id: a.id,
      feedId: intern(a.feedId),
      source: intern(a.source),
      title: a.title,
      link: a.link,
      author: a.author,
      imageUrl: a.imageUrl,
      categories: a.categories.length === 0 ? NONE : a.categories,
      publishedAt: a.publishedAt,
      firstSeenAt: a.firstSeenAt,
      topics: a.topics.length === 0 ? NONE : a.topics,
    } satisfies Record<keyof IndexedArticle, unknown>;
  }

  /** These documents with their summaries (from `texts`, else as held), in order. */
  private async full(docs: readonly number[]): Promise<Array<Article | undefined>> {
    const refs = docs.map((doc) => this.docs[doc]);
    const ids = refs.filter((a) => a !== undefined).map((a) => a.id);
    const summaries = this.texts === undefined ? ids.map((id) => this.heldSummaries.get(id)) : await this.texts.summaries(ids);
    let i = 0;
    return refs.map((a) => {
      if (a === undefined) return undefined;
      const summary = summaries[i++];
      // Removed while the texts were read: gone.
      return summary === undefined || this.docs[this.docOf.get(a.id) ?? -1] !== a ? undefined : { ...a, summary };
    });
  }

  /** The summary held without `texts`: as much as any reader of it needs, as a copy (V8's slice would point into the whole summary and keep it alive). */
  private keptSummary(summary: string): string {
    const keep = Math.max(this.keptSummaryChars, semanticSummary(summary, this.latentSummaryChars).length);
    return summary.length > keep ? structuredClone(summary.slice(0, keep)) : summary;
  }

  /** Adds many articles (one sort at the end instead of one insertion each). */
  addAll(articles: Iterable<Article>): void {
    this.ordered = null;
    for (const a of articles) this.add(a);
  }

  /** Removes an article; unknown ids are ignored. */
  remove(id: string): void {
    const old = this.byId.get(id);
    if (old === undefined) return;
    this.byId.delete(id);
    this.heldSummaries.delete(id);
    const doc = this.docOf.get(id)!;
    this.docOf.delete(id);
    this.docs[doc] = undefined;
    this.ix.remove(doc);
    this.latent.remove(doc);
    if (this.ordered !== null) {
      const i = lowerBound(this.ordered, old);
      if (this.ordered[i] === old) this.ordered.splice(i, 1);
      else this.ordered = null;
    }
  }

  /** Removes every article published before `olderThanMs` (epoch ms); returns how many. */
  prune(olderThanMs: number): number {
    const victims: string[] = [];
    for (const a of this.byId.values()) if (a.publishedAt < olderThanMs) victims.push(a.id);
    this.ordered = null;
    for (const id of victims) this.remove(id);
    if (this.ix.needsCompaction()) {
      this.ix.compact();
      this.phrases.compact((doc) => this.docs[doc] !== undefined);
    }
    return victims.length;
  }

  /** Newest articles first, optionally of one topic. */
  latest(opts: LatestOptions = {}): IndexedArticle[] {
    const limit = opts.limit ?? 10;
    const offset = opts.offset ?? 0;
    const all = this.sorted();
    const out: IndexedArticle[] = [];
    let skipped = 0;
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const a = all[i]!;
      if (opts.topicId !== undefined && !a.topics.includes(opts.topicId)) continue;
      if (skipped++ < offset) continue;
      out.push(a);
    }
    return out;
  }

  /** Number of articles carrying a topic (all articles when topicId is undefined). */
  count(topicId?: string): number {
    if (topicId === undefined) return this.byId.size;
    let n = 0;
    for (const a of this.byId.values()) if (a.topics.includes(topicId)) n++;
    return n;
  }

  /**
   * Free-text search (Chinese as character bigrams, so a query word matches inside compounds):
   * articles matching every term first, then fewer terms (see below); within each, relevance first,
   * newest first among near-equals.
   */
  search(query: string, opts: SearchOptions = {}): SearchResult {
    const terms = [...new Set(tokenize(query, { segmentWords: false }))];
    if (terms.length === 0) return { total: 0, hits: [] };
    const accept = (doc: number): boolean => {
      const a = this.docs[doc];
      if (a === undefined) return false;
      if (opts.topicId !== undefined && !a.topics.includes(opts.topicId)) return false;
      return opts.since === undefined || a.publishedAt >= opts.since;
    };
    // A lone Han character matches every term starting with it (see runEndChars in tokenize).
    const groups: QueryGroup[] = terms.map((term) => ({ term, prefix: HAN_CHAR.test(term), weight: 1 }));
    // Articles matching every term come first, then those matching one term fewer, and so on: a
    // reader's "solar panels investment" still finds the solar and the investment articles. A single
    // word (one Chinese phrase is several character bigrams) keeps two thirds of its terms at least,
    // so 旧标题 does not turn into "anything with 标题".
    const words = query.trim().split(/\s+/).filter((w) => w !== "").length;
    const floor = words >= 2 ? 1 : groups.length >= 3 ? Math.ceil((2 * groups.length) / 3) : groups.length;
    // What readers type is often a piece of the headline they saw: titles holding the query as one
    // contiguous phrase come first (those also matching its terms by score, then the rest newest
    // first), then the term tiers below.
    const phrase = phraseKey(query);
    const phraseDocs = [...phrase].length >= 2 ? this.phrases.find(phrase, accept) : [];
    const seen = new Set<number>(phraseDocs);
    const scoredPhrase = new Map<number, number>();
    const hits: Hit[] = [];
    const tiers: Hit[][] = [];
    for (let need = groups.length; need >= floor; need--) {
      const m = this.ix.score(groups, need, accept);
      const tier: Hit[] = [];
      m.docs.forEach((doc, i) => {
        if (seen.has(doc)) {
          if (!scoredPhrase.has(doc)) scoredPhrase.set(doc, m.scores[i]!);
          return;
        }
        seen.add(doc);
        tier.push({ article: this.docs[doc]!, score: m.scores[i]! });
      });
      tiers.push(tier);
    }
    if (phraseDocs.length > 0) {
      const scored: Hit[] = [];
      const unscored: Hit[] = [];
      for (const doc of phraseDocs) {
        const score = scoredPhrase.get(doc);
        if (score !== undefined) scored.push({ article: this.docs[doc]!, score });
        else unscored.push({ article: this.docs[doc]!, score: 0 });
      }
      hits.push(...rankHits(scored, this.nearEqualRatio), ...unscored.sort((a, b) => byRecency(a.article, b.article)));
    }
    for (const tier of tiers) hits.push(...rankHits(tier, this.nearEqualRatio));
    const offset = opts.offset ?? 0;
    const limit = opts.limit ?? 10;
    return { total: hits.length, hits: hits.slice(offset, offset + limit) };
  }

  /**
   * Up to k articles published before `article` on the same story or subject, best first;
   * never the article itself nor a near-duplicate of it (or of one already chosen). Reads the
   * best matches' summaries (see ArticleIndexOptions.texts).
   */
  async related(article: Article, k = 3): Promise<IndexedArticle[]> {
    if (k <= 0) return [];
    let query = relatedQuery(article, this.relatedOpts);
    if (query.terms.length === 0) return [];
    let scored = this.relatedPass(article, query);
    if (this.feedbackDocs > 0 && scored.length > 0) {
      const top = scored.sort((a, b) => b.score - a.score).slice(0, this.feedbackDocs);
      const texts = await this.full(top.map((h) => this.docOf.get(h.article.id) ?? -1));
      const feedback = top.flatMap((h, i) => (texts[i] === undefined ? [] : [{ article: texts[i], score: h.score }]));
      query = expandQuery(query, feedback, this.relatedOpts, this.feedbackOpts);
      scored = this.relatedPass(article, query);
    }
    scored = await this.blendLatent(article, scored);
    const out: IndexedArticle[] = [];
    for (const h of rankHits(scored, this.nearEqualRatio)) {
      if (isNearDuplicate(h.article, article)) continue;
      if (out.some((o) => isNearDuplicate(o, h.article))) continue;
      out.push(h.article);
      if (out.length >= k) break;
    }
    return out;
  }

  /**
   * Trains the related-articles space now (in the background, in slices) and resolves when it is
   * ready; until then related() ranks by word matches alone. Call after loading the archive.
   */
  prepareRelated(): Promise<void> {
    return this.latent.ready(this.archiveDocs, this.ix.size);
  }

  /** Starts training the related-articles space now when it is due (e.g. after a batch was added). */
  warmRelated(): void {
    this.latent.ensure(this.archiveDocs, this.ix.size);
  }

  /**
   * Resolves when related() ranks with a space that knows most of the archive (at most
   * `maxWaitMs`, default 20 s; at once when no space can be trained).
   */
  relatedReady(maxWaitMs = 20_000): Promise<void> {
    return this.latent.usable(this.archiveDocs, this.ix.size, maxWaitMs);
  }

  /**
   * Re-scores the best word matches, plus the closest LSA neighbours, by (1 − w) × tf-idf cosine +
   * w × LSA cosine, and that by (1 − v) against v × word-vector cosine. BM25 only picks candidates:
   * its scores favour one rare shared word, while the cosines measure how much of the two headlines
   * agree, LSA adds words that travel together, and word vectors words that keep the same company
   * (a headline's few words give LSA little to go on). v falls with the article's summary length:
   * long text says enough in its own words (at full weight the vectors cost BBC 5 points).
   */
  private async blendLatent(article: Article, hits: Hit[]): Promise<Hit[]> {
    const w = this.latentWeight;
    if (!this.latent.ensure(this.archiveDocs, this.ix.size)) return hits;
    const scorer = this.latent.scorer(article);
    if (scorer === null) return hits;
    const accept = (doc: number): boolean => this.acceptRelated(article, doc);
    const near = this.latent.nearest(scorer.vector, this.latentCandidates, accept);
    hits.sort((a, b) => b.score - a.score);
    const candidates = hits.slice(0, this.lexicalCandidates).map((h) => this.docOf.get(h.article.id)!);
    for (const doc of near.keys()) if (!candidates.includes(doc)) candidates.push(doc);
    const v = this.words === null ? 0 : (this.wordWeight * this.wordHalfChars) / (this.wordHalfChars + article.summary.length);
    const words = v > 0 ? this.words : null;
    const wordVector = words?.vector(article) ?? null;
    if (words !== null && wordVector !== null && this.wordCandidates > 0) {
      for (const doc of words.nearest(wordVector, this.wordCandidates, accept).keys()) if (!candidates.includes(doc)) candidates.push(doc);
    }
    const tags = this.categoryWeight > 0 ? categorySet(article) : undefined;
    const texts = await this.full(candidates);
    return candidates.flatMap((doc, i) => {
      const c = texts[i];
      // Removed meanwhile, or its text is no longer stored.
      if (c === undefined) return [];
      const sim = near.get(doc) ?? scorer.latent(doc);
      let score = (1 - w) * scorer.cosine(c) + w * Math.max(0, sim);
      if (words !== null && wordVector !== null) score = (1 - v) * score + v * Math.max(0, words.similarity(wordVector, doc));
      // Feed tags name the subject outright (a headline often does not): shared ones count here too,
      // not only as words in the candidate search.
      if (tags !== undefined && tags.size > 0) score += this.categoryWeight * setCosine(tags, categorySet(c));
      return [{ article: this.docs[doc]!, score: score * this.recency(article, c) }];
    });
  }

  private acceptRelated(article: IndexedArticle, doc: number): boolean {
    const c = this.docs[doc];
    return c !== undefined && c.id !== article.id && isEarlier(c, article);
  }

  private recency(article: IndexedArticle, c: IndexedArticle): number {
    return recencyFactor(article.publishedAt - c.publishedAt, this.halfLifeMs, this.recencyFloor);
  }

  /**
   * One scoring pass of related(): earlier articles only, coordination and recency applied; the
   * best `lexicalCandidates` (at least `feedbackDocs`) matches, unordered: nothing later looks further.
   */
  private relatedPass(article: Article, query: WeightedTerms): Hit[] {
    // Very common terms add little (low idf) but dominate the cost: their posting lists are longest.
    // The absolute cap binds only on large archives (at 100k articles, 15 % would be 15,000 postings a term).
    const maxDf = Math.max(100, Math.min(this.maxDfRatio * this.ix.size, MAX_RELATED_DF));
    const groups = query.terms
      .map((term, i) => ({ term, prefix: false, weight: query.weights[i] ?? 1 }))
      .filter((g) => this.ix.docFreq(g.term) <= maxDf);
    const m = this.ix.score(groups, 1, (doc) => this.acceptRelated(article, doc));
    const scores = new Float64Array(m.docs.length);
    for (let i = 0; i < m.docs.length; i++) {
      const coord = Math.pow(m.matchedGroups[i]! / groups.length, this.coordination);
      scores[i] = m.scores[i]! * coord * this.recency(article, this.docs[m.docs[i]!]!);
    }
    return topIndices(scores, Math.max(this.lexicalCandidates, this.feedbackDocs)).map((i) => ({ article: this.docs[m.docs[i]!]!, score: scores[i]! }));
  }

  private sorted(): IndexedArticle[] {
    if (this.ordered === null) {
      this.ordered = [...this.byId.values()].sort((a, b) => byRecency(b, a));
    }
    return this.ordered;
  }
}

/** An article's categories, case- and width-folded. */
function categorySet(a: IndexedArticle): Set<string> {
  return new Set(a.categories.map((c) => c.normalize("NFKC").trim().toLowerCase()).filter((c) => c !== ""));
}

/** |A ∩ B| / √(|A| |B|); 0 when either is empty. */
function setCosine(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / Math.sqrt(a.size * b.size);
}

/** Indices of the `n` highest scores (ties: lower index first), unordered; all when there are fewer. */
export function topIndices(scores: Float64Array, n: number): number[] {
  const all = Array.from(scores.keys());
  if (all.length <= n) return all;
  // A threshold from a sorted copy, then one pass: cheaper than sorting index objects.
  const cut = Float64Array.from(scores).sort()[scores.length - n]!;
  const out: number[] = [];
  for (let i = 0; i < scores.length && out.length < n; i++) if (scores[i]! > cut) out.push(i);
  for (let i = 0; i < scores.length && out.length < n; i++) if (scores[i] === cut) out.push(i);
  return out;
}

/** First index whose article is not before `a` in oldest→newest order. */
function lowerBound(arr: IndexedArticle[], a: IndexedArticle): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byRecency(a, arr[mid]!) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(arr: IndexedArticle[], a: IndexedArticle): void {
  const i = lowerBound(arr, a);
  if (i === arr.length) arr.push(a);
  else arr.splice(i, 0, a);
}
