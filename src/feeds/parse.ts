import Parser from "rss-parser";
import { FeedError } from "./errors.js";
import { FEED_FIELDS, ITEM_FIELDS, rawOnlyTagName, toRawItem } from "./items.js";
import { parseJson } from "./parse-json.js";
import { attrs, first, personName, textOf, type XmlNode } from "./xml-node.js";
import { closeOpenTags, prepareDocument, wrapRawHtml } from "./xml-prep.js";
import { inlineXhtml, unprefixRss10, wrapCdf, wrapEntry } from "./xml-rewrite.js";
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

const parsers = new Map<string, Parser>();
function rssParser(kind: "default" | "cdf"): Parser {
  let parser = parsers.get(kind);
  if (!parser) {
    // The typings only allow plain field names; rss-parser itself accepts [from, to, options] triples.
    parser = new Parser({
      defaultRSS: 2,
      // CDF spells its elements in capitals; folding tag names lets rss-parser's RSS reader see them.
      xml2js: kind === "cdf" ? { normalizeTags: true, tagNameProcessors: [rawOnlyTagName] } : { tagNameProcessors: [rawOnlyTagName] },
      customFields: { item: ITEM_FIELDS, feed: FEED_FIELDS } as unknown as Parser.CustomFields<XmlNode, XmlNode>,
    });
    parsers.set(kind, parser);
  }
  return parser;
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
  const parser = rssParser(format === "cdf" ? "cdf" : "default");
  let out: Parser.Output<XmlNode>;
  try {
    out = await parser.parseString(body);
  } catch (err) {
    // Second chance for raw HTML inside RSS text elements and for truncated bodies.
    if (body.length < 1_000_000) {
      try {
        out = await parser.parseString(closeOpenTags(format === "atom" ? body : wrapRawHtml(body)));
      } catch {
        throw classify(err);
      }
    } else throw classify(err);
  }
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
