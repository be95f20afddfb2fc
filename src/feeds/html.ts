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
  return text
    // eslint-disable-next-line no-control-regex -- stripping control characters is the point
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFD\uFEFF]/g, (c) => {
      const cp = c.charCodeAt(0);
      return cp >= 0x80 && cp <= 0x9f ? fromCp1252(cp) : "";
    })
    .replace(/[\s\u00A0\u2028\u2029]+/g, " ")
    .trim();
}

/** Undoes UTF-8 that was read as windows-1252/Latin-1 and re-encoded ("Ã©" → "é"), when that is unambiguous. */
export function repairMojibake(text: string): string {
  if (!/[\u00C2-\u00F4][\u0080-\u00BF\u0152-\u2122]/.test(text)) return text;
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

function stripOnce(html: string): { text: string; hadTags: boolean } {
  let hadTags = false;
  const noTags = dropHidden(html).replace(TAG, (_m, _slash, name: string | undefined) => {
    hadTags = true;
    return name && BLOCK_TAGS.test(name) ? " \n " : "";
  });
  return { text: decodeEntities(noTags), hadTags };
}

const LOOKS_LIKE_MARKUP = /<\/?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?\/?>|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i;

/**
 * HTML (or plain text) → plain text: comments, scripts and styles dropped, tags removed, entities
 * decoded, whitespace folded. Markup that only appears after decoding (double-escaped HTML) is
 * stripped too, unless the source also had real tags (then it was meant as visible code).
 */
export function htmlToText(html: string): string {
  const first = stripOnce(html);
  let text = first.text;
  if (!first.hadTags && LOOKS_LIKE_MARKUP.test(text)) text = stripOnce(text).text;
  return cleanText(repairMojibake(text));
}

/** Plain text (never HTML) → display text: mojibake undone, controls dropped, whitespace folded. */
export function plainToText(text: string): string {
  return cleanText(repairMojibake(text));
}

/** Like htmlToText but never leaves anything that looks like markup (titles). */
export function htmlToTitle(html: string): string {
  let text = stripOnce(html).text;
  for (let pass = 0; pass < 2 && LOOKS_LIKE_MARKUP.test(text); pass++) text = stripOnce(text).text;
  return cleanText(repairMojibake(text)).replace(/[<>]+(?=[A-Za-z/!])/g, "");
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
