import { safeCut } from "../delivery/text.js";
import { CP1252_REVERSE, decodeEntities, fromCp1252 } from "./entities.js";

const DROP_ELEMENTS = ["script", "style", "noscript", "template", "iframe", "object", "svg"];
const BLOCK_TAGS =
  /^(br|p|div|li|ul|ol|tr|td|th|table|h[1-6]|blockquote|section|article|header|footer|pre|hr|dd|dt|figure|figcaption)$/i;
const TAG = /<(\/?)([A-Za-z][A-Za-z0-9:-]*)(?:\s[^>]*)?\/?>|<[!?][^>]*>/g;
const utf8Fatal = new TextDecoder("utf-8", { fatal: true });

const HIDDEN_START = /<(?:!--|!\[cdata\[|(?:script|style|noscript|template|iframe|object|svg)(?![a-z0-9]))/i;

/** Removes comments and whole script/style-like elements with indexOf scans (linear, even when unclosed). */
function dropHidden(html: string): string {
  // Most summaries have none of these: one regex search instead of a look at every "<".
  if (!HIDDEN_START.test(html)) return html;
  let out = "";
  let i = 0;
  const lower = html.toLowerCase();
  while (i < html.length) {
    const lt = html.indexOf("<", i);
    if (lt < 0) break;
    if (lower.startsWith("<!--", lt)) {
      out += html.slice(i, lt);
      const end = html.indexOf("-->", lt + 4);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    if (lower.startsWith("<![cdata[", lt)) {
      out += html.slice(i, lt);
      const end = html.indexOf("]]>", lt + 9);
      out += end < 0 ? html.slice(lt + 9) : html.slice(lt + 9, end);
      i = end < 0 ? html.length : end + 3;
      continue;
    }
    const name = DROP_ELEMENTS.find((n) => lower.startsWith(n, lt + 1) && !/[a-z0-9]/.test(lower[lt + 1 + n.length] ?? ""));
    if (name) {
      out += html.slice(i, lt);
      const end = lower.indexOf(`</${name}`, lt + 1);
      if (end < 0) return out;
      const close = html.indexOf(">", end);
      i = close < 0 ? html.length : close + 1;
      continue;
    }
    out += html.slice(i, lt + 1);
    i = lt + 1;
  }
  return out + html.slice(i);
}

/**
 * Drops control characters and U+FFFD and folds whitespace to single spaces. C1 controls are
 * windows-1252 bytes read as ISO-8859-1 (or `&#146;`): they become the characters they stand for.
 */
export function cleanText(text: string): string {
  const kept = HAS_CONTROL.test(text)
    ? text.replace(CONTROL, (c) => {
        const cp = c.charCodeAt(0);
        return cp >= 0x80 && cp <= 0x9f ? fromCp1252(cp) : "";
      })
    : text;
  return kept.replace(SPACE_RUN, " ").trim();
}

// eslint-disable-next-line no-control-regex -- stripping control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFD\uFEFF]/g;
const HAS_CONTROL = new RegExp(CONTROL.source);
// Every whitespace run but a lone " " (\s covers U+00A0, U+2028, U+2029): most runs are one space
// already, and replacing each by itself rebuilds the whole text.
const SPACE_RUN = / \s+|[^\S ]\s*/g;

/** Undoes UTF-8 that was read as windows-1252/Latin-1 and re-encoded ("Ã©" → "é"), when that is unambiguous. */
export function repairMojibake(text: string): string {
  if (!MOJIBAKE.test(text)) return text;
  const bytes: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x100) bytes.push(cp);
    else {
      const b = CP1252_REVERSE.get(cp);
      if (b === undefined) return text;
      bytes.push(b);
    }
  }
  try {
    return utf8Fatal.decode(Uint8Array.from(bytes));
  } catch {
    return text;
  }
}

const MOJIBAKE = /[\u00C2-\u00F4][\u0080-\u00BF\u0152-\u2122]/;
// The characters either repair starts at, as one class: one scan tells most texts that they need
// neither (a class is much cheaper to scan for than the two patterns).
// eslint-disable-next-line no-control-regex -- the characters cleanText drops
const MOJIBAKE_OR_CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00C2-\u00F4\uFFFD\uFEFF]/;

/**
 * cleanText(repairMojibake(text)), with one scan instead of two for text that needs neither repair.
 * With `keepChars`, text that needs no repair may come back cut after more than keepChars characters
 * (never fewer than the whole would give): folding whitespace only ever shortens text and works
 * run by run, so the fold of a prefix is a prefix of the whole fold, and a summary that keeps
 * 1,000 characters need not fold the rest of a long article.
 */
function displayText(text: string, keepChars = Infinity): string {
  if (MOJIBAKE_OR_CONTROL.test(text)) return cleanText(repairMojibake(text));
  if (text.length > keepChars * 2) {
    const head = text.slice(0, keepChars * 2).replace(SPACE_RUN, " ").trim();
    if (head.length > keepChars) return head;
  }
  return text.replace(SPACE_RUN, " ").trim();
}

function stripOnce(html: string): { text: string; hadTags: boolean } {
  const fast = stripTags(html);
  if (fast) return { text: decodeEntities(fast.text), hadTags: fast.hadTags };
  let hadTags = false;
  const noTags = dropHidden(html).replace(TAG, (_m, _slash, name: string | undefined) => {
    hadTags = true;
    return name && BLOCK_TAGS.test(name) ? " " : "";
  });
  return { text: decodeEntities(noTags), hadTags };
}

const BLOCK_NAMES = new Set(
  "br p div li ul ol tr td th table h1 h2 h3 h4 h5 h6 blockquote section article header footer pre hr dd dt figure figcaption".split(" "),
);
// Names of up to four characters (most tags: p, a, br, img, span, li) as numbers, 7 bits a character,
// so that telling them apart needs no lower-cased copy of each name.
const SHORT_BLOCK_KEYS = new Set([...BLOCK_NAMES].filter((n) => n.length <= 4).map((n) => shortNameKey(n, 0, n.length)));

/** A name's characters ([A-Za-z0-9:-], so `| 0x20` lower-cases letters only) packed into a number. */
function shortNameKey(text: string, start: number, end: number): number {
  let key = 0;
  for (let i = start; i < end; i++) key = key * 128 + (text.charCodeAt(i) | 0x20);
  return key;
}

function isBlockName(html: string, start: number, end: number): boolean {
  return end - start <= 4 ? SHORT_BLOCK_KEYS.has(shortNameKey(html, start, end)) : BLOCK_NAMES.has(html.slice(start, end).toLowerCase());
}

/**
 * The TAG replace above as an indexOf scan (a callback per tag costs more than the rest of
 * htmlToText); undefined when the HTML has a comment, CDATA or hidden element for dropHidden.
 */
function stripTags(html: string): { text: string; hadTags: boolean } | undefined {
  let out = "";
  let last = 0;
  for (let lt = html.indexOf("<"); lt >= 0; lt = html.indexOf("<", lt + 1)) {
    // HIDDEN_START looks at every "<", also those inside a tag's attributes.
    if (hiddenStartsAt(html, lt)) return undefined;
    if (lt < last) continue;
    const end = tagEndAt(html, lt);
    if (end < 0) continue;
    // A block tag separates words; one space is enough, as cleanText folds every run into one.
    out += html.slice(last, lt) + (tagIsBlock ? " " : "");
    last = end;
  }
  return last === 0 ? { text: html, hadTags: false } : { text: out + html.slice(last), hadTags: true };
}

// Set by tagEndAt: whether the tag it matched is a block tag.
let tagIsBlock = false;

/** Where the tag TAG would match at `lt` ends (after its ">"), or -1 when TAG does not match there. */
function tagEndAt(html: string, lt: number): number {
  tagIsBlock = false;
  const c = html.charCodeAt(lt + 1);
  if (c === 0x21 || c === 0x3f) {
    const gt = html.indexOf(">", lt + 2);
    return gt < 0 ? -1 : gt + 1;
  }
  let i = c === 0x2f ? lt + 2 : lt + 1;
  if (!isAsciiLetter(html.charCodeAt(i))) return -1;
  const nameStart = i;
  for (i++; isNameChar(html.charCodeAt(i)); i++);
  const d = html.charCodeAt(i);
  let end: number;
  if (d === 0x3e) end = i + 1;
  else if (d === 0x2f && html.charCodeAt(i + 1) === 0x3e) end = i + 2;
  else if (isJsSpace(d)) {
    const gt = html.indexOf(">", i + 1);
    if (gt < 0) return -1;
    end = gt + 1;
  } else return -1;
  tagIsBlock = isBlockName(html, nameStart, i);
  return end;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isNameChar(c: number): boolean {
  return isAsciiLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x3a || c === 0x2d;
}

/** Whether `c` is in RegExp \s. */
function isJsSpace(c: number): boolean {
  return (
    (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/** HIDDEN_START at `lt`, without lower-casing the text. */
function hiddenStartsAt(html: string, lt: number): boolean {
  const c = html.charCodeAt(lt + 1);
  if (c === 0x21) return html.startsWith("!--", lt + 1) || startsWithFolded(html, lt + 1, "![cdata[");
  if (!isAsciiLetter(c)) return false;
  for (const name of DROP_ELEMENTS) {
    if (startsWithFolded(html, lt + 1, name)) {
      const next = html.charCodeAt(lt + 1 + name.length);
      if (!(isAsciiLetter(next) || (next >= 0x30 && next <= 0x39))) return true;
    }
  }
  return false;
}

/** Whether `text` has `lower` (ASCII, lower case) at `at`, ignoring ASCII case. */
function startsWithFolded(text: string, at: number, lower: string): boolean {
  if (at + lower.length > text.length) return false;
  for (let k = 0; k < lower.length; k++) {
    const c = text.charCodeAt(at + k);
    const want = lower.charCodeAt(k);
    if (c !== want && !(want >= 0x61 && want <= 0x7a && c === want - 0x20)) return false;
  }
  return true;
}

const TAG_OR_REFERENCE = /[<&]/;
const MARKUP_CHAR = /[<>&]/;
const LOOKS_LIKE_MARKUP = /<\/?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?\/?>|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i;

/**
 * HTML (or plain text) → plain text: comments, scripts and styles dropped, tags removed, entities
 * decoded, whitespace folded. Markup that only appears after decoding (double-escaped HTML) is
 * stripped too, unless the source also had real tags (then it was meant as visible code).
 */
export function htmlToText(html: string, keepChars?: number): string {
  // Without "<" or "&" there is nothing to strip or decode (stripOnce would give the text back).
  if (!TAG_OR_REFERENCE.test(html)) return displayText(html, keepChars);
  const first = stripOnce(html);
  let text = first.text;
  if (!first.hadTags && LOOKS_LIKE_MARKUP.test(text)) text = stripOnce(text).text;
  return displayText(text, keepChars);
}

/**
 * Plain text (never HTML) → display text: mojibake undone, controls dropped, whitespace folded.
 * With `keepChars` (both here and in htmlToText), text longer than that may be cut: only its first
 * keepChars characters, and that there are more, are exact.
 */
export function plainToText(text: string, keepChars?: number): string {
  return displayText(text, keepChars);
}

/** Like htmlToText but never leaves anything that looks like markup (titles). */
export function htmlToTitle(html: string): string {
  // Most titles, categories and names have no markup character: stripping, decoding and the last
  // replace would each give them back as they are (displayText never makes a "<" or ">").
  if (!MARKUP_CHAR.test(html)) return displayText(html);
  let text = stripOnce(html).text;
  for (let pass = 0; pass < 2 && LOOKS_LIKE_MARKUP.test(text); pass++) text = stripOnce(text).text;
  return displayText(text).replace(/[<>]+(?=[A-Za-z/!])/g, "");
}

const IMG = /<(?:[\w-]+:)?img\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>/gi;
const PIXEL = /\s(?:width|height)\s*=\s*["']?[01](?:px)?["'\s/>]/i;

/** First `<img src>` in HTML (raw attribute value, entities decoded), skipping 1×1 tracking pixels. */
export function firstImageSrc(html: string): string | undefined {
  if (!html.includes("img")) return undefined;
  IMG.lastIndex = 0;
  for (let m = IMG.exec(html); m; m = IMG.exec(html)) {
    if (PIXEL.test(m[0])) continue;
    const src = m[1] ?? m[2] ?? m[3];
    if (src?.trim()) return decodeEntities(src.trim());
  }
  return undefined;
}

/** Shortens text to at most maxChars UTF-16 units, at a word boundary when one is near, ending in "…"; never splits a character. */
export function truncateWords(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const budget = maxChars - 1;
  const cut = text.slice(0, safeCut(text, budget));
  const space = cut.lastIndexOf(" ");
  return `${(space > budget * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
