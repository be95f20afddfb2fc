/**
 * A stand-in for Telegram's `parse_mode=HTML`: the plain text and entities Telegram would
 * make of a message, or the error description the Bot API would answer with.
 *
 * The parser follows TDLib's `parse_html` (td/telegram/MessageEntity.cpp), which the Bot API
 * server runs: the same scan over UTF-8 bytes, the same tag and attribute rules and the same
 * error wording with byte offsets, so a description here reads like the real one.
 *
 * Deliberately STRICTER than Telegram, so that tests prove our own escaping and links:
 * - A `&` that does not start `&lt;` `&gt;` `&amp;` `&quot;` `&#NN;` or `&#xHH;` (with its `;`)
 *   is rejected. Telegram keeps such a `&` as text (and accepts `&lt` without `;`).
 * - `<a>` must carry a non-empty `href` with an http(s), tg or mailto URL. Telegram would use
 *   the link text as the URL, or silently drop a link it does not like (`javascript:` …).
 * - Lengths are counted in UTF-16 code units; Telegram counts code points, so an emoji
 *   costs 2 here and 1 there.
 * Not modelled: Telegram's trimming of leading/trailing whitespace and its entity clean-up
 * after parsing (merging, dropping entities inside `pre`/`code`, the 100-entity cap).
 */

export type HtmlEntity = {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
  custom_emoji_id?: string;
};

export type HtmlCheck =
  | { ok: true; text: string /* plain text after entity parsing */; entities: HtmlEntity[] }
  | { ok: false; description: string /* exact Telegram-style text */ };

/** Longest message text Telegram accepts (we count UTF-16 units; see the file comment). */
export const MAX_TEXT_UTF16 = 4096;
/** Longest media caption Telegram accepts (UTF-16 units). */
export const MAX_CAPTION_UTF16 = 1024;

const PARSE_PREFIX = "Bad Request: can't parse entities: ";
// prettier-ignore
const TAGS = new Set([
  "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
  "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
]);
const LINK_PROTOCOLS = new Set(["http:", "https:", "tg:", "mailto:"]);
// TDLib's sort_entities: offset, then longer first, then this priority.
// prettier-ignore
const PRIORITY: Record<string, number> = {
  blockquote: 0, expandable_blockquote: 0, pre: 11, code: 20, text_link: 49,
  bold: 90, italic: 91, underline: 92, strikethrough: 93, spoiler: 94, custom_emoji: 99,
};
// prettier-ignore
const SIMPLE_TYPES: Record<string, string> = {
  b: "bold", strong: "bold", i: "italic", em: "italic", u: "underline", ins: "underline",
  s: "strikethrough", strike: "strikethrough", del: "strikethrough", "tg-spoiler": "spoiler", span: "spoiler",
};

class ParseError extends Error {}

interface OpenTag {
  name: string;
  argument: string;
  utf16Offset: number;
}

/** Parse `html` as Telegram's HTML parse mode does (stricter in the ways the file comment lists). */
export function parseTelegramHtml(html: string): HtmlCheck {
  if (hasLoneSurrogate(html))
    return { ok: false, description: "Bad Request: strings must be encoded in UTF-8" };
  try {
    return { ok: true, ...parse(Buffer.from(html, "utf8")) };
  } catch (error) {
    if (error instanceof ParseError) return { ok: false, description: PARSE_PREFIX + error.message };
    throw error;
  }
}

/** Telegram's length check on the parsed plain text: null when it would be accepted. */
export function checkMessageLength(plainText: string, kind: "text" | "caption"): string | null {
  if (kind === "caption") {
    return plainText.length > MAX_CAPTION_UTF16 ? "Bad Request: message caption is too long" : null;
  }
  if (plainText.trim() === "") return "Bad Request: message text is empty";
  return plainText.length > MAX_TEXT_UTF16 ? "Bad Request: message is too long" : null;
}

function hasLoneSurrogate(s: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
}

function parse(text: Buffer): { text: string; entities: HtmlEntity[] } {
  // Past the end reads as NUL, like the C string TDLib walks.
  const at = (i: number): number => (i < text.length ? (text[i] ?? 0) : 0);
  const result: number[] = [];
  const entities: HtmlEntity[] = [];
  const nested: OpenTag[] = [];
  let utf16Offset = 0;
  let decodedSurrogate = false;

  for (let i = 0; i < text.length; i++) {
    const c = at(i);
    if (c === 0x26 /* & */) {
      const decoded = decodeEntity(text, i, at);
      if (decoded === null) throw new ParseError(`Bare "&" at byte offset ${i}: escape it as &amp;`);
      utf16Offset += decoded.code > 0xffff ? 2 : 1;
      if (decoded.code >= 0xd800 && decoded.code <= 0xdfff) decodedSurrogate = true;
      pushUtf8(result, decoded.code);
      i = decoded.end - 1;
      continue;
    }
    if (c !== 0x3c /* < */) {
      if (c < 0x80 || c >= 0xc0) utf16Offset += c >= 0xf0 ? 2 : 1;
      result.push(c);
      continue;
    }

    const beginPos = i++;
    if (at(i) !== 0x2f /* / */) {
      const open = readStartTag(text, beginPos, i, at);
      i = open.end;
      nested.push({ name: open.name, argument: open.argument, utf16Offset });
      continue;
    }

    const last = nested.at(-1);
    if (last === undefined) throw new ParseError(`Unexpected end tag at byte offset ${beginPos}`);
    while (!isSpace(at(i)) && at(i) !== 0x3e) i++;
    const endTagName = asciiLower(utf8(text, beginPos + 2, i));
    while (at(i) !== 0 && isSpace(at(i))) i++;
    if (at(i) !== 0x3e) throw new ParseError(`Unclosed end tag at byte offset ${beginPos}`);
    if (endTagName !== "" && endTagName !== last.name) {
      throw new ParseError(
        `Unmatched end tag at byte offset ${beginPos}, expected "</${last.name}>", found "</${endTagName}>"`,
      );
    }
    if (utf16Offset > last.utf16Offset) addEntity(entities, last, utf16Offset - last.utf16Offset);
    nested.pop();
  }

  const unclosed = nested.at(-1);
  if (unclosed !== undefined)
    throw new ParseError(`Can't find end tag corresponding to start tag ${unclosed.name}`);
  if (decodedSurrogate) {
    throw new ParseError(
      "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units",
    );
  }
  // A language only survives on a pre: a code that did not merge with one loses it.
  for (const entity of entities) if (entity.type === "code") delete entity.language;
  entities.sort(
    (a, b) =>
      a.offset - b.offset || b.length - a.length || (PRIORITY[a.type] ?? 50) - (PRIORITY[b.type] ?? 50),
  );
  return { text: Buffer.from(result).toString("utf8"), entities };
}

function readStartTag(
  text: Buffer,
  beginPos: number,
  start: number,
  at: (i: number) => number,
): { name: string; argument: string; end: number } {
  let i = start;
  while (!isSpace(at(i)) && at(i) !== 0x3e) i++;
  if (at(i) === 0) throw new ParseError(`Unclosed start tag at byte offset ${beginPos}`);
  const name = asciiLower(utf8(text, beginPos + 1, i));
  if (!TAGS.has(name)) throw new ParseError(`Unsupported start tag "${name}" at byte offset ${beginPos}`);

  let argument = "";
  let hasHref = false;
  while (at(i) !== 0x3e) {
    while (at(i) !== 0 && isSpace(at(i))) i++;
    if (at(i) === 0x3e) break;
    const attributeBegin = i;
    while (!isSpace(at(i)) && at(i) !== 0x3d /* = */ && at(i) !== 0x3e) i++;
    const attribute = utf8(text, attributeBegin, i);
    if (attribute === "")
      throw new ParseError(`Empty attribute name in the tag "${name}" at byte offset ${beginPos}`);
    while (at(i) !== 0 && isSpace(at(i))) i++;
    if (at(i) !== 0x3d) {
      // Newer TDLib: `<blockquote expandable>` is the one attribute without a value.
      if (name === "blockquote" && attribute === "expandable" && at(i) !== 0) {
        argument = "1";
        continue;
      }
      throw new ParseError(
        `Expected equal sign in declaration of an attribute of the tag "${name}" at byte offset ${beginPos}`,
      );
    }
    i++;
    while (at(i) !== 0 && isSpace(at(i))) i++;
    if (at(i) === 0) throw new ParseError(`Unclosed start tag "${name}" at byte offset ${beginPos}`);

    let value: string;
    if (at(i) !== 0x27 && at(i) !== 0x22) {
      const tokenBegin = i;
      while (isAlnum(at(i)) || at(i) === 0x2e || at(i) === 0x2d) i++;
      value = asciiLower(text.toString("latin1", tokenBegin, i));
      if (!isSpace(at(i)) && at(i) !== 0x3e)
        throw new ParseError(`Unexpected end of name token at byte offset ${tokenBegin}`);
    } else {
      const quote = at(i++);
      const bytes: number[] = [];
      while (at(i) !== quote && at(i) !== 0) {
        if (at(i) === 0x26) {
          const decoded = decodeEntity(text, i, at);
          if (decoded === null) throw new ParseError(`Bare "&" at byte offset ${i}: escape it as &amp;`);
          pushUtf8(bytes, decoded.code);
          i = decoded.end;
          continue;
        }
        bytes.push(at(i++));
      }
      if (at(i) === quote) i++;
      value = Buffer.from(bytes).toString("utf8");
    }
    if (at(i) === 0) throw new ParseError(`Unclosed start tag at byte offset ${beginPos}`);

    if (name === "a" && attribute === "href") {
      argument = value;
      hasHref = true;
    } else if (name === "code" && attribute === "class" && value.startsWith("language-")) {
      argument = value.slice(9);
    } else if (name === "span" && attribute === "class" && value.startsWith("tg-")) {
      argument = value.slice(3);
    } else if (name === "tg-emoji" && attribute === "emoji-id") {
      argument = value;
    } else if (name === "blockquote" && attribute === "expandable") {
      argument = "1";
    }
  }

  if (name === "span" && argument !== "spoiler") {
    throw new ParseError(`Tag "span" must have class "tg-spoiler" at byte offset ${beginPos}`);
  }
  if (name === "a") checkHref(hasHref ? argument : "", beginPos);
  return { name, argument, end: i };
}

// Stricter than Telegram (see the file comment): a link must be explicit and of a known scheme.
function checkHref(href: string, beginPos: number): void {
  if (href === "")
    throw new ParseError(`Tag "a" must have a non-empty attribute "href" at byte offset ${beginPos}`);
  let protocol: string;
  try {
    protocol = new URL(href).protocol;
  } catch {
    protocol = "";
  }
  if (!LINK_PROTOCOLS.has(protocol)) {
    throw new ParseError(`Unsupported URL "${href}" in the tag "a" at byte offset ${beginPos}`);
  }
}

function addEntity(entities: HtmlEntity[], open: OpenTag, length: number): void {
  const offset = open.utf16Offset;
  const last = entities.at(-1);
  const sameSpan = last !== undefined && last.offset === offset && last.length === length;
  const simple = SIMPLE_TYPES[open.name];
  if (simple !== undefined) {
    entities.push({ type: simple, offset, length });
  } else if (open.name === "a") {
    const url = /^https?:/i.test(open.argument) ? new URL(open.argument).href : open.argument;
    entities.push({ type: "text_link", offset, length, url });
  } else if (open.name === "tg-emoji") {
    if (!/^[0-9]{1,19}$/.test(open.argument) || BigInt(open.argument) === 0n) {
      throw new ParseError("Invalid custom emoji identifier specified");
    }
    entities.push({ type: "custom_emoji", offset, length, custom_emoji_id: open.argument });
  } else if (open.name === "blockquote") {
    entities.push({ type: open.argument === "" ? "blockquote" : "expandable_blockquote", offset, length });
  } else if (open.name === "pre") {
    // <pre><code class="language-x"> and <code class="language-x"><pre> both make one pre with a language.
    if (sameSpan && last.type === "code" && last.language !== undefined) last.type = "pre";
    else entities.push({ type: "pre", offset, length });
  } else if (open.name === "code") {
    if (sameSpan && last.type === "pre" && open.argument !== "") last.language = open.argument;
    else
      entities.push({
        type: "code",
        offset,
        length,
        ...(open.argument !== "" ? { language: open.argument } : {}),
      });
  }
}

// TDLib's decode_html_entity, but requiring the `;` (stricter: see the file comment).
function decodeEntity(
  text: Buffer,
  pos: number,
  at: (i: number) => number,
): { code: number; end: number } | null {
  let end = pos + 1;
  let code = 0;
  if (at(pos + 1) === 0x23 /* # */) {
    end++;
    if (at(pos + 2) === 0x78 /* x */) {
      end++;
      while (isHexDigit(at(end))) code = code * 16 + parseInt(String.fromCharCode(at(end++)), 16);
    } else {
      while (at(end) >= 0x30 && at(end) <= 0x39) code = code * 10 + (at(end++) - 0x30);
    }
    if (code === 0 || code >= 0x10ffff || end - pos >= 10) return null;
  } else {
    while (isAlpha(at(end))) end++;
    const name = text.toString("latin1", pos + 1, end);
    const named: Record<string, number> = { lt: 0x3c, gt: 0x3e, amp: 0x26, quot: 0x22 };
    code = named[name] ?? 0;
    if (code === 0) return null;
  }
  if (at(end) !== 0x3b /* ; */) return null;
  return { code, end: end + 1 };
}

// Like TDLib's append_utf8_character: surrogates are encoded too, and rejected after the scan.
function pushUtf8(out: number[], code: number): void {
  if (code < 0x80) out.push(code);
  else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
  else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  else {
    out.push(
      0xf0 | (code >> 18),
      0x80 | ((code >> 12) & 0x3f),
      0x80 | ((code >> 6) & 0x3f),
      0x80 | (code & 0x3f),
    );
  }
}

// TDLib lowercases tag names and unquoted values byte by byte: ASCII only.
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function utf8(text: Buffer, from: number, to: number): string {
  return text.toString("utf8", from, to);
}

// TDLib's is_space counts NUL as space, which stops every scan at the end of the text.
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0;
}
function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
function isAlnum(c: number): boolean {
  return isAlpha(c) || (c >= 0x30 && c <= 0x39);
}
function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
