// The article message (SPEC "Message format") in Telegram HTML. Pure: no I/O, no clock.
//
// Photo or text: an article with a usable http(s) image goes as a photo when the whole message
// (all related items and tags, the untruncated title, and a summary of at least
// MIN_PHOTO_SUMMARY units or the whole summary) fits a 1024-unit caption. Otherwise it goes as
// text with the link preview on, so Telegram still shows the article's picture under it. An
// article without an image goes as text with the preview off (the card would repeat the title).
//
// Shrinking, when a message would pass its limit: the summary first (dropped when under
// MIN_SUMMARY units), then related items from the end, then the hashtags, then the title.
// Lengths are the plain text Telegram measures, in UTF-16 units (see test/support/telegram-html.ts).
import type { Article, IndexedArticle } from "../articles/article.js";
import { escapeHtml, safeHttpUrl } from "./html.js";
import { formatDate, formatDateTime, oneLine, sanitizeHashtag, truncateText } from "./text.js";

export { formatDate, formatDateTime } from "./text.js";
export { truncateHtmlSafe } from "./html.js";

/** Reader-visible labels, taken from src/i18n by the caller. */
export interface FormatLabels {
  readMore: string;
  related: string;
}

export interface FormatOptions {
  labels: FormatLabels;
  /** IANA time zone for dates, e.g. "Asia/Shanghai". */
  timeZone: string;
  locale: "zh-CN" | "en";
  /** Longest summary in UTF-16 units before any shrinking; default 300. */
  summaryChars?: number;
  /** Hashtag texts chosen by the caller; sanitised to letters/digits/_; default none. */
  topicTags?: string[];
}

export type FormattedArticle =
  | { kind: "photo"; photoUrl: string; caption: string }
  | { kind: "text"; text: string; disablePreview: boolean };

/** Longest text message (UTF-16 units of plain text). */
export const MAX_TEXT_UNITS = 4096;
/** Longest photo caption (UTF-16 units of plain text). */
export const MAX_CAPTION_UNITS = 1024;
const DEFAULT_SUMMARY_UNITS = 300;
const MIN_PHOTO_SUMMARY = 100;
const MIN_SUMMARY = 40;
// Caps on feed fields that are not meant to be long, so the title always keeps most of the room.
const MAX_SOURCE_UNITS = 60;
const MAX_AUTHOR_UNITS = 60;
const MAX_LABEL_UNITS = 40;
const MAX_RELATED_TITLE_UNITS = 120;
const MAX_RELATED_SOURCE_UNITS = 40;
const MAX_LIST_TITLE_UNITS = 150;

interface RelatedLine {
  url: string;
  title: string;
  tail: string;
}

interface Parts {
  title: string;
  meta: string;
  summary: string;
  link: string | null;
  readMore: string;
  relatedLabel: string;
  related: RelatedLine[];
  tags: string[];
}

interface Shape {
  titleUnits: number;
  summaryUnits: number;
  relatedCount: number;
  withTags: boolean;
}

interface Rendered {
  html: string;
  plainUnits: number;
  shape: Shape;
  title: string;
  summary: string;
}

// Each line as [html, plain] so the plain length is known without re-parsing.
function render(p: Parts, shape: Shape): Rendered {
  const title = truncateText(p.title, shape.titleUnits);
  const summary = truncateText(p.summary, shape.summaryUnits);
  const lines: Array<[string, string]> = [[`<b>${escapeHtml(title)}</b>`, title]];
  if (p.meta !== "") lines.push([escapeHtml(p.meta), p.meta]);
  if (summary !== "") lines.push([escapeHtml(summary), summary]);
  if (p.link !== null)
    lines.push([`<a href="${escapeHtml(p.link)}">${escapeHtml(p.readMore)}</a>`, p.readMore]);
  const related = p.related.slice(0, shape.relatedCount);
  if (related.length > 0) {
    lines.push(["", ""], [escapeHtml(p.relatedLabel), p.relatedLabel]);
    for (const r of related) {
      const tail = r.tail === "" ? "" : ` · ${r.tail}`;
      lines.push([
        `• <a href="${escapeHtml(r.url)}">${escapeHtml(r.title)}</a>${escapeHtml(tail)}`,
        `• ${r.title}${tail}`,
      ]);
    }
  }
  if (shape.withTags && p.tags.length > 0) {
    const tags = p.tags.map((t) => `#${t}`).join(" ");
    lines.push([escapeHtml(tags), tags]);
  }
  const plainUnits = lines.reduce((n, [, plain]) => n + plain.length, 0) + lines.length - 1;
  return { html: lines.map(([html]) => html).join("\n"), plainUnits, shape, title, summary };
}

interface Policy {
  minSummaryUnits: number;
  mayDropRelated: boolean;
  mayDropTags: boolean;
  mayCutTitle: boolean;
}

// Shrink in the documented order until the plain text fits; null when the policy forbids the next step.
function fit(p: Parts, limit: number, summaryUnits: number, policy: Policy): Rendered | null {
  let r = render(p, { titleUnits: Infinity, summaryUnits, relatedCount: p.related.length, withTags: true });
  if (r.plainUnits > limit && r.summary !== "") {
    let units = r.summary.length - (r.plainUnits - limit);
    if (units < policy.minSummaryUnits) units = policy.minSummaryUnits;
    if (units < MIN_SUMMARY) units = 0;
    r = render(p, { ...r.shape, summaryUnits: units });
  }
  if (r.plainUnits <= limit) return r;
  if (!policy.mayDropRelated) return null;
  while (r.plainUnits > limit && r.shape.relatedCount > 0) {
    r = render(p, { ...r.shape, relatedCount: r.shape.relatedCount - 1 });
  }
  if (r.plainUnits <= limit) return r;
  if (!policy.mayDropTags) return null;
  r = render(p, { ...r.shape, withTags: false });
  if (r.plainUnits <= limit) return r;
  if (!policy.mayCutTitle) return null;
  r = render(p, { ...r.shape, titleUnits: Math.max(1, r.title.length - (r.plainUnits - limit)) });
  return r.plainUnits <= limit ? r : null;
}

function relatedLines(article: Article, related: readonly IndexedArticle[], opts: FormatOptions): RelatedLine[] {
  const seen = new Set<string>([article.id]);
  const lines: RelatedLine[] = [];
  for (const r of related) {
    const url = safeHttpUrl(r.link);
    if (url === null || seen.has(r.id)) continue;
    seen.add(r.id);
    const source = truncateText(oneLine(r.source), MAX_RELATED_SOURCE_UNITS);
    const tail = [source, formatDate(r.publishedAt, opts.timeZone, opts.locale)]
      .filter((s) => s !== "")
      .join(" ");
    lines.push({ url, title: truncateText(oneLine(r.title), MAX_RELATED_TITLE_UNITS) || "…", tail });
  }
  return lines;
}

/** The message for one article with its related articles: a photo with caption, or text. */
export function formatArticle(article: Article, related: readonly IndexedArticle[], opts: FormatOptions): FormattedArticle {
  const meta = [
    truncateText(oneLine(article.source), MAX_SOURCE_UNITS),
    truncateText(oneLine(article.author ?? ""), MAX_AUTHOR_UNITS),
    formatDateTime(article.publishedAt, opts.timeZone, opts.locale),
  ].filter((s) => s !== "");
  const tags = new Set<string>();
  for (const tag of opts.topicTags ?? []) {
    const clean = sanitizeHashtag(tag);
    if (clean !== null) tags.add(clean);
  }
  const parts: Parts = {
    title: oneLine(article.title) || "…",
    meta: meta.join(" · "),
    summary: oneLine(article.summary),
    link: safeHttpUrl(article.link),
    readMore: truncateText(oneLine(opts.labels.readMore), MAX_LABEL_UNITS),
    relatedLabel: truncateText(oneLine(opts.labels.related), MAX_LABEL_UNITS),
    related: relatedLines(article, related, opts),
    tags: [...tags],
  };
  const summaryUnits = Math.max(0, opts.summaryChars ?? DEFAULT_SUMMARY_UNITS);
  const photoUrl = safeHttpUrl(article.imageUrl);
  if (photoUrl !== null) {
    const fullSummary = truncateText(parts.summary, summaryUnits).length;
    const photo = fit(parts, MAX_CAPTION_UNITS, summaryUnits, {
      minSummaryUnits: Math.min(MIN_PHOTO_SUMMARY, fullSummary),
      mayDropRelated: false,
      mayDropTags: false,
      mayCutTitle: false,
    });
    if (photo !== null) return { kind: "photo", photoUrl, caption: photo.html };
  }
  const all = { minSummaryUnits: 0, mayDropRelated: true, mayDropTags: true, mayCutTitle: true };
  const text = fit(parts, MAX_TEXT_UNITS, summaryUnits, all);
  // Unreachable with the field caps above (the title alone can always be cut to fit); kept as a guard.
  if (text === null) throw new Error("formatArticle: message cannot fit 4096 units");
  return { kind: "text", text: text.html, disablePreview: photoUrl === null };
}

export interface ListFormatOptions {
  timeZone: string;
  locale: "zh-CN" | "en";
  /** Plain-text first line (escaped here), e.g. "Results for 旅游"; default none. */
  header?: string;
  /** Budget for the plain text in UTF-16 units; default 4096. */
  maxUnits?: number;
  /** Number of the first line, e.g. 6 on a second page of five; default 1. */
  startNumber?: number;
}

/**
 * Numbered lines `1. <a href>title</a> · source date` for query results and digests. Lines that
 * would pass the budget are left out (numbering stays consecutive); articles without an http(s)
 * link are listed without a link. Returns "" when nothing is listed: the caller says "no results".
 */
export function formatArticleList(articles: readonly IndexedArticle[], opts: ListFormatOptions): string {
  const maxUnits = opts.maxUnits ?? MAX_TEXT_UNITS;
  const header = truncateText(oneLine(opts.header ?? ""), 200);
  const out: string[] = header === "" ? [] : [escapeHtml(header)];
  let used = header.length;
  let n = 0;
  for (const a of articles) {
    const title = truncateText(oneLine(a.title), MAX_LIST_TITLE_UNITS) || "…";
    const source = truncateText(oneLine(a.source), MAX_RELATED_SOURCE_UNITS);
    const tail = [source, formatDate(a.publishedAt, opts.timeZone, opts.locale)]
      .filter((s) => s !== "")
      .join(" ");
    const suffix = tail === "" ? "" : ` · ${tail}`;
    const number = `${n + (opts.startNumber ?? 1)}. `;
    const cost = (out.length > 0 ? 1 : 0) + number.length + title.length + suffix.length;
    if (used + cost > maxUnits) continue;
    const url = safeHttpUrl(a.link);
    const titleHtml =
      url === null ? escapeHtml(title) : `<a href="${escapeHtml(url)}">${escapeHtml(title)}</a>`;
    out.push(`${number}${titleHtml}${escapeHtml(suffix)}`);
    used += cost;
    n++;
  }
  return n === 0 ? "" : out.join("\n");
}

/** Options of a bundle message. */
export interface BundleFormatOptions {
  timeZone: string;
  locale: "zh-CN" | "en";
  /** Bold first line, plain text (escaped here), e.g. "3 new articles". */
  header: string;
  /** Label of each line's link to the article's related articles, e.g. "Related". */
  relatedLabel: string;
  /** The link to one article's related articles (a deep link into the bot); null: no such link. */
  relatedUrl: (article: IndexedArticle) => string | null;
  /** Budget for the plain text in UTF-16 units; default 4096. */
  maxUnits?: number;
}

/**
 * Several new articles for one chat in one message (a busy news hour): a bold count, then one line
 * each, newest first, `• <a href>title</a> · source time · <a href>Related</a>`. Lines that do not
 * fit the budget are left for the next message: `included` lists the articles that are in it.
 */
export function formatBundle<A extends IndexedArticle>(articles: readonly A[], opts: BundleFormatOptions): { html: string; included: A[] } {
  const maxUnits = opts.maxUnits ?? MAX_TEXT_UNITS;
  const header = truncateText(oneLine(opts.header), 200);
  const lines: string[] = [`<b>${escapeHtml(header)}</b>`];
  let used = header.length;
  const included: A[] = [];
  const label = truncateText(oneLine(opts.relatedLabel), MAX_LABEL_UNITS);
  for (const a of [...articles].sort((x, y) => y.publishedAt - x.publishedAt)) {
    const title = truncateText(oneLine(a.title), MAX_LIST_TITLE_UNITS) || "…";
    const source = truncateText(oneLine(a.source), MAX_RELATED_SOURCE_UNITS);
    const tail = [source, formatDateTime(a.publishedAt, opts.timeZone, opts.locale)].filter((s) => s !== "").join(" ");
    const related = label === "" ? null : opts.relatedUrl(a);
    const suffix = tail === "" ? "" : ` · ${tail}`;
    const cost = 1 + 2 + title.length + suffix.length + (related === null ? 0 : 3 + label.length);
    if (used + cost > maxUnits) continue;
    const url = safeHttpUrl(a.link);
    const titleHtml = url === null ? escapeHtml(title) : `<a href="${escapeHtml(url)}">${escapeHtml(title)}</a>`;
    const relatedHtml = related === null ? "" : ` · <a href="${escapeHtml(related)}">${escapeHtml(label)}</a>`;
    lines.push(`• ${titleHtml}${escapeHtml(suffix)}${relatedHtml}`);
    used += cost;
    included.push(a);
  }
  return { html: lines.join("\n"), included };
}
