/**
 * Words and subwords for the archive's word vectors (see wordvec.ts). Chinese is split into words
 * by Intl.Segmenter, Latin text into stemmed words; every word then has a few subwords (fastText's
 * idea): its Han characters and bigrams, or its character 3- to 5-grams, so a word never seen in
 * training still gets a vector from its pieces, and 花滑 shares something with 花样滑冰.
 */
import { hasHan, latinTerm, latinTerms, normalizeText } from "./tokenize.js";

const segmenter = new Intl.Segmenter("zh", { granularity: "word" });
const HAN = /\p{Script=Han}/u;
const WORD_LIKE = /[\p{L}\p{N}]/u;

/**
 * The words of a text in order: segmenter words for Chinese, stemmed words (no stop words)
 * otherwise. The segmenter splits what its dictionary lacks (花滑, many names) into characters;
 * joining such runs back into one word cost 3 points on THUCNews, so they stay characters.
 */
export function wordvecWords(text: string): string[] {
  const norm = normalizeText(text);
  // The segmenter costs ~30 µs per 100 characters; English needs only the word regex.
  if (!hasHan(norm)) return latinTerms(norm);
  const out: string[] = [];
  for (const s of segmenter.segment(norm)) {
    if (s.isWordLike !== true && !WORD_LIKE.test(s.segment)) continue;
    if (HAN.test(s.segment)) out.push(s.segment);
    else {
      const t = latinTerm(s.segment);
      if (t !== null) out.push(t);
    }
  }
  return out;
}

/** FNV-1a over UTF-16 units, from a seed (different seeds keep words and n-grams apart). */
export function fnv1a(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const WORD_SEED = 0;
const GRAM_SEED = 0x5bd1e995;
const IDF_SEED = 0x27d4eb2f;

/** The hashed row of a whole word in a table of `buckets` rows. */
export function wordBucket(word: string, buckets: number): number {
  return fnv1a(word, WORD_SEED) % buckets;
}

/** The slot of a word's document frequency in a table of `slots` entries. */
export function idfSlot(word: string, slots: number): number {
  return fnv1a(word, IDF_SEED) % slots;
}

/**
 * The rows a word's vector is the mean of: the word itself, then its subwords (Han: characters,
 * and bigrams when it has three or more; Latin: character 3–5-grams of `<word>`). Appended to `out`.
 */
export function subwordBuckets(word: string, buckets: number, out: number[]): void {
  out.push(wordBucket(word, buckets));
  const chars = Array.from(word);
  if (HAN.test(word)) {
    // A one-character word shares its row with that character inside longer words.
    for (const c of chars) out.push(fnv1a(c, GRAM_SEED) % buckets);
    if (chars.length >= 3) for (let i = 0; i + 1 < chars.length; i++) out.push(fnv1a(chars[i]! + chars[i + 1]!, GRAM_SEED) % buckets);
    return;
  }
  const marked = ["<", ...chars, ">"];
  // Short words and numbers are their own only piece: "<15>" says nothing "15" does not.
  if (chars.length < 3 || /^\p{N}+$/u.test(word)) return;
  for (let n = 3; n <= 5; n++) {
    for (let i = 0; i + n <= marked.length; i++) {
      if (n === marked.length) continue;
      out.push(fnv1a(marked.slice(i, i + n).join(""), GRAM_SEED) % buckets);
    }
  }
}
