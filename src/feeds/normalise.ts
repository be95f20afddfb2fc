import { createHash } from "node:crypto";
import type { Article } from "../articles/article.js";
import { parseFeedDate } from "./dates.js";
import { cleanText, firstImageSrc, htmlToText, htmlToTitle, truncateWords } from "./html.js";
import type { RawFeed, RawItem } from "./parse.js";

export interface NormaliseContext {
  /** `feeds[].id`. */
  feedId: string;
  /** URL the feed was fetched from (final URL after redirects); base of last resort for links. */
  feedUrl: string;
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

/** Resolves a possibly relative URL and keeps it only when it is absolute http(s). */
export function absoluteHttpUrl(raw: string | undefined, base: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value || value.startsWith("data:") || value.startsWith("javascript:")) return undefined;
  try {
    const url = base ? new URL(value, base) : new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function siteBase(raw: RawFeed, feedUrl: string): string {
  const xmlBase = absoluteHttpUrl(raw.base, feedUrl);
  if (xmlBase) return xmlBase;
  // A channel link without scheme ("www.example.com") is still a usable site base.
  const link = raw.link?.trim();
  const fromLink = absoluteHttpUrl(link, undefined) ?? (link && /^[\w-]+(\.[\w-]+)+(\/|$)/.test(link) ? absoluteHttpUrl(`http://${link}`, undefined) : undefined);
  return fromLink ?? feedUrl;
}

function itemKey(item: RawItem, link: string): string {
  const key = item.guid?.trim() || link || `h:${shortHash(`${item.title ?? ""}\u0000${item.date ?? ""}\u0000${item.summaryHtml ?? ""}`)}`;
  return key.length > 200 ? `h:${shortHash(key)}` : key;
}

function normaliseItem(item: RawItem, ctx: NormaliseContext, base: string, source: string): Article | undefined {
  const itemBase = absoluteHttpUrl(item.base, base) ?? base;
  let link = absoluteHttpUrl(item.link, itemBase) ?? "";
  if (!link && item.guid && /^https?:\/\//i.test(item.guid)) link = absoluteHttpUrl(item.guid, undefined) ?? "";
  const maxSummary = ctx.maxSummaryChars ?? 1000;
  let summary = item.summaryText ? cleanText(item.summaryText) : htmlToText(item.summaryHtml ?? "");
  if (!summary && item.contentHtml) summary = htmlToText(item.contentHtml);
  summary = truncateWords(summary, maxSummary);
  let title = htmlToTitle(item.title ?? "");
  if (!title) title = truncateWords(htmlToTitle(summary.replace(/[&<>]/g, (c) => ENTITY_OF[c]!)), 80);
  if (!title && link) title = truncateWords(link.replace(/^https?:\/\/(www\.)?/, ""), 80);
  if (!title) return undefined;

  const parsedDate = parseFeedDate(item.date, ctx.timeZone ?? "UTC");
  const publishedAt = parsedDate === undefined || parsedDate > ctx.nowMs + DAY_MS ? ctx.nowMs : parsedDate;
  const imageCandidates = [...item.images, firstImageSrc(item.contentHtml ?? ""), firstImageSrc(item.summaryHtml ?? "")];
  let imageUrl: string | undefined;
  for (const candidate of imageCandidates) {
    imageUrl = absoluteHttpUrl(candidate, itemBase);
    if (imageUrl) break;
  }
  const categories = [...new Set(item.categories.map((c) => htmlToTitle(c)).filter(Boolean))].slice(0, 20);
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
  const author = item.author ? cleanText(htmlToTitle(item.author)) : "";
  if (author) article.author = truncateWords(author, 120);
  if (imageUrl) article.imageUrl = imageUrl;
  return article;
}

/** Turns a RawFeed into Articles (absolute links, plain text, UTC dates, stable ids), deduplicated by id. */
export function normaliseFeed(raw: RawFeed, ctx: NormaliseContext): { title?: string; articles: Article[] } {
  const base = siteBase(raw, ctx.feedUrl);
  const feedTitle = htmlToTitle(raw.title ?? "");
  const source = ctx.sourceName?.trim() || feedTitle || new URL(ctx.feedUrl).hostname;
  const seen = new Set<string>();
  const articles: Article[] = [];
  for (const item of raw.items) {
    const article = normaliseItem(item, ctx, base, source);
    if (!article || seen.has(article.id)) continue;
    seen.add(article.id);
    articles.push(article);
  }
  return feedTitle ? { title: feedTitle, articles } : { articles };
}
