// Plain-text helpers for messages: cleaning feed text, cutting it at a sensible boundary,
// hashtags and dates. All lengths are UTF-16 code units, the unit our length checks use.

import { formatHhMm, localTime } from "../schedule/local-time.js";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// C0/C1 controls except tab and newline, plus DEL: Telegram strips or rejects them anyway.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
const ELLIPSIS = "…";
const CJK_SENTENCE_END = "。！？";
const LATIN_SENTENCE_END = ".!?";
// Clause marks that make an acceptable cut in text without spaces (Chinese).
const CJK_CLAUSE_END = "，、；：";

/** Well-formed text: lone surrogates become U+FFFD (Telegram refuses them), controls are removed. */
export function cleanText(text: string): string {
  return text.replace(LONE_SURROGATE, "\uFFFD").replace(CONTROL, "");
}

/** `cleanText` folded to one line: whitespace runs become one space, ends trimmed. */
export function oneLine(text: string): string {
  return cleanText(text).replace(/\s+/gu, " ").trim();
}

/** Telegram's limits, in the UTF-16 units of the plain text our length checks use. */
export const TELEGRAM_LIMITS = {
  /** sendMessage / editMessageText text. */
  messageText: 4096,
  /** A media caption (sendPhoto, copyMessage …). */
  caption: 1024,
  /** answerCallbackQuery text (the toast or alert). */
  callbackAnswer: 200,
  /** Our cap on an inline result's title and description (Telegram shows about one line of each). */
  inlineResultLine: 200,
} as const;

/** How `truncateText` may cut. */
export interface TruncateOptions {
  /** Appended when the text is cut (counted in the budget); default "…", "" for a bare cut. */
  ellipsis?: string;
  /**
   * "sentence" (default): the last sentence end in the second half of the budget, else a word
   * boundary there, else a character; "character": the last whole character (grapheme) that fits.
   */
  boundary?: "sentence" | "character";
}

/**
 * THE cutting helper for text a user sees: `text` cut to at most `maxUnits` UTF-16 units, ending in
 * the ellipsis when cut. Never splits a surrogate pair, nor (Intl.Segmenter) a character made of
 * several code points such as 👍🏽 or a flag. For our own HTML use `truncateHtmlSafe`, which also
 * never cuts inside a tag or an entity.
 */
export function truncateText(text: string, maxUnits: number, opts: TruncateOptions = {}): string {
  if (text.length <= maxUnits) return text;
  const ellipsis = opts.ellipsis ?? ELLIPSIS;
  if (maxUnits < Math.max(1, ellipsis.length)) return "";
  const budget = maxUnits - ellipsis.length;
  const hardCut = safeCut(text, budget);
  const minCut = Math.ceil(budget / 2);
  const cut =
    opts.boundary === "character"
      ? hardCut
      : (lastSentenceEnd(text, budget, minCut) ?? lastWordBoundary(text, budget, minCut) ?? hardCut);
  // Whatever boundary was chosen, the kept text must not end with half a surrogate pair.
  let head = text.slice(0, cut);
  if (ellipsis !== "") head = head.trimEnd();
  while (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1).trimEnd();
  return head + ellipsis;
}

/**
 * `text` in pieces of at most `firstUnits` (the first) and `restUnits` (the others) UTF-16 units,
 * for a text too long for one message: each piece ends at a line break or space in the second
 * half of its budget when there is one, else after a whole character. Pieces joined give `text`.
 */
export function splitText(text: string, firstUnits: number, restUnits = firstUnits): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    const max = Math.max(1, pieces.length === 0 ? firstUnits : restUnits);
    if (rest.length <= max) {
      pieces.push(rest);
      break;
    }
    let cut = safeCut(rest, max);
    const newline = rest.lastIndexOf("\n", cut - 1);
    const space = rest.lastIndexOf(" ", cut - 1);
    const soft = newline >= max / 2 ? newline + 1 : space >= max / 2 ? space + 1 : -1;
    if (soft > 0) cut = soft;
    // A single character longer than the budget (never from Telegram) is cut between code points.
    if (cut === 0) cut = codePointCut(rest, max) || Math.min(2, rest.length);
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  return pieces;
}

let graphemes: Intl.Segmenter | undefined;
// Clusters longer than this (Zalgo text stacks hundreds of marks) are cut between code points.
const MAX_CLUSTER_UNITS = 32;
// How far before a cut segmentation starts.
const SEGMENT_WINDOW_UNITS = 4 * MAX_CLUSTER_UNITS;

/**
 * A cut index ≤ `index` between two characters: never inside a surrogate pair, nor inside a
 * grapheme cluster (emoji with modifiers or joiners, flags, letters with combining marks).
 */
export function safeCut(text: string, index: number): number {
  if (index <= 0) return 0;
  if (index >= text.length) return text.length;
  // Between two characters that never join others (Latin, CJK), the cut is a boundary as it is.
  if (standsAlone(text.charCodeAt(index - 1)) && standsAlone(text.charCodeAt(index))) return index;
  const byCodePoint = codePointCut(text, index);
  graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
  // Only the stretch before the cut is segmented (long summaries are cut per feed item). Cluster
  // boundaries resynchronise within a cluster, so one started a window earlier is found right;
  // only a run of flags longer than the window could pair its regional indicators differently.
  const from = codePointCut(text, Math.max(0, index - SEGMENT_WINDOW_UNITS));
  let cut = from;
  for (const { index: start, segment } of graphemes.segment(text.slice(from, index + MAX_CLUSTER_UNITS))) {
    if (from + start + segment.length > index) break;
    cut = from + start + segment.length;
  }
  return byCodePoint - cut > MAX_CLUSTER_UNITS ? byCodePoint : cut;
}

/**
 * A UTF-16 unit that is one whole character and never part of a cluster with its neighbours:
 * Latin-1 and Latin Extended (before the combining marks at U+0300), and CJK (U+3000–U+9FFF except
 * the combining kana marks U+3099/U+309A, and the fullwidth forms).
 */
function standsAlone(unit: number): boolean {
  return unit < 0x300 || (unit >= 0x3000 && unit <= 0x9fff && unit !== 0x3099 && unit !== 0x309a) || (unit >= 0xff00 && unit <= 0xffef);
}

// A cut index ≤ `index` that does not fall between the halves of a surrogate pair; also steps
// back over a lone high surrogate, so a cut text never ends with half a pair.
function codePointCut(text: string, index: number): number {
  let cut = Math.min(index, text.length);
  while (cut > 0 && text.charCodeAt(cut - 1) >= 0xd800 && text.charCodeAt(cut - 1) <= 0xdbff) cut--;
  return cut;
}

function lastSentenceEnd(text: string, budget: number, minCut: number): number | null {
  for (let i = Math.min(budget, text.length) - 1; i >= minCut - 1; i--) {
    const c = text.charAt(i);
    if (CJK_SENTENCE_END.includes(c)) return i + 1;
    if (LATIN_SENTENCE_END.includes(c) && /\s/u.test(text.charAt(i + 1))) return i + 1;
  }
  return null;
}

function lastWordBoundary(text: string, budget: number, minCut: number): number | null {
  for (let i = Math.min(budget, text.length); i >= minCut; i--) {
    const c = text.charAt(i);
    if (/\s/u.test(c)) return i;
    if (i > 0 && CJK_CLAUSE_END.includes(text.charAt(i - 1))) return i;
  }
  return null;
}

/**
 * A hashtag body Telegram will recognise: runs of anything but letters, digits and `_` become
 * one `_` (so "new energy" → "new_energy", 新能源 stays), at most `maxUnits` (default 64) units;
 * null when no letter is left (Telegram needs one).
 */
export function sanitizeHashtag(text: string, maxUnits = 64): string | null {
  const body = cleanText(text)
    .replace(/[^\p{L}\p{Nd}_]+/gu, "_")
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "");
  const capped = body.slice(0, safeCut(body, maxUnits)).replace(/_$/, "");
  return /\p{L}/u.test(capped) ? capped : null;
}

// English month abbreviations as Intl's en-US gives them; fixed so output does not drift with ICU.
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

interface DateParts {
  year: string;
  month: string;
  monthName: string;
  day: string;
  time: string;
}

function partsOf(epochMs: number, timeZone: string): DateParts | null {
  if (!Number.isFinite(new Date(epochMs).getTime())) return null;
  const t = localTime(epochMs, timeZone);
  const [year = "", month = "", day = ""] = t.date.split("-");
  return { year, month, monthName: MONTHS[Number(month) - 1] ?? month, day, time: formatHhMm(t.minutes) };
}

/** Local date and time: zh-CN "2024-02-23 15:01", en "23 Feb 2024, 15:01"; "" for an invalid time. Throws RangeError on an unknown time zone. */
export function formatDateTime(epochMs: number, timeZone: string, locale: "zh-CN" | "en"): string {
  const p = partsOf(epochMs, timeZone);
  if (p === null) return "";
  return locale === "zh-CN"
    ? `${p.year}-${p.month}-${p.day} ${p.time}`
    : `${p.day} ${p.monthName} ${p.year}, ${p.time}`;
}

/** Local date only: zh-CN "2024-02-23", en "23 Feb 2024"; "" for an invalid time. */
export function formatDate(epochMs: number, timeZone: string, locale: "zh-CN" | "en"): string {
  const p = partsOf(epochMs, timeZone);
  if (p === null) return "";
  return locale === "zh-CN" ? `${p.year}-${p.month}-${p.day}` : `${p.day} ${p.monthName} ${p.year}`;
}
