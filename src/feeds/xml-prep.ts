import { FeedError } from "./errors.js";
import { NAMED_ENTITIES } from "./entities.js";

export type DocumentKind = "xml" | "json";

export interface PreparedDocument {
  kind: DocumentKind;
  /** For XML: the document from its root element on (prolog dropped); for JSON: the text. */
  body: string;
  /** Lower-cased root element name (XML only). */
  root?: string;
  /** xml:base declared on the root element, if any. */
  rootBase?: string;
}

const FEED_ROOTS = /^(rss|feed|entry|(?:[a-z0-9_-]+:)?rdf|channel)$/i;

/**
 * Finds the root element after the prolog (whitespace, PIs such as `<?xml …?>` or `<?phpxml …?>`,
 * comments, DOCTYPE). Refuses any DOCTYPE that declares entities (billion laughs, quadratic
 * blow-up, XXE) before a parser ever sees it, and recognises HTML pages served in place of a feed.
 */
export function prepareDocument(rawText: string): PreparedDocument {
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText;
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) throw new FeedError("empty", "document is empty");
    const c = text[i];
    if (c === "{" || c === "[") return { kind: "json", body: text.slice(i) };
    if (c !== "<") throw new FeedError("not-a-feed", "document does not start with markup");
    if (text.startsWith("<?", i)) {
      const end = text.indexOf("?>", i + 2);
      if (end < 0) throw new FeedError("malformed-xml", "unterminated processing instruction");
      i = end + 2;
    } else if (text.startsWith("<!--", i)) {
      const end = text.indexOf("-->", i + 4);
      if (end < 0) throw new FeedError("malformed-xml", "unterminated comment");
      i = end + 3;
    } else if (/^<!doctype/i.test(text.slice(i, i + 9))) {
      i = skipDoctype(text, i);
    } else {
      break;
    }
  }
  const tagEnd = text.indexOf(">", i);
  const nameMatch = /^<([A-Za-z_][\w.:-]*)/.exec(text.slice(i, i + 200));
  if (!nameMatch || tagEnd < 0) throw new FeedError("malformed-xml", "no root element");
  const root = nameMatch[1]!.toLowerCase();
  if (root === "html" || root === "head" || root === "body") return fromHtml(text.slice(i));
  if (!FEED_ROOTS.test(root)) throw new FeedError("not-a-feed", `root element <${root}> is not a feed`);
  const openTag = text.slice(i, tagEnd + 1);
  const rootBase = /\sxml:base\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(openTag);
  const body = repairXml(text.slice(i));
  const doc: PreparedDocument = { kind: "xml", body, root };
  const base = rootBase?.[1] ?? rootBase?.[2];
  if (base) doc.rootBase = base;
  return doc;
}

function skipDoctype(text: string, start: number): number {
  let i = start + 9;
  let inSubset = false;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (ch === "[") inSubset = true;
    else if (ch === "]") inSubset = false;
    else if (ch === "<" && inSubset && text.startsWith("<!ENTITY", i)) {
      throw new FeedError("hostile-xml", "DOCTYPE declares entities (refused)");
    } else if (ch === ">" && !inSubset) return i + 1;
  }
  throw new FeedError("malformed-xml", "unterminated DOCTYPE");
}

function fromHtml(html: string): PreparedDocument {
  // Some sites wrap an Atom feed in an XHTML page; take the feed out, else it is no feed.
  const start = html.search(/<feed[\s>][^>]*?xmlns\s*=\s*["']http:\/\/www\.w3\.org\/2005\/Atom["']/i);
  const end = html.lastIndexOf("</feed>");
  if (start >= 0 && end > start) {
    return { kind: "xml", body: repairXml(html.slice(start, end + "</feed>".length)), root: "feed" };
  }
  throw new FeedError("not-a-feed", "an HTML page, not a feed");
}

/**
 * Fixes what strict XML rejects but feeds commonly carry, outside CDATA and comments: bare `&`,
 * HTML named entities (→ numeric references) and control characters.
 */
export function repairXml(xml: string): string {
  // Scanning for the C0 controls alone and for U+FFFE/U+FFFF with indexOf is faster than the one
  // class over the whole document; most documents have none of them.
  const forbidden = C0_FORBIDDEN.test(xml) || xml.includes("\uFFFE") || xml.includes("\uFFFF");
  const cleaned = forbidden ? xml.replace(FORBIDDEN_CHARS, "") : xml;
  if (!cleaned.includes("&")) return cleaned;
  // Most documents have no reference to a high surrogate: fixAmpersands finds out on its one pass.
  const fixed = fixAmpersands(cleaned, true);
  if (fixed !== undefined) return fixed;
  // A surrogate pair written as two references (&#xD83D;&#xDE00;) is one character: join it first.
  const joined = cleaned.replace(REF_PAIR, (whole, a: string, b: string) => {
    const hi = refCode(a);
    const lo = refCode(b);
    return hi >= 0xd800 && hi <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff ? `&#${0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)};` : whole;
  });
  return fixAmpersands(joined, false)!;
}

/**
 * Escapes bare `&` and rewrites named and forbidden numeric references, outside CDATA sections and
 * comments. One linear pass: sections and comments match whole (and stay), well-formed references
 * are skipped by the lookahead. The text is copied only where something changes (most documents
 * need nothing): a replace() callback would rebuild the whole document. With `bailOnHighSurrogate`,
 * undefined when the document has a reference to a high surrogate (which may start a pair written
 * as two references, to join first), whether in a reference this pass reads or in a section or
 * comment (where the joining pass also works).
 */
function fixAmpersands(xml: string, bailOnHighSurrogate: boolean): string | undefined {
  let out = "";
  let last = 0;
  SUSPECT_AMPERSAND.lastIndex = 0;
  for (let m = SUSPECT_AMPERSAND.exec(xml); m; m = SUSPECT_AMPERSAND.exec(xml)) {
    const [whole, hex, dec, name] = m;
    if (whole.charCodeAt(0) === 0x3c) {
      if (bailOnHighSurrogate && whole.includes("&#") && HIGH_SURROGATE_REF.test(whole)) return undefined;
      continue;
    }
    let fixed: string;
    if (hex !== undefined || dec !== undefined) {
      const cp = hex !== undefined ? parseInt(hex, 16) : Number(dec);
      if (bailOnHighSurrogate && cp >= 0xd800 && cp <= 0xdbff) return undefined;
      // A reference to a character XML forbids (a lone surrogate, a control character) would fail the
      // whole feed: one bad item must not cost the others their delivery.
      if (isXmlChar(cp)) continue;
      fixed = "&#xFFFD;";
    } else if (!name) fixed = "&amp;";
    else {
      const cp = NAMED_ENTITIES.get(name);
      fixed = cp === undefined ? `&amp;${name};` : `&#${cp};`;
    }
    out += xml.slice(last, m.index) + fixed;
    last = m.index + whole.length;
  }
  return last === 0 ? xml : out + xml.slice(last);
}

// eslint-disable-next-line no-control-regex -- characters XML 1.0 forbids
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
// eslint-disable-next-line no-control-regex -- characters XML 1.0 forbids
const C0_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

const SUSPECT_AMPERSAND =
  /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|&#(?:[xX]([0-9a-fA-F]{1,7})|([0-9]{1,8}));|&(?!(?:amp|lt|gt|quot|apos);)(?:([A-Za-z][A-Za-z0-9]{0,31});)?/g;

/** A reference whose value may be a high surrogate (D800-DBFF, 55296-56319); a superset is fine (sections and comments only). */
const HIGH_SURROGATE_REF = /&#(?:[xX]0*[dD][89abAB]|0*5[56]\d{3};)/;

/** Two numeric references in a row (the callback joins them only when they are a surrogate pair). */
const REF_PAIR = /&#([xX][0-9a-fA-F]{1,7}|[0-9]{1,8});&#([xX][0-9a-fA-F]{1,7}|[0-9]{1,8});/g;

/** The code point of a numeric reference's body ("x1F600" or "128512"). */
function refCode(body: string): number {
  return body[0] === "x" || body[0] === "X" ? parseInt(body.slice(1), 16) : Number(body);
}

/** XML 1.0's Char production. */
function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

const RAW_HTML_ELEMENTS = /<(description|title|summary|content:encoded|comments)(\s[^>]*)?>([\s\S]*?)<\/\1\s*>/g;

/** Second chance for RSS with raw, unbalanced HTML inside text elements: wraps it in CDATA. */
export function wrapRawHtml(xml: string): string {
  return xml.replace(RAW_HTML_ELEMENTS, (whole, name: string, attrs: string | undefined, inner: string) => {
    if (!inner.includes("<") || inner.trimStart().startsWith("<![CDATA[")) return whole;
    return `<${name}${attrs ?? ""}><![CDATA[${inner.replace(/]]>/g, "]]&gt;")}]]></${name}>`;
  });
}

/**
 * Closes elements left open by a truncated document (server died mid-body), after cutting any
 * half-written tag, comment or CDATA section at the end. Only used as a second attempt.
 */
export function closeOpenTags(xml: string): string {
  let text = xml;
  const lastLt = text.lastIndexOf("<");
  if (lastLt > text.lastIndexOf(">")) text = text.slice(0, lastLt);
  const stack: string[] = [];
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf("<", i);
    if (lt < 0) break;
    const special = text.startsWith("<![CDATA[", lt) ? "]]>" : text.startsWith("<!--", lt) ? "-->" : text[lt + 1] === "?" ? "?>" : undefined;
    if (special) {
      const end = text.indexOf(special, lt);
      if (end < 0) {
        text = text.slice(0, lt);
        break;
      }
      i = end + special.length;
      continue;
    }
    const gt = text.indexOf(">", lt);
    if (gt < 0) break;
    const m = /^<(\/?)([A-Za-z_][\w.:-]*)/.exec(text.slice(lt, Math.min(gt + 1, lt + 200)));
    if (m) {
      if (m[1]) {
        const at = stack.lastIndexOf(m[2]!);
        if (at >= 0) stack.length = at;
      } else if (text[gt - 1] !== "/") stack.push(m[2]!);
    }
    i = gt + 1;
  }
  return text + stack.reverse().map((name) => `</${name}>`).join("");
}
