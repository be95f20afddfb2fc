import { stem } from "./stem.js";

/**
 * Text → index terms, shared by indexing, querying, topic matching and near-duplicate checks.
 * Chinese: Intl.Segmenter alone misses compounds (打印机 → 打印|机, 招商引资 → 招|商|引|资), so
 * every Han run also yields its character bigrams; a 2-char segmenter word repeats its bigram,
 * which doubles the weight of "real word" bigrams over bigrams that straddle a word boundary.
 * Latin/digits: NFKC, lower case, stop words dropped, light Porter stemming.
 */

const HAN = /\p{Script=Han}/u;
/** Han runs, or runs of letters/digits (other scripts included), everything else separates. */
// Built with the v flag (set subtraction) through the constructor: target ES2022 rejects the literal.
const RUNS = new RegExp("(\\p{Script=Han}+)|([[\\p{L}\\p{N}\\p{M}]--\\p{Script=Han}]+(?:['’][\\p{L}]+)?)", "gv");

const segmenter = new Intl.Segmenter("zh", { granularity: "word" });

// Why these: the usual short English function words; content words are never listed.
const STOP_WORDS = new Set(
  (
    "a an and are as at be been being but by can could did do does for from had has have he her hers him his " +
    "how i if in into is it its it's me my no nor not of on or our ours she should so than that the their " +
    "theirs them then there these they this those to too was we were what when where which while who whom " +
    "why will with would you your yours also just about over after before up down out said says say s t"
  ).split(" "),
);

/** NFKC (full-width → ASCII, compatibility forms) and lower case. */
export function normalizeText(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

/** True when the string contains any Han character. */
export function hasHan(text: string): boolean {
  return HAN.test(text);
}

/** True for an English stop word (already lower-cased). */
export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

/** Latin/digit word → term, or null for stop words; possessive 's is dropped. */
export function latinTerm(word: string): string | null {
  const w = word.replace(/['’]s$/u, "").replace(/['’]/gu, "");
  if (w.length === 0 || STOP_WORDS.has(w)) return null;
  return /^\p{N}+$/u.test(w) ? w : stem(w);
}

/** Options for {@link tokenize}. */
export interface TokenizeOptions {
  /** Add Intl.Segmenter words (length ≥ 2) beside the bigrams (default true). */
  segmentWords?: boolean;
  /** Emit a 1-char Han run as a unigram term (default true). */
  loneChars?: boolean;
  /**
   * Also emit the last character of every Han run (default false). Index side only: with it,
   * a prefix lookup of one character finds every occurrence (each other position starts a bigram).
   */
  runEndChars?: boolean;
  /** Also emit every Han character as a unigram (default false). */
  charUnigrams?: boolean;
}

/** Splits text into index terms (duplicates kept: they carry term frequency). */
export function tokenize(text: string, opts: TokenizeOptions = {}): string[] {
  const segmentWords = opts.segmentWords ?? true;
  const loneChars = opts.loneChars ?? true;
  const runEndChars = opts.runEndChars ?? false;
  const out: string[] = [];
  const norm = normalizeText(text);
  for (const m of norm.matchAll(RUNS)) {
    const han = m[1];
    if (han !== undefined) {
      hanTerms(han, out, segmentWords, loneChars, runEndChars);
      if (opts.charUnigrams === true && han.length > 1) for (const c of han) out.push(c);
    } else if (m[2] !== undefined) {
      const t = latinTerm(m[2]);
      if (t !== null) out.push(t);
    }
  }
  return out;
}

function hanTerms(
  run: string,
  out: string[],
  segmentWords: boolean,
  loneChars: boolean,
  runEndChars: boolean,
): void {
  // Han characters in the BMP are one UTF-16 unit; Array.from keeps rare astral ones whole.
  const chars = run.length === [...run].length ? null : Array.from(run);
  const n = chars ? chars.length : run.length;
  if (n === 1) {
    if (loneChars) out.push(run);
    return;
  }
  for (let i = 0; i + 1 < n; i++) {
    out.push(chars ? chars[i]! + chars[i + 1]! : run.slice(i, i + 2));
  }
  if (runEndChars) out.push(chars ? chars[n - 1]! : run.slice(n - 1));
  if (segmentWords) {
    for (const s of segmenter.segment(run)) {
      if (s.segment.length >= 2) out.push(s.segment);
    }
  }
}

/** Distinct CJK character bigrams plus Latin terms: the shingles used for title similarity. */
export function shingles(text: string): Set<string> {
  return new Set(tokenize(text, { segmentWords: false, loneChars: true }));
}

/** Title key for near-duplicate detection: NFKC, lower case, letters/digits/Han only. */
export function titleKey(title: string): string {
  return normalizeText(title).replace(/[^\p{L}\p{N}]+/gu, "");
}

/** Only the Latin/digit terms of already-normalised text, in order (stemmed, stop words dropped). */
export function latinTerms(normalized: string): string[] {
  const out: string[] = [];
  for (const m of normalized.matchAll(RUNS)) {
    if (m[2] === undefined) continue;
    const t = latinTerm(m[2]);
    if (t !== null) out.push(t);
  }
  return out;
}
