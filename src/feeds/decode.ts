import { isUtf8 } from "node:buffer";
import { gunzipSync } from "node:zlib";
import iconv from "iconv-lite";
import { chardet } from "jschardet";
import { FeedError } from "./errors.js";
import { DEFAULT_MAX_FEED_BYTES } from "./fetch.js";

export interface DecodedFeed {
  text: string;
  /** iconv-lite encoding name actually used. */
  encoding: string;
  /** How the encoding was chosen (for logs and tests). */
  source: "bom" | "utf16-sniff" | "utf32-sniff" | "utf8-valid" | "http" | "declared" | "detector" | "cjk-guess" | "fallback";
}


// Labels are few and repeat on every poll; the regexes and iconv's lookup are not free per document.
const CHARSETS = new Map<string, string | undefined>();

/** Maps a charset label to the iconv-lite name we decode with, or undefined when unknown. */
export function normaliseCharset(label: string | undefined): string | undefined {
  if (!label) return undefined;
  if (CHARSETS.has(label)) return CHARSETS.get(label);
  const name = charsetName(label);
  if (CHARSETS.size < 256) CHARSETS.set(label, name);
  return name;
}

function charsetName(label: string): string | undefined {
  const l = label.trim().toLowerCase().replace(/^["']|["']$/g, "");
  if (/^(gb2312|gbk|x-gbk|gb_2312-80|cp936|ms936|windows-936|euc-cn|csgb2312|gb18030|chinese)$/.test(l)) return "gb18030";
  if (/^(big5|big-5|cn-big5|csbig5|x-x-big5)$/.test(l)) return "big5";
  if (/^(utf-?32|ucs-?4|iso-10646-ucs-4)$/.test(l)) return "utf-32";
  if (/^(big5-hkscs)$/.test(l)) return "big5hkscs";
  // WHATWG treats these as windows-1252, which is a superset that also maps 0x80-0x9F sensibly.
  if (/^(iso-8859-1|iso8859-1|latin1|latin-1|l1|us-ascii|ascii|cp1252|iso_8859-1)$/.test(l)) return "windows-1252";
  if (l === "utf8" || l === "utf-8" || l === "unicode-1-1-utf-8") return "utf-8";
  return iconv.encodingExists(l) ? l : undefined;
}

// A UTF-32 label on bytes that did not look like UTF-32 above is wrong: ignore it.
function usable(name: string | undefined): string | undefined {
  return name === "utf-32" || name?.startsWith("utf-32") || name?.startsWith("utf32") ? undefined : name;
}

/** Reads the encoding pseudo-attribute of the XML declaration (or a `<?phpxml …?>` look-alike). */
export function declaredEncoding(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024)).toString("latin1");
  return /<\?[a-z]*xml\b[^>]*?\bencoding\s*=\s*["']?([A-Za-z0-9._:-]+)/i.exec(head)?.[1];
}

/** Gunzips a body saved as a gzip file (magic 1f 8b), never producing more than maxBytes. */
export function maybeGunzip(bytes: Uint8Array, maxBytes = DEFAULT_MAX_FEED_BYTES): Uint8Array {
  if (bytes.byteLength < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new FeedError("too-large", `gzip body expands beyond ${maxBytes} bytes`, { cause: err });
    }
    throw new FeedError("malformed-xml", "corrupt gzip body", { cause: err });
  }
}

// The detector reads at most this much: enough evidence, and bounded time on large bodies.
const DETECT_BYTES = 16 * 1024;
// Encodings web feeds are written in: the web's (UTF, CJK, windows-125x, KOI8, TIS-620) and ISO 8859.
// Leaving out Mac, DOS, EBCDIC and regional legacy sets makes detection about 5× faster (bench/feeds.ts).
const FEED_ERAS = chardet.EncodingEra.MODERN_WEB | chardet.EncodingEra.LEGACY_ISO;

/**
 * Asks a statistical detector (jschardet, a port of Python chardet: CJK, Cyrillic, Greek, Hebrew,
 * Thai, Central European) about undeclared, non-UTF-8 bytes; undefined when it has no usable answer.
 */
export function detectEncoding(bytes: Uint8Array): string | undefined {
  const sample = bytes.byteLength > DETECT_BYTES ? bytes.subarray(0, DETECT_BYTES) : bytes;
  let found: string | null;
  try {
    found = chardet.detect(Buffer.from(sample.buffer, sample.byteOffset, sample.byteLength), { encodingEra: FEED_ERAS }).encoding;
  } catch {
    return undefined;
  }
  const name = normaliseCharset(found ?? undefined);
  if (!name || name === "utf-8" || name.startsWith("utf-16") || name.startsWith("utf-32")) return undefined;
  // Western Latin guesses: windows-1252 is their superset as far as feeds go (0x80-0x9F are quotes, not controls).
  return name === "iso8859-15" || name === "iso-8859-15" || name === "latin9" ? "windows-1252" : name;
}

/**
 * Guesses GB18030 or Big5 for undeclared CJK bytes. Requires nearly every high byte to sit in a
 * lead/trail pair, which Latin-1 text (accents next to ASCII letters) rarely does.
 */
export function guessCjk(bytes: Uint8Array): "gb18030" | "big5" | undefined {
  let high = 0;
  let paired = 0;
  let pairs = 0;
  let highTrail = 0;
  let lowTrail = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x80) continue;
    high++;
    const t = bytes[i + 1];
    if (b >= 0x81 && b <= 0xfe && t !== undefined && ((t >= 0x40 && t <= 0x7e) || (t >= 0xa1 && t <= 0xfe))) {
      pairs++;
      paired++;
      if (t >= 0xa1) {
        highTrail++;
        paired++;
      } else lowTrail++;
      i++;
    }
  }
  // Latin-1 accents mostly pair with ASCII letters (low trail bytes); CJK text has many high trails.
  if (pairs < 2 || paired < high * 0.95 || highTrail < pairs * 0.25) return undefined;
  const candidate = lowTrail >= pairs * 0.1 ? "big5" : "gb18030";
  const text = iconv.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), candidate);
  return text.includes("\uFFFD") ? undefined : candidate;
}

/**
 * Decodes feed bytes to text: BOM (UTF-8/16/32), UTF-32/16 by zero bytes, then valid UTF-8 (catches
 * lying declarations), the HTTP charset, the XML declaration, the statistical detector, a CJK guess,
 * and windows-1252 as the last resort. Never throws for
 * an unknown label; gzip files are unpacked within maxBytes.
 */
export function decodeFeedBytes(
  input: Uint8Array,
  httpCharset?: string,
  maxBytes = DEFAULT_MAX_FEED_BYTES,
): DecodedFeed {
  const bytes = maybeGunzip(input, maxBytes);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decode = (encoding: string, source: DecodedFeed["source"]): DecodedFeed => ({
    text: iconv.decode(buf, encoding, { stripBOM: true }),
    encoding,
    source,
  });
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return decode("utf-8", "bom");
  if (buf[0] === 0xff && buf[1] === 0xfe && buf[2] === 0 && buf[3] === 0) return decode("utf-32le", "bom");
  if (buf[0] === 0 && buf[1] === 0 && buf[2] === 0xfe && buf[3] === 0xff) return decode("utf-32be", "bom");
  if (buf[0] === 0xff && buf[1] === 0xfe) return decode("utf-16le", "bom");
  if (buf[0] === 0xfe && buf[1] === 0xff) return decode("utf-16be", "bom");
  // No BOM: ASCII characters (such as "<" or a newline) next to zero bytes mean UTF-32 or UTF-16.
  const ascii = (b: number | undefined): boolean => b !== undefined && b > 0 && b < 0x80;
  if (ascii(buf[0]) && buf[1] === 0 && buf[2] === 0 && buf[3] === 0) return decode("utf-32le", "utf32-sniff");
  if (buf[0] === 0 && buf[1] === 0 && buf[2] === 0 && ascii(buf[3])) return decode("utf-32be", "utf32-sniff");
  if (ascii(buf[0]) && buf[1] === 0 && ascii(buf[2]) && buf[3] === 0) return decode("utf-16le", "utf16-sniff");
  if (buf[0] === 0 && ascii(buf[1]) && buf[2] === 0 && ascii(buf[3])) return decode("utf-16be", "utf16-sniff");

  const http = usable(normaliseCharset(httpCharset));
  const declared = usable(normaliseCharset(declaredEncoding(bytes)));
  // UTF-16 declarations only arrive here without a BOM; trust them over the UTF-8 check.
  if (declared?.startsWith("utf-16") || declared === "utf16le" || declared === "ucs2") return decode(declared, "declared");
  // Validating first (simdutf) and decoding with Buffer is several times faster than a fatal TextDecoder.
  if (isUtf8(buf)) return { text: buf.toString("utf8"), encoding: "utf-8", source: "utf8-valid" };
  if (http && http !== "utf-8") return decode(http, "http");
  if (declared && declared !== "utf-8") return decode(declared, "declared");
  const detected = detectEncoding(bytes);
  if (detected) {
    const result = decode(detected, "detector");
    if (!result.text.includes("\uFFFD")) return result;
  }
  const cjk = guessCjk(bytes);
  if (cjk) return decode(cjk, "cjk-guess");
  return decode("windows-1252", "fallback");
}
