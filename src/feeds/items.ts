// rss-parser item (with our customFields) → RawItem: the fields mature parsers read, from the same parse.
import type { RawFeed, RawItem } from "./parse.js";
import { asArray, attrs, childrenNamed, first, personName, textConstruct, textOf, type XmlNode } from "./xml-node.js";

const keep = { keepArray: true };

// rss-parser derives snippets (HTML stripped, entities decoded) and ISO dates from these elements
// on every RSS item; we read them raw and do that work once ourselves. Renamed while xml2js builds
// the tree ("#" is no XML name character, so nothing collides), they are left alone by rss-parser.
// Atom's published/updated too: rss-parser turns them into ISO strings with Date#toISOString, which
// throws on an unreadable date and lost the whole feed; we read them raw like every other date.
/** xml2js tagNameProcessor for the parsers that read ITEM_FIELDS (called for every element). */
export function rawOnlyTagName(name: string): string {
  switch (name) {
    case "description":
      return "description#";
    case "content:encoded":
      return "content:encoded#";
    case "content":
      return "content#";
    case "summary":
      return "summary#";
    case "pubDate":
      return "pubDate#";
    case "dc:date":
      return "dc:date#";
    case "published":
      return "published#";
    case "updated":
      return "updated#";
    default:
      return name;
  }
}

/** customFields.item: [element, property, options] triples (element names after rawOnlyTagName). */
export const ITEM_FIELDS = [
  ["media:content", "mediaContent", keep],
  ["media:thumbnail", "mediaThumbnail", keep],
  ["media:group", "mediaGroup", keep],
  ["itunes:image", "itunesImage", keep],
  ["enclosure", "enclosures", keep],
  ["enc:enclosure", "encEnclosures", keep],
  ["link", "links", keep],
  ["a10:link", "a10Links", keep],
  ["atom:link", "atomLinks", keep],
  ["category", "categoryRaw", keep],
  ["guid", "guidRaw", keep],
  ["title", "titleRaw", keep],
  ["description#", "descriptionRaw", keep],
  ["summary#", "summaryRaw", keep],
  ["content#", "contentRaw", keep],
  ["content:encoded#", "contentEncoded"],
  ["xhtml:body", "xhtmlBody", keep],
  ["body", "bodyRaw", keep],
  ["fullitem", "fullitem", keep],
  ["dc:description", "dcDescription", keep],
  ["pubDate#", "pubDateRaw"],
  ["dc:date#", "dcDate"],
  ["published#", "publishedRaw"],
  ["updated#", "updatedRaw"],
  ["issued", "issued"],
  ["created", "created"],
  ["modified", "modified"],
  ["dcterms:issued", "dctermsIssued"],
  ["dcterms:created", "dctermsCreated"],
  ["dcterms:modified", "dctermsModified"],
  ["dcterms:date", "dctermsDate"],
  ["atom:published", "atomPublished"],
  ["atom:updated", "atomUpdated"],
  ["a10:updated", "a10Updated"],
  ["dc:author", "dcAuthor", keep],
  ["atom:author", "atomAuthor", keep],
  ["a10:author", "a10Author", keep],
  ["itunes:author", "itunesAuthor", keep],
  ["author", "authorRaw", keep],
  ["dc:subject", "subjects", keep],
  ["abstract", "abstract", keep],
  ["$", "attrs", keep],
];
/** customFields.feed. */
export const FEED_FIELDS = [
  ["$", "attrs", keep],
  ["author", "authorRaw", keep],
  ["abstract", "abstract", keep],
];

const IMAGE_EXT = /\.(jpe?g|png|gif|webp|avif|bmp)(\?|#|$)/i;

// Module-level helpers rather than closures per item: items are many, and each closure costs an
// allocation (and under tsx, which keeps function names, a defineProperty call).
function considerImage(out: string[], url: string | undefined, type: string | undefined, medium?: string): void {
  if (!url?.trim()) return;
  const t = type?.trim().toLowerCase() ?? "";
  // An enclosure without a useful type is a picture when its file name says so.
  const untyped = t === "" || t === "application/octet-stream" || t === "binary/octet-stream";
  if (medium === "image" || t.startsWith("image/") || (untyped && !medium && IMAGE_EXT.test(url.trim()))) out.push(url.trim());
}

function mediaImages(out: string[], contents: unknown, thumbs: unknown): void {
  for (const m of asArray(contents)) {
    const a = attrs(m);
    considerImage(out, a.url, a.type, a.medium);
    // A video's still, given inside its media:content.
    for (const t of childrenNamed(m, "thumbnail")) if (attrs(t).url) out.push(attrs(t).url!.trim());
  }
  for (const t of asArray(thumbs)) if (attrs(t).url) out.push(attrs(t).url!.trim());
}

function collectImages(it: XmlNode): string[] {
  const out: string[] = [];
  for (const i of asArray(it.itunesImage)) {
    const href = attrs(i).href ?? textOf(i);
    if (href?.trim()) out.push(href.trim());
  }
  for (const e of asArray(it.enclosures)) considerImage(out, attrs(e).url, attrs(e).type);
  for (const e of asArray(it.encEnclosures)) considerImage(out, attrs(e)["rdf:resource"] ?? attrs(e).url, attrs(e)["enc:type"] ?? attrs(e).type);
  for (const l of asArray(it.links)) if (attrs(l).rel === "enclosure") considerImage(out, attrs(l).href, attrs(l).type);
  mediaImages(out, it.mediaContent, it.mediaThumbnail);
  for (const g of asArray(it.mediaGroup)) if (g && typeof g === "object") mediaImages(out, (g as XmlNode)["media:content"], (g as XmlNode)["media:thumbnail"]);
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

function linkOf(it: XmlNode, format: RawFeed["format"]): { href?: string; base?: string } {
  const href = format === "cdf" ? caseless(attrs({ $: first(it.attrs) }), "href") : undefined;
  if (href) return { href };
  if (format === "atom") {
    const links = asArray(it.links);
    const alt = links.find((l) => !attrs(l).rel || attrs(l).rel === "alternate") ?? links.find((l) => attrs(l).rel !== "enclosure" && attrs(l).rel !== "self");
    const a = attrs(alt);
    return { href: a.href ?? (typeof it.link === "string" ? it.link : undefined), base: a["xml:base"] };
  }
  for (const l of asArray(it.links)) {
    const text = typeof l === "string" ? l : attrs(l).href ?? textOf(l);
    if (text?.trim()) return { href: text.trim(), base: attrs(l)["xml:base"] };
  }
  // RSS items that only carry an Atom link (a10:/atom: prefixes from .NET and others).
  for (const l of [...asArray(it.a10Links), ...asArray(it.atomLinks)]) {
    const a = attrs(l);
    if (a.href && (!a.rel || a.rel === "alternate")) return { href: a.href.trim(), base: a["xml:base"] };
  }
  return {};
}

function caseless(a: Record<string, string>, name: string): string | undefined {
  for (const [k, v] of Object.entries(a)) if (k.toLowerCase() === name) return v;
  return undefined;
}

// Publication dates before modification dates; each a different vocabulary for the same thing.
// All are read raw (rawOnlyTagName hides them from rss-parser, so its own pubDate stays empty);
// pubDateRaw and dcDate are RSS elements, which Atom entries were never read for.
const DATE_FIELDS = ["publishedRaw", "pubDate", "pubDateRaw", "dcDate", "dctermsIssued", "dctermsCreated", "dctermsDate", "atomPublished", "issued", "created", "updatedRaw", "modified", "dctermsModified", "atomUpdated", "a10Updated"];

function dateOf(it: XmlNode, format: RawFeed["format"]): string | undefined {
  const lastmod = format === "cdf" ? caseless(attrs({ $: first(it.attrs) }), "lastmod") : undefined;
  if (lastmod) return lastmod;
  for (const field of DATE_FIELDS) {
    if (format === "atom" && (field === "pubDateRaw" || field === "dcDate")) continue;
    const value = textOf(it[field])?.trim();
    if (value) return value;
  }
  return undefined;
}

function authorOf(it: XmlNode, format: RawFeed["format"]): string | undefined {
  if (format === "atom") return personName(it.authorRaw) ?? personName(it.creator);
  for (const value of [it.creator, it.authorRaw, it.dcAuthor, it.atomAuthor, it.a10Author, it.itunesAuthor]) {
    const name = personName(value);
    if (name) return name;
  }
  return undefined;
}

/** Sets a RawItem field unless the value is absent or empty. */
function assign<K extends keyof RawItem>(item: RawItem, key: K, value: RawItem[K] | undefined): void {
  if (value !== undefined && value !== "") item[key] = value;
}

/** Builds one RawItem from an rss-parser item read with ITEM_FIELDS. */
export function toRawItem(it: XmlNode, format: RawFeed["format"]): RawItem {
  const guidNode = first(it.guidRaw);
  const guidText = textOf(guidNode) ?? (typeof it.id === "string" ? it.id : undefined) ?? (it["rdf:about"] as string | undefined);
  const atomish = format === "atom";
  const title = textConstruct(it.titleRaw, atomish);
  const item: RawItem = { categories: categoriesOf(it), images: collectImages(it) };
  assign(item, "guid", guidText?.trim());
  if (attrs(guidNode).isPermaLink?.trim().toLowerCase() === "false") item.guidIsPermaLink = false;
  if (title.text?.trim()) item.titleText = title.text;
  else if (title.html?.trim()) item.title = title.html;
  const link = linkOf(it, format);
  assign(item, "link", link.href?.trim());
  assign(item, "linkBase", link.base);
  assign(item, "base", attrs({ $: first(it.attrs) })["xml:base"]);

  const summaryNode = atomish ? it.summaryRaw : it.descriptionRaw ?? it.dcDescription ?? it.abstract;
  const summary = textConstruct(summaryNode, atomish);
  assign(item, "summaryText", summary.text?.trim() ? summary.text : undefined);
  assign(item, "summaryHtml", summary.html);
  const content = atomish ? textConstruct(it.contentRaw, true) : { html: textOf(it.contentEncoded) ?? textOf(first(it.xhtmlBody)) ?? textOf(first(it.bodyRaw)) ?? textOf(first(it.fullitem)) };
  if (content.html) item.contentHtml = content.html;
  else if (content.text?.trim() && !item.summaryText && !item.summaryHtml) item.summaryText = content.text;
  assign(item, "contentBase", attrs(first(atomish ? it.contentRaw ?? it.summaryRaw : undefined))["xml:base"]);
  assign(item, "date", dateOf(it, format));
  assign(item, "author", authorOf(it, format));
  return item;
}
