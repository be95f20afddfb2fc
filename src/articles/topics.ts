import type { Lang } from "../i18n/lang.js";
import type { Article } from "./article.js";
import type { Hit } from "./rank.js";
import type { ArticleIndex } from "./search.js";
import { hasHan, latinTerms, normalizeText } from "./tokenize.js";

/** What readers see as a topic's name: one for every language, or one per language (config's TopicNameSchema). */
export type TopicName = string | Readonly<Record<Lang, string>>;

/** The part of a configured topic that matching needs (config's TopicSchema fits). */
export interface TopicDef {
  id: string;
  name: TopicName;
  keywords: readonly string[];
}

/** The topic's name for a reader in `lang` (a single name serves every language). Every reader-visible topic name goes through here. */
export function topicName(topic: Pick<TopicDef, "name">, lang: Lang): string {
  return typeof topic.name === "string" ? topic.name : topic.name[lang];
}

/** Every name the topic has, in any language (what a reader may type to name it). */
export function topicNames(topic: Pick<TopicDef, "name">): string[] {
  return typeof topic.name === "string" ? [topic.name] : [...new Set(Object.values(topic.name))];
}

/** True when `phrase` occurs as consecutive terms in `terms`. */
function containsPhrase(terms: readonly string[], phrase: readonly string[]): boolean {
  if (phrase.length === 0) return false;
  outer: for (let i = 0; i + phrase.length <= terms.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (terms[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}

/** Compiled keyword matcher: Han keywords by substring, others by whole (stemmed) words. */
interface Keyword {
  text: string;
  phrase: string[] | null;
}

const compiled = new WeakMap<readonly string[], Keyword[]>();

function compile(keywords: readonly string[]): Keyword[] {
  let list = compiled.get(keywords);
  if (list === undefined) {
    list = keywords
      .map((k) => normalizeText(k).trim())
      .filter((k) => k !== "")
      .map((text) => ({ text, phrase: hasHan(text) ? null : latinTerms(text) }));
    compiled.set(keywords, list);
  }
  return list;
}

/**
 * Topic ids for an article: every topic with a keyword in its title, summary or categories
 * (Chinese: substring of the NFKC text; English: whole words, case-insensitive, stem-aware, so
 * "election" matches "Elections"), then the feed's default topics. Config order, no repeats.
 */
export function matchTopics(article: Article, topics: readonly TopicDef[], feedTopics: readonly string[]): string[] {
  const text = normalizeText([article.title, article.summary, ...article.categories].join("\n"));
  let terms: string[] | null = null;
  const out = new Set<string>();
  for (const topic of topics) {
    const hit = compile(topic.keywords).some((k) => {
      if (k.phrase === null) return text.includes(k.text);
      terms ??= latinTerms(text);
      return containsPhrase(terms, k.phrase);
    });
    if (hit) out.add(topic.id);
  }
  for (const id of feedTopics) out.add(id);
  return [...out];
}

/** Comparable form of a topic reference: NFKC (width-insensitive), lower case, no # or spaces. */
export function topicKey(input: string): string {
  return normalizeText(input).replace(/^#/, "").replace(/\s+/g, "");
}

/** The topic whose id or name in any language equals `input`, any case, width and spacing (`#` prefix allowed). */
export function resolveTopic<T extends TopicDef>(input: string, topics: readonly T[]): T | undefined {
  const key = topicKey(input);
  if (key === "") return undefined;
  return topics.find((t) => topicKey(t.id) === key) ?? topics.find((t) => topicNames(t).some((name) => topicKey(name) === key));
}

/** Topics one of whose keywords equals `input` (any case, width and spacing): what a reader who typed a keyword for a topic meant. */
export function topicsWithKeyword<T extends TopicDef>(input: string, topics: readonly T[]): T[] {
  const key = topicKey(input);
  if (key === "") return [];
  return topics.filter((t) => t.keywords.some((k) => topicKey(k) === key));
}

/** A page request (defaults: offset 0, limit 5). */
export interface QueryPage {
  offset?: number;
  limit?: number;
}

/** Answer to a reader's query; in "topic" mode hits are newest first and scores are 0. */
export interface QueryResult {
  mode: "topic" | "search";
  /** The topic, in "topic" mode. */
  topic?: TopicDef;
  total: number;
  hits: Hit[];
}

/**
 * What `/topic`, `/search`, plain text and inline queries show: a query naming a configured topic
 * (id or name) lists that topic's latest articles; anything else is a free-text search.
 */
export function queryArticles(
  index: ArticleIndex,
  topics: readonly TopicDef[],
  query: string,
  page: QueryPage = {},
): QueryResult {
  const offset = page.offset ?? 0;
  const limit = page.limit ?? 5;
  const topic = resolveTopic(query, topics);
  if (topic !== undefined) {
    const articles = index.latest({ topicId: topic.id, offset, limit });
    return { mode: "topic", topic, total: index.count(topic.id), hits: articles.map((article) => ({ article, score: 0 })) };
  }
  return { mode: "search", ...index.search(query, { offset, limit }) };
}
