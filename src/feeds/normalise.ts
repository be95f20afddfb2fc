import { createHash } from "node:crypto";
import type { Article } from "../articles/article.js";
import { parseFeedDate } from "./dates.js";
import { cleanText, firstImageSrc, htmlToText, htmlToTitle, plainToText, truncateWords } from "./html.js";
import type { RawFeed, RawItem } from "./parse.js";

export interface NormaliseContext {
  /** `feeds[].id`. */
  feedId: string;
  /** URL the feed was fetched from (final URL after redirects); base of last resort for links. */
  feedUrl: string;
  /** HTTP Content-Location of the response, if any: the document's base URI (before xml:base); default none. */
  contentLocation?: string;
  /** Configured feed name; default the feed's own title. */
  sourceName?: string;
  /** IANA zone for dates without a zone; default "UTC". */
  timeZone?: string;
  /** Clock reading for first-seen times. */
  nowMs: number;
  /** Summary length cap in characters; default 1000. */
  maxSummaryChars?: number;
}

const DAY_MS = 86_400_000;
const ENTITY_OF: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/** Short, stable hash (hex sha1 prefix) used for item keys. */
export function shortHash(text: string, length = 16): string {
  return createHash("sha1").update(text).digest("hex").slice(0, length);
}

const ABSOLUTE_HTTP = /^https?:\/\//i;
// The items of one feed share their base: remember the last one checked.
let lastBase = "";
let lastBaseValid = false;
function isValidBase(base: string): boolean {
  if (base !== lastBase) {
    lastBase = base;
    lastBaseValid = URL.canParse(base);
  }
  return lastBaseValid;
}

// An absolute http(s) URL that the URL parser gives back exactly as written (its href): lower-case
// scheme and host name (no port, user, IP address, "xn--" label or fragment), a path, and only
// characters that are never percent-encoded or resolved (no "%", so no "%2e" dot segment).
const CANONICAL_HTTP = /^https?:\/\/(?:[a-z0-9-]+\.)+[a-z]+\/[A-Za-z0-9\-._~!$&()*+,;=:@/]*(?:\?[A-Za-z0-9\-._~!$&()*+,;=:@/?%]*)?$/;
// "." and ".." segments are resolved away.
const DOT_SEGMENT = /\/\.\.?(?:[/?]|$)/;

/** Resolves a possibly relative URL and keeps it only when it is absolute http(s). */
export function absoluteHttpUrl(raw: string | undefined, base: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value || value.startsWith("data:") || value.startsWith("javascript:")) return undefined;
  // Most links and images are written canonically already: the parse would only copy them.
  if (CANONICAL_HTTP.test(value) && !value.includes("xn--") && !DOT_SEGMENT.test(value) && (!base || isValidBase(base))) return value;
  try {
    // An absolute http(s) URL with slashes never looks at the base, which then need not be parsed
    // again for each link and image (new URL still throws for an invalid base: hence the check).
    const url = base && !(ABSOLUTE_HTTP.test(value) && isValidBase(base)) ? new URL(value, base) : new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** One step of resolveChain: `step` against `base`, or `base` when the step is absent or unusable. */
function resolveStep(base: string, step: string | undefined): string {
  return step === undefined ? base : (absoluteHttpUrl(step, base) ?? base);
}

/** Resolves each base in turn against the one before (xml:base chains); unusable steps are skipped. */
function resolveChain(start: string, chain: ReadonlyArray<string | undefined>): string {
  let base = start;
  for (const step of chain) base = absoluteHttpUrl(step, base) ?? base;
  return base;
}

function siteBase(raw: RawFeed, ctx: NormaliseContext): string {
  // RFC 3986 §5.1: the base is the document's own (xml:base), else Content-Location, else the URL it came from.
  const contentLocation = absoluteHttpUrl(ctx.contentLocation, ctx.feedUrl);
  const documentBase = contentLocation ?? ctx.feedUrl;
  if (raw.bases.length) return resolveChain(documentBase, raw.bases);
  if (contentLocation) return contentLocation;
  // A channel link without scheme ("www.example.com") is still a usable site base.
  const link = raw.link?.trim();
  const fromLink = absoluteHttpUrl(link, undefined) ?? (link && /^[\w-]+(\.[\w-]+)+(\/|$)/.test(link) ? absoluteHttpUrl(`http://${link}`, undefined) : undefined);
  return fromLink ?? ctx.feedUrl;
}

// Full articles in a description can be hundreds of KB; the summary needs only their start.
const MIN_HTML_WINDOW_CHARS = 2_048;

// How much of a summary text must be exact: the summary's characters, 200 more for the window test
// in summaryOfHtml, and (fewer than those) the 32 that truncateWords looks past its cut.
const SUMMARY_SLACK_CHARS = 201;

/**
 * htmlToText of the start of long HTML when that already gives more than the summary keeps. Only
 * the first maxChars characters (and whether there are more) of the result are exact.
 */
function summaryOfHtml(html: string, maxChars: number): string {
  const window = Math.max(MIN_HTML_WINDOW_CHARS, maxChars * 3);
  const keepChars = maxChars + SUMMARY_SLACK_CHARS;
  if (html.length > window * 1.5) {
    let head = html.slice(0, window);
    const lt = head.lastIndexOf("<");
    if (lt > head.lastIndexOf(">")) head = head.slice(0, lt);
    const text = htmlToText(head, keepChars);
    if (text.length > maxChars + 200) return text;
  }
  return htmlToText(html, keepChars);
}

function itemKey(item: RawItem, link: string): string {
  const key = item.guid?.trim() || link || `h:${shortHash(`${item.title ?? ""}\u0000${item.date ?? ""}\u0000${item.summaryHtml ?? ""}`)}`;
  return key.length > 200 ? `h:${shortHash(key)}` : key;
}

function normaliseItem(item: RawItem, ctx: NormaliseContext, base: string, source: string, feedAuthor: string | undefined): Article | undefined {
  const itemBase = resolveStep(base, item.base);
  let link = absoluteHttpUrl(item.link, resolveStep(itemBase, item.linkBase)) ?? "";
  // A guid is a link only when it does not say isPermaLink="false".
  if (!link && item.guid && item.guidIsPermaLink !== false && /^https?:\/\//i.test(item.guid)) link = absoluteHttpUrl(item.guid, undefined) ?? "";
  const maxSummary = ctx.maxSummaryChars ?? 1000;
  let summary = item.summaryText ? plainToText(item.summaryText, maxSummary + SUMMARY_SLACK_CHARS) : summaryOfHtml(item.summaryHtml ?? "", maxSummary);
  if (!summary && item.contentHtml) summary = summaryOfHtml(item.contentHtml, maxSummary);
  summary = truncateWords(summary, maxSummary);
  let title = item.titleText !== undefined ? plainToText(item.titleText) : htmlToTitle(item.title ?? "");
  if (!title) title = truncateWords(htmlToTitle(summary.replace(/[&<>]/g, (c) => ENTITY_OF[c]!)), 80);
  if (!title && link) title = truncateWords(link.replace(/^https?:\/\/(www\.)?/, ""), 80);
  if (!title) return undefined;

  const parsedDate = parseFeedDate(item.date, ctx.timeZone ?? "UTC");
  const publishedAt = parsedDate === undefined || parsedDate > ctx.nowMs + DAY_MS ? ctx.nowMs : parsedDate;
  let imageUrl: string | undefined;
  for (const candidate of item.images) {
    imageUrl = absoluteHttpUrl(candidate, itemBase);
    if (imageUrl) break;
  }
  if (!imageUrl) {
    const contentBase = resolveStep(itemBase, item.contentBase);
    imageUrl = absoluteHttpUrl(firstImageSrc(item.contentHtml ?? ""), contentBase) ?? absoluteHttpUrl(firstImageSrc(item.summaryHtml ?? ""), contentBase);
  }
  const categories = item.categories.length ? [...new Set(item.categories.map((c) => htmlToTitle(c)).filter(Boolean))].slice(0, 20) : [];
  const article: Article = {
    id: `${ctx.feedId}:${itemKey(item, link)}`,
    feedId: ctx.feedId,
    source,
    title,
    link,
    summary,
    categories,
    publishedAt,
    firstSeenAt: ctx.nowMs,
    topics: [],
  };
  const rawAuthor = item.author ?? feedAuthor;
  const author = rawAuthor ? cleanText(htmlToTitle(rawAuthor)) : "";
  if (author) article.author = truncateWords(author, 120);
  if (imageUrl) article.imageUrl = imageUrl;
  return article;
}

/** Turns a RawFeed into Articles (absolute links, plain text, UTC dates, stable ids), deduplicated by id. */
export function normaliseFeed(raw: RawFeed, ctx: NormaliseContext): { title?: string; articles: Article[] } {
  const base = siteBase(raw, ctx);
  const feedTitle = htmlToTitle(raw.title ?? "");
  const source = ctx.sourceName?.trim() || feedTitle || new URL(ctx.feedUrl).hostname;
  const seen = new Set<string>();
  const articles: Article[] = [];
  for (const item of raw.items) {
    const article = normaliseItem(item, ctx, base, source, raw.author);
    if (!article || seen.has(article.id)) continue;
    seen.add(article.id);
    articles.push(article);
  }
  return feedTitle ? { title: feedTitle, articles } : { articles };
}
