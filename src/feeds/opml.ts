import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";
import { decodeFeedBytes } from "./decode.js";
import { parseFeedUrl } from "./fetch.js";

/** Namespace of Newsdesk's own outline attributes (the feed id, paused), so a round trip keeps them. */
export const NEWSDESK_OPML_NS = "urn:newsdesk:opml:1";

/** One feed as OPML carries it. */
export interface OpmlFeed {
  url: string;
  /** Outline text (the feed's name); may be "". */
  title: string;
  /** Tags: category attribute values and enclosing folders' texts. */
  categories: string[];
  /** Newsdesk's feed id, when the document came from a Newsdesk export. */
  id?: string;
  paused: boolean;
}

/** An outline that could not be used, and why. */
export interface OpmlProblem {
  /** What the outline is called (its text, else its xmlUrl), at most 80 characters. */
  label: string;
  reason: "no-url" | "bad-url" | "duplicate";
}

export interface ParsedOpml {
  title?: string;
  feeds: OpmlFeed[];
  problems: OpmlProblem[];
}

/** Why a document is not usable as OPML at all. */
export class OpmlError extends Error {
  override readonly name = "OpmlError";
  constructor(
    readonly kind: "malformed" | "not-opml" | "doctype",
    message: string,
  ) {
    super(message);
  }
}

/** What /export writes for each feed. */
export interface ExportFeed {
  id: string;
  url: string;
  name: string;
  topics: readonly string[];
  paused: boolean;
}

const ATTR = "@_";
const MAX_OUTLINES = 5000;
const MAX_DEPTH = 20;

/** An OPML 2.0 document of the feeds, topics as categories (tags), Newsdesk's id and paused state in its namespace. */
export function buildOpml(feeds: readonly ExportFeed[], opts: { title: string; nowMs: number }): string {
  const outline = feeds.map((f) => ({
    [`${ATTR}type`]: "rss",
    [`${ATTR}text`]: f.name || f.id,
    [`${ATTR}title`]: f.name || f.id,
    [`${ATTR}xmlUrl`]: f.url,
    ...(f.topics.length > 0 ? { [`${ATTR}category`]: f.topics.join(",") } : {}),
    [`${ATTR}newsdesk:id`]: f.id,
    ...(f.paused ? { [`${ATTR}newsdesk:paused`]: "true" } : {}),
  }));
  const doc = {
    "?xml": { [`${ATTR}version`]: "1.0", [`${ATTR}encoding`]: "UTF-8" },
    opml: {
      [`${ATTR}version`]: "2.0",
      [`${ATTR}xmlns:newsdesk`]: NEWSDESK_OPML_NS,
      head: { title: opts.title, dateCreated: new Date(opts.nowMs).toUTCString() },
      body: { outline },
    },
  };
  // The builder escapes &, <, >, " and ' in text and attributes.
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: ATTR, format: true, suppressEmptyNode: true, suppressBooleanAttributes: false, processEntities: true });
  return builder.build(doc);
}

/**
 * Reads an OPML document (bytes in any encoding its BOM or XML declaration names). Any DOCTYPE is
 * refused before parsing, so no entity it could declare is ever expanded. Outlines with an xmlUrl
 * are feeds; outlines without one are folders whose text tags the feeds inside them.
 */
export function parseOpml(bytes: Uint8Array, maxBytes: number): ParsedOpml {
  let text: string;
  try {
    text = decodeFeedBytes(bytes, undefined, maxBytes).text;
  } catch (err) {
    throw new OpmlError("malformed", err instanceof Error ? err.message : String(err));
  }
  if (/<!DOCTYPE/i.test(text)) throw new OpmlError("doctype", "documents with a DOCTYPE are refused");
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new OpmlError("malformed", `${valid.err.msg} (line ${valid.err.line})`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: ATTR,
    parseAttributeValue: false,
    parseTagValue: false,
    processEntities: true,
    htmlEntities: false,
    isArray: (name) => name === "outline",
  });
  const root = (parser.parse(text) as Record<string, unknown>).opml;
  if (!isRecord(root)) throw new OpmlError("not-opml", "the root element is not <opml>");
  const head = isRecord(root.head) ? root.head : {};
  const body = isRecord(root.body) ? root.body : undefined;
  if (!body) throw new OpmlError("not-opml", "<opml> has no <body>");

  const feeds: OpmlFeed[] = [];
  const problems: OpmlProblem[] = [];
  const seen = new Set<string>();
  let count = 0;
  const walk = (outlines: unknown, folders: string[], depth: number): void => {
    if (!Array.isArray(outlines) || depth > MAX_DEPTH) return;
    for (const node of outlines) {
      if (!isRecord(node) || ++count > MAX_OUTLINES) return;
      const attr = (name: string): string | undefined => {
        const v = node[`${ATTR}${name}`];
        return typeof v === "string" ? v.trim() : undefined;
      };
      const label = (attr("text") || attr("title") || "").slice(0, 80);
      const xmlUrl = attr("xmlUrl") ?? attr("xmlurl");
      const children = node.outline;
      if (!xmlUrl) {
        if (Array.isArray(children)) walk(children, label ? [...folders, label] : folders, depth + 1);
        else if (attr("type")?.toLowerCase() === "rss") problems.push({ label: label || "?", reason: "no-url" });
        continue;
      }
      let url: string;
      try {
        url = parseFeedUrl(xmlUrl).href;
      } catch {
        problems.push({ label: (label || xmlUrl).slice(0, 80), reason: "bad-url" });
        continue;
      }
      if (seen.has(url)) {
        problems.push({ label: (label || url).slice(0, 80), reason: "duplicate" });
        continue;
      }
      seen.add(url);
      const categories = [...folders, ...splitCategories(attr("category") ?? "")];
      const feed: OpmlFeed = { url, title: label, categories: [...new Set(categories)], paused: attr("newsdesk:paused") === "true" };
      const id = attr("newsdesk:id");
      if (id) feed.id = id;
      feeds.push(feed);
    }
  };
  walk(body.outline, [], 0);
  const title = typeof head.title === "string" ? head.title.trim() : undefined;
  return title ? { title, feeds, problems } : { feeds, problems };
}

/** "a,/b/c, d" → ["a", "c", "d"]: tags, and the last segment of slash-delimited paths. */
function splitCategories(value: string): string[] {
  return value
    .split(",")
    .map((c) => c.trim().split("/").filter(Boolean).at(-1) ?? "")
    .filter((c) => c !== "");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
