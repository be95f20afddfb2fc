// Building blocks for Telegram's HTML parse mode: escaping, safe links, and plain-text
// measuring and cutting of markup we built ourselves.
import { safeCut } from "./text.js";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

/** Longest URL we emit in a link (UTF-16 units); longer feed URLs are treated as unusable. */
export const MAX_URL_LENGTH = 2048;

/** Escape `&`, `<`, `>` and `"`: safe for Telegram HTML text and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ESCAPES[c] ?? c);
}

/**
 * The URL in canonical form when it is an absolute http(s) URL with a host, no user name or
 * password (`https://bank.example@evil.example/` tricks readers), no whitespace or control
 * characters and at most MAX_URL_LENGTH units; else null. Not escaped: use escapeHtml for markup.
 */
export function safeHttpUrl(url: string | undefined | null): string | null {
  if (typeof url !== "string") return null;
  const trimmed = url.trim();
  // WHATWG URL would "repair" http:example.com and strip tabs/newlines; refuse instead of guessing.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (!/^https?:\/\//i.test(trimmed) || /[\s\u0000-\u001F\u007F-\u009F]/u.test(trimmed)) return null;
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    return null;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
  if (parsed.username !== "" || parsed.password !== "" || parsed.hostname === "") return null;
  const href = parsed.href;
  return href.length <= MAX_URL_LENGTH ? href : null;
}

/** `<a href="url">label</a>` with both escaped (`label` is plain text), or null when the URL is not safeHttpUrl. */
export function htmlLink(url: string | undefined | null, label: string): string | null {
  const href = safeHttpUrl(url);
  return href === null ? null : `<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>`;
}

// Tags, the entities we produce, runs of other text, or one stray `<`/`&` (u: code points).
const TOKEN = /<[^>]*>|&(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});|[^<&]+|[\s\S]/gu;

function decodeEntity(entity: string): string {
  switch (entity) {
    case "&lt;":
      return "<";
    case "&gt;":
      return ">";
    case "&amp;":
      return "&";
    case "&quot;":
      return '"';
    default: {
      const code = entity.startsWith("&#x")
        ? parseInt(entity.slice(3, -1), 16)
        : parseInt(entity.slice(2, -1), 10);
      return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : entity;
    }
  }
}

/** The text Telegram shows for markup we built (tags dropped, entities decoded). Not a parser for foreign HTML. */
export function plainTextOfHtml(html: string): string {
  let out = "";
  for (const [token] of html.matchAll(TOKEN)) {
    if (token.startsWith("<")) continue;
    out += token.length > 1 && token.startsWith("&") ? decodeEntity(token) : token;
  }
  return out;
}

/**
 * Our own markup cut so its plain text is at most `maxUnits` UTF-16 units, ending in "…" when
 * cut; never cuts inside a tag, an entity or a character (safeCut: surrogate pairs, grapheme
 * clusters), and closes the tags left open. The HTML counterpart of `truncateText`.
 */
export function truncateHtmlSafe(html: string, maxUnits: number): string {
  if (plainTextOfHtml(html).length <= maxUnits) return html;
  if (maxUnits < 1) return "";
  const budget = maxUnits - 1; // room for "…"
  const open: string[] = [];
  let out = "";
  let used = 0;
  for (const [token] of html.matchAll(TOKEN)) {
    if (token.startsWith("<") && token.length > 1) {
      const name = /^<\/?\s*([a-zA-Z][\w-]*)/.exec(token)?.[1]?.toLowerCase() ?? "";
      if (token.startsWith("</")) open.pop();
      else open.push(name);
      out += token;
      continue;
    }
    const units = token.startsWith("&") && token.length > 1 ? decodeEntity(token).length : token.length;
    if (used + units > budget) {
      if (!token.startsWith("&")) out += token.slice(0, safeCut(token, budget - used));
      break;
    }
    used += units;
    out += token;
  }
  // An element opened right at the cut would be empty: drop its start tag instead of leaving it hanging.
  return (
    out.replace(/(?:<[a-zA-Z][^>]*>)+$/, (tags) => {
      for (let n = (tags.match(/</g) ?? []).length; n > 0; n--) open.pop();
      return "";
    }) +
    "…" +
    open
      .reverse()
      .map((name) => `</${name}>`)
      .join("")
  );
}
