import { decodeEntities } from "./entities.js";

// Readers for xml2js values as rss-parser hands them over (strings, `{_: text, $: attrs}`, arrays).

export type XmlNode = Record<string, unknown>;

// Element text that is code, not prose: never part of a title or summary.
const HIDDEN = /^(?:[\w-]+:)?(?:script|style|noscript|template)$/i;

/** Text content of an xml2js value (string, `{_: text}`, arrays, nested XHTML), depth-limited; skips script/style. */
export function textOf(value: unknown, depth = 0): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  if (depth > 12 || value === null || typeof value !== "object") return undefined;
  if (Array.isArray(value)) {
    const parts = value.map((v) => textOf(v, depth + 1)).filter((v): v is string => v !== undefined);
    return parts.length ? parts.join(" ") : undefined;
  }
  const node = value as XmlNode;
  // Most nodes are text with attributes ({_, $}): no key list is built for them.
  let keys: string[] | undefined;
  for (const k of Object.keys(node)) if (k !== "$" && k !== "_" && !HIDDEN.test(k)) (keys ??= []).push(k);
  if (typeof node._ === "string" && !keys) return node._;
  // Mixed content: xml2js keeps text and child elements apart, so order is approximate.
  const parts: string[] = typeof node._ === "string" ? [node._] : [];
  for (const k of keys ?? []) parts.push(textOf(node[k], depth + 1) ?? "");
  const joined = parts.join(" ").trim();
  return joined || undefined;
}

/** Attributes of an xml2js element (empty when it has none). */
export function attrs(value: unknown): Record<string, string> {
  const a = value && typeof value === "object" ? (value as XmlNode).$ : undefined;
  return a && typeof a === "object" ? (a as Record<string, string>) : {};
}

const NONE: readonly unknown[] = Object.freeze([]);

/** The value as an array (absent → one shared empty array); read-only. */
export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : value === undefined || value === null ? NONE : [value];
}

/** First element of a keepArray custom field. */
export function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}

/** Child elements whose local name (prefix ignored) is `local`; read-only. */
export function childrenNamed(node: unknown, local: string): readonly unknown[] {
  if (!node || typeof node !== "object" || Array.isArray(node)) return NONE;
  const suffix = `:${local}`;
  let out: unknown[] | undefined;
  for (const k of Object.keys(node)) {
    if (k === local || k.endsWith(suffix)) (out ??= []).push(...asArray((node as XmlNode)[k]));
  }
  return out ?? NONE;
}

/** A person construct (Atom author, atom:author, JSON-like) or plain text → display name. */
export function personName(value: unknown): string | undefined {
  const node = first(value);
  if (node && typeof node === "object") {
    const name = textOf(childrenNamed(node, "name")[0]) ?? textOf(childrenNamed(node, "email")[0]);
    if (name?.trim()) return name.trim();
  }
  const text = textOf(node)?.trim();
  if (!text) return undefined;
  // RSS <author> is "email (Name)" by the spec; show the name.
  const m = /^\S+@\S+\s*\((.+)\)$/.exec(text);
  return m ? m[1]!.trim() : text;
}

/** A text construct read by its type/mode attributes: plain text, or HTML. */
export interface TextValue {
  text?: string;
  html?: string;
}

/**
 * Reads an Atom-style text construct (title, summary, content). `plainByDefault` is true for Atom,
 * whose default type is text; RSS elements are HTML. Base64 bodies (Atom 0.3 mode="base64") are decoded.
 */
export function textConstruct(value: unknown, plainByDefault: boolean): TextValue {
  const node = first(value);
  if (node === undefined || node === null) return {};
  const a = attrs(node);
  let body = textOf(node);
  if (body === undefined) return {};
  if (a.mode?.toLowerCase() === "base64") body = Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8");
  const type = (a.type ?? "").toLowerCase();
  const plain = type === "text" || type === "text/plain" || (type === "" && plainByDefault && a.mode?.toLowerCase() !== "escaped");
  if (!plain) return { html: body };
  // Untyped text that still carries character references (`&nbsp;`, `&#8217;`) was written as HTML
  // text by its producer; decoding them is what its readers expect. Tags stay literal text.
  return { text: type === "" ? decodeEntities(body) : body };
}
