import Parser from "rss-parser";
import { FeedError } from "./errors.js";
import { FEED_FIELDS, ITEM_FIELDS, rawOnlyTagName, toRawItem } from "./items.js";
import { parseJson } from "./parse-json.js";
import { attrs, first, personName, textOf, type XmlNode } from "./xml-node.js";
import { closeOpenTags, prepareDocument, wrapRawHtml } from "./xml-prep.js";
import { entityTextToCdata, inlineXhtml, unprefixRss10, wrapCdf, wrapEntry } from "./xml-rewrite.js";
import { truncateText } from "../delivery/text.js";

export { JsonFeedSchema } from "./parse-json.js";
export { textOf } from "./xml-node.js";

/** One item as the source gave it (HTML strings, raw dates, unresolved URLs). */
export interface RawItem {
  guid?: string;
  /** False when the guid says isPermaLink="false": then it is never the article's link. */
  guidIsPermaLink?: false;
  /** Title as HTML (RSS, Atom type="html"/"xhtml"). */
  title?: string;
  /** Title as plain text (Atom type="text", the Atom default): never treated as HTML. */
  titleText?: string;
  link?: string;
  /** xml:base in effect for this item (relative to the feed's bases). */
  base?: string;
  /** xml:base on the link element itself (relative to the item's base). */
  linkBase?: string;
  /** xml:base on the content or summary element (relative to the item's base); base for its images. */
  contentBase?: string;
  summaryHtml?: string;
  /** Plain-text summary (JSON Feed content_text / summary, Atom type="text"): never treated as HTML. */
  summaryText?: string;
  contentHtml?: string;
  date?: string;
  author?: string;
  categories: string[];
  /** Image URL candidates, best first (itunes:image, enclosure, media:content, media:thumbnail). */
  images: string[];
}

/** A parsed feed before normalisation. */
export interface RawFeed {
  format: "rss" | "atom" | "rdf" | "json" | "cdf";
  title?: string;
  link?: string;
  /** xml:base values from the root element inwards, each relative to the one before. */
  bases: string[];
  /** Feed-level author, inherited by items without one (Atom). */
  author?: string;
  items: RawItem[];
}

type ParserKind = "default" | "cdf";
// The typings only allow plain field names; rss-parser itself accepts [from, to, options] triples.
const customFields = { item: ITEM_FIELDS, feed: FEED_FIELDS } as unknown as Parser.CustomFields<XmlNode, XmlNode>;
const PARSER_OPTIONS: Readonly<Record<ParserKind, Parser.ParserOptions<XmlNode, XmlNode>>> = {
  default: { defaultRSS: 2, xml2js: { tagNameProcessors: [rawOnlyTagName] }, customFields },
  // CDF spells its elements in capitals; folding tag names lets rss-parser's RSS reader see them.
  cdf: { defaultRSS: 2, xml2js: { normalizeTags: true, tagNameProcessors: [rawOnlyTagName] }, customFields },
};

/**
 * A parser for one document (a few microseconds to make). xml2js carries state from one document
 * into the next: after a document with several errors it silences the next one's first error, so
 * that a shared parser would read a broken feed after another one as a broken tree (or, its root
 * never closing, never settle).
 */
function rssParser(kind: ParserKind): Parser<XmlNode, XmlNode> {
  return new Parser(PARSER_OPTIONS[kind]);
}

async function parseXml(text: string, root: string, rootBase: string | undefined): Promise<RawFeed> {
  let body = text;
  let format: RawFeed["format"] = root === "feed" ? "atom" : root.endsWith("rdf") ? "rdf" : "rss";
  if (root === "entry") {
    body = wrapEntry(body);
    format = "atom";
  } else if (root === "channel") {
    body = wrapCdf(body);
    format = "cdf";
  } else if (format === "rdf") body = unprefixRss10(body);
  else if (root === "rss" && !/<channel[\s>]/.test(body)) throw new FeedError("empty", "<rss> without <channel>");
  if (format !== "cdf") body = inlineXhtml(body);
  const kind = format === "cdf" ? "cdf" : "default";
  const out = (await parseRewritten(kind, body)) ?? (await parseOrRetry(rssParser(kind), body, format));
  const feed: RawFeed = { format, bases: [], items: (out.items as XmlNode[]).map((it) => toRawItem(it, format)) };
  const feedNode = out as unknown as XmlNode;
  const title = textOf(out.title);
  if (title) feed.title = title;
  const feedAttrs = attrs({ $: first(feedNode.attrs) });
  const link = (textOf(out.link) ?? (format === "cdf" ? (feedAttrs.HREF ?? feedAttrs.href) : undefined))?.trim();
  if (link) feed.link = link;
  // For Atom the feed element is the root, whose xml:base must count once.
  if (rootBase && root !== "feed" && root !== "entry") feed.bases.push(rootBase);
  const ownBase = format === "cdf" ? (feedAttrs.BASE ?? feedAttrs.base) : feedAttrs["xml:base"];
  if (ownBase) feed.bases.push(ownBase);
  if (format === "atom") {
    const author = personName(feedNode.authorRaw);
    if (author) feed.author = author;
  }
  return feed;
}

/**
 * The document with entity-heavy text as CDATA (entityTextToCdata): the same tree, read faster.
 * Undefined when nothing was rewritten or the rewritten document fails to parse; the document is
 * then read as it was (with a parser of its own), for the same outcome and error message.
 */
async function parseRewritten(kind: ParserKind, body: string): Promise<Parser.Output<XmlNode> | undefined> {
  const rewritten = entityTextToCdata(body);
  if (rewritten === body) return undefined;
  return rssParser(kind).parseString(rewritten).catch(() => undefined);
}

async function parseOrRetry(parser: Parser<XmlNode, XmlNode>, body: string, format: RawFeed["format"]): Promise<Parser.Output<XmlNode>> {
  try {
    return await parser.parseString(body);
  } catch (err) {
    // Second chance for raw HTML inside RSS text elements and for truncated bodies.
    if (body.length < 1_000_000) {
      try {
        return await parser.parseString(closeOpenTags(format === "atom" ? body : wrapRawHtml(body)));
      } catch {
        throw classify(err);
      }
    }
    throw classify(err);
  }
}

function classify(err: unknown): FeedError {
  const message = err instanceof Error ? err.message : String(err);
  if (/not recognized/i.test(message)) return new FeedError("not-a-feed", message, { cause: err });
  return new FeedError("malformed-xml", truncateText(message.split("\n")[0]!, 200), { cause: err });
}

/** Parses decoded feed text (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, a lone Atom entry, CDF, JSON Feed 1.x) into a RawFeed; throws FeedError. */
export async function parseFeedText(text: string): Promise<RawFeed> {
  const doc = prepareDocument(text);
  if (doc.kind === "json") return parseJson(doc.body);
  return parseXml(doc.body, doc.root ?? "", doc.rootBase);
}
