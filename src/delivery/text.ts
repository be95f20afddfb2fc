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

/**
 * `text` cut to at most `maxUnits` UTF-16 units, ending in "…" when cut: at the last sentence end
 * (。！？ or . ! ? before a space) in the second half of the budget, else at a word boundary
 * (space or ，、；：) there, else a hard cut that never splits a surrogate pair.
 */
export function truncateText(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  if (maxUnits < 1) return "";
  const budget = maxUnits - ELLIPSIS.length;
  const hardCut = safeCut(text, budget);
  const minCut = Math.ceil(budget / 2);
  const cut = lastSentenceEnd(text, budget, minCut) ?? lastWordBoundary(text, budget, minCut) ?? hardCut;
  // Whatever boundary was chosen, the kept text must not end with half a surrogate pair.
  let head = text.slice(0, cut).trimEnd();
  while (/[\uD800-\uDBFF]$/.test(head)) head = head.slice(0, -1).trimEnd();
  return head + ELLIPSIS;
}

/** A cut index ≤ `index` that does not fall between the halves of a surrogate pair. */
export function safeCut(text: string, index: number): number {
  if (index <= 0) return 0;
  if (index >= text.length) return text.length;
  // Also steps back over a lone high surrogate: a cut text never ends with half a pair.
  let cut = index;
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
