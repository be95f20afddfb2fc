import Parser from "rss-parser";
import { z } from "zod";
import { FeedError } from "./errors.js";
import { closeOpenTags, prepareDocument, wrapRawHtml } from "./xml-prep.js";

/** One item as the source gave it (HTML strings, raw dates, unresolved URLs). */
export interface RawItem {
  guid?: string;
  title?: string;
  link?: string;
  /** xml:base in effect for this item. */
  base?: string;
  summaryHtml?: string;
  /** Plain-text summary (JSON Feed content_text / summary): never treated as HTML. */
  summaryText?: string;
  contentHtml?: string;
  date?: string;
  author?: string;
  categories: string[];
  /** Image URL candidates, best first (enclosure, media:content, media:thumbnail). */
  images: string[];
}

/** A parsed feed before normalisation. */
export interface RawFeed {
  format: "rss" | "atom" | "rdf" | "json";
  title?: string;
  link?: string;
  base?: string;
  items: RawItem[];
}

type XmlNode = Record<string, unknown>;

const ITEM_FIELDS = [
  ["media:content", "mediaContent", { keepArray: true }],
  ["media:thumbnail", "mediaThumbnail", { keepArray: true }],
  ["media:group", "mediaGroup", { keepArray: true }],
  ["enclosure", "enclosures", { keepArray: true }],
  ["enc:enclosure", "encEnclosures", { keepArray: true }],
  ["link", "links", { keepArray: true }],
  ["a10:link", "a10Links", { keepArray: true }],
  ["atom:link", "atomLinks", { keepArray: true }],
  ["category", "categoryRaw", { keepArray: true }],
  ["guid", "guidRaw", { keepArray: true }],
  ["title", "titleRaw", { keepArray: true }],
  ["description", "descriptionRaw", { keepArray: true }],
  ["published", "publishedRaw"],
  ["updated", "updatedRaw"],
  ["dc:subject", "subjects", { keepArray: true }],
  ["$", "attrs", { keepArray: true }],
];
const FEED_FIELDS = [["$", "attrs", { keepArray: true }]];

let parser: Parser | undefined;
function rssParser(): Parser {
  // The typings only allow plain field names; rss-parser itself accepts [from, to, options] triples.
  parser ??= new Parser({
    defaultRSS: 2,
    customFields: { item: ITEM_FIELDS, feed: FEED_FIELDS } as unknown as Parser.CustomFields<XmlNode, XmlNode>,
  });
  return parser;
}

/** Text content of an xml2js value (string, `{_: text}`, arrays, nested XHTML), depth-limited. */
export function textOf(value: unknown, depth = 0): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (depth > 12 || value === null || typeof value !== "object") return undefined;
  if (Array.isArray(value)) {
    const parts = value.map((v) => textOf(v, depth + 1)).filter((v): v is string => v !== undefined);
    return parts.length ? parts.join(" ") : undefined;
  }
  const node = value as XmlNode;
  const keys = Object.keys(node).filter((k) => k !== "$" && k !== "_");
  if (typeof node._ === "string" && keys.length === 0) return node._;
  // Mixed content: xml2js keeps text and child elements apart, so order is approximate.
  const parts: string[] = typeof node._ === "string" ? [node._] : [];
  for (const k of keys) parts.push(textOf(node[k], depth + 1) ?? "");
  const joined = parts.join(" ").trim();
  return joined || undefined;
}

function attrs(value: unknown): Record<string, string> {
  const a = (value as XmlNode | undefined)?.$;
  return a && typeof a === "object" ? (a as Record<string, string>) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
}

const IMAGE_EXT = /\.(jpe?g|png|gif|webp|avif)(\?|#|$)/i;

function collectImages(it: XmlNode): string[] {
  const out: string[] = [];
  const consider = (url: string | undefined, type: string | undefined, medium?: string): void => {
    if (!url) return;
    if (medium === "image" || type?.startsWith("image/") || (!type && !medium && IMAGE_EXT.test(url))) out.push(url.trim());
  };
  for (const e of asArray(it.enclosures)) consider(attrs(e).url, attrs(e).type);
  for (const e of asArray(it.encEnclosures)) consider(attrs(e)["rdf:resource"] ?? attrs(e).url, attrs(e)["enc:type"] ?? attrs(e).type);
  for (const l of asArray(it.links)) if (attrs(l).rel === "enclosure") consider(attrs(l).href, attrs(l).type);
  const media = (node: XmlNode): void => {
    for (const m of asArray(node.mediaContent ?? node["media:content"])) consider(attrs(m).url, attrs(m).type, attrs(m).medium);
    for (const t of asArray(node.mediaThumbnail ?? node["media:thumbnail"])) if (attrs(t).url) out.push(attrs(t).url!.trim());
  };
  media(it);
  for (const g of asArray(it.mediaGroup)) if (g && typeof g === "object") media(g as XmlNode);
  return out;
}

function categoriesOf(it: XmlNode): string[] {
  const out: string[] = [];
  for (const c of [...asArray(it.categoryRaw), ...asArray(it.subjects)]) {
    const a = attrs(c);
    const text = (typeof c === "string" ? c : textOf(c)) ?? a.label ?? a.term;
    if (text?.trim()) out.push(text.trim());
  }
  return out;
}

function rssLink(it: XmlNode, format: RawFeed["format"]): string | undefined {
  if (format === "atom") return typeof it.link === "string" ? it.link : undefined;
  for (const l of asArray(it.links)) {
    const text = typeof l === "string" ? l : attrs(l).href ?? textOf(l);
    if (text?.trim()) return text.trim();
  }
  // RSS items that only carry an Atom link (a10:/atom: prefixes from .NET and others).
  for (const l of [...asArray(it.a10Links), ...asArray(it.atomLinks)]) {
    const a = attrs(l);
    if (a.href && (!a.rel || a.rel === "alternate")) return a.href.trim();
  }
  return undefined;
}

function toRawItem(it: XmlNode, format: RawFeed["format"]): RawItem {
  const guidText =
    textOf(asArray(it.guidRaw)[0]) ?? (typeof it.id === "string" ? it.id : undefined) ?? (it["rdf:about"] as string | undefined);
  const titleText = textOf(asArray(it.titleRaw)[0]);
  const summary = textOf(asArray(it.descriptionRaw)[0]) ?? (typeof it.summary === "string" ? it.summary : textOf(it.summary));
  const content = typeof it["content:encoded"] === "string" ? it["content:encoded"] : typeof it.content === "string" ? it.content : undefined;
  const item: RawItem = { categories: categoriesOf(it), images: collectImages(it) };
  const assign = <K extends keyof RawItem>(key: K, value: RawItem[K] | undefined): void => {
    if (value !== undefined && value !== "") item[key] = value;
  };
  assign("guid", guidText?.trim());
  assign("title", titleText);
  assign("link", rssLink(it, format));
  assign("base", attrs({ $: it.attrs })["xml:base"]);
  assign("summaryHtml", format === "atom" ? textOf(it.summary) : summary);
  assign("contentHtml", content);
  assign("date", textOf(it.publishedRaw) ?? textOf(it.updatedRaw) ?? (it.pubDate as string | undefined) ?? (it.date as string | undefined));
  assign("author", textOf(it.creator) ?? textOf(it.author));
  return item;
}

async function parseXml(body: string, root: string, rootBase: string | undefined): Promise<RawFeed> {
  if (root === "rss" && !/<channel[\s>]/.test(body)) throw new FeedError("empty", "<rss> without <channel>");
  let out: Parser.Output<XmlNode>;
  try {
    out = await rssParser().parseString(body);
  } catch (err) {
    // Second chance for raw HTML inside RSS text elements and for truncated bodies.
    if (body.length < 1_000_000) {
      try {
        out = await rssParser().parseString(closeOpenTags(root === "feed" ? body : wrapRawHtml(body)));
      } catch {
        throw classify(err);
      }
    } else throw classify(err);
  }
  const format: RawFeed["format"] = root === "feed" ? "atom" : root.endsWith("rdf") ? "rdf" : "rss";
  const feed: RawFeed = { format, items: (out.items as XmlNode[]).map((it) => toRawItem(it, format)) };
  const title = textOf(out.title);
  if (title) feed.title = title;
  const link = textOf(out.link)?.trim();
  if (link) feed.link = link;
  const base = attrs({ $: (out as unknown as XmlNode).attrs })["xml:base"] ?? rootBase;
  if (base) feed.base = base;
  return feed;
}

function classify(err: unknown): FeedError {
  const message = err instanceof Error ? err.message : String(err);
  if (/not recognized/i.test(message)) return new FeedError("not-a-feed", message, { cause: err });
  return new FeedError("malformed-xml", message.split("\n")[0]!.slice(0, 200), { cause: err });
}

const JsonAuthor = z.object({ name: z.string().optional() }).loose();
const JsonItem = z
  .object({
    id: z.union([z.string(), z.number()]).optional(),
    url: z.string().optional(),
    external_url: z.string().optional(),
    title: z.string().optional(),
    content_html: z.string().optional(),
    content_text: z.string().optional(),
    summary: z.string().optional(),
    image: z.string().optional(),
    banner_image: z.string().optional(),
    date_published: z.string().optional(),
    date_modified: z.string().optional(),
    author: JsonAuthor.optional(),
    authors: z.array(JsonAuthor).optional(),
    tags: z.array(z.string()).optional(),
    attachments: z.array(z.object({ url: z.string(), mime_type: z.string().optional() }).loose()).optional(),
  })
  .loose();
/** JSON Feed 1.0 / 1.1 (https://jsonfeed.org/version/1.1), lenient about optional fields. */
export const JsonFeedSchema = z
  .object({
    version: z.string().regex(/jsonfeed\.org\/version\/1/),
    title: z.string().optional(),
    home_page_url: z.string().optional(),
    feed_url: z.string().optional(),
    items: z.array(JsonItem),
  })
  .loose();

function parseJson(text: string): RawFeed {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new FeedError("not-a-feed", "invalid JSON", { cause: err });
  }
  const parsed = JsonFeedSchema.safeParse(data);
  if (!parsed.success) throw new FeedError("not-a-feed", "JSON is not a JSON Feed 1.x");
  const feed: RawFeed = { format: "json", items: [] };
  if (parsed.data.title) feed.title = parsed.data.title;
  if (parsed.data.home_page_url) feed.link = parsed.data.home_page_url;
  for (const it of parsed.data.items) {
    const item: RawItem = { categories: it.tags ?? [], images: [] };
    if (it.id !== undefined && String(it.id).trim()) item.guid = String(it.id).trim();
    if (it.title) item.title = it.title;
    const link = it.url ?? it.external_url;
    if (link) item.link = link;
    const summary = it.summary ?? it.content_text;
    if (summary) item.summaryText = summary;
    if (it.content_html) item.contentHtml = it.content_html;
    const date = it.date_published ?? it.date_modified;
    if (date) item.date = date;
    const author = it.authors?.[0]?.name ?? it.author?.name;
    if (author) item.author = author;
    for (const url of [it.image, it.banner_image]) if (url) item.images.push(url);
    for (const a of it.attachments ?? []) if (a.mime_type?.startsWith("image/")) item.images.push(a.url);
    feed.items.push(item);
  }
  return feed;
}

/** Parses decoded feed text (RSS 0.9x/1.0/2.0, Atom, JSON Feed 1.x) into a RawFeed; throws FeedError. */
export async function parseFeedText(text: string): Promise<RawFeed> {
  const doc = prepareDocument(text);
  if (doc.kind === "json") return parseJson(doc.body);
  return parseXml(doc.body, doc.root ?? "", doc.rootBase);
}
