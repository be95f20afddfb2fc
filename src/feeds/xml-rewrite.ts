// Text rewrites before rss-parser sees a document, for shapes it cannot read itself. Each one
// leaves CDATA sections and comments as they are and only runs when a cheap check says it may apply.

const SKIPPED = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/y;

/** Applies `rewrite` to each match of `pattern` outside CDATA sections and comments. */
function outsideCdata(xml: string, pattern: RegExp, rewrite: (m: RegExpExecArray, rest: string, at: number) => { text: string; end: number } | undefined): string {
  const re = new RegExp(`<!\\[CDATA\\[|<!--|${pattern.source}`, "g");
  let out = "";
  let last = 0;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    if (m[0] === "<![CDATA[" || m[0] === "<!--") {
      SKIPPED.lastIndex = m.index;
      const skipped = SKIPPED.exec(xml);
      if (!skipped) break;
      re.lastIndex = m.index + skipped[0].length;
      continue;
    }
    const done = rewrite(m, xml, m.index);
    if (!done) continue;
    out += xml.slice(last, m.index) + done.text;
    last = done.end;
    re.lastIndex = done.end;
  }
  return last === 0 ? xml : out + xml.slice(last);
}

// indexOf is far cheaper than a regex over the whole document; most feeds have none of these.
// Every hint contains "xhtml" or "body", so two scans rule most documents out.
function mayHaveXhtml(xml: string): boolean {
  return (
    (xml.includes("xhtml") && (xml.includes('type="xhtml"') || xml.includes("type='xhtml'") || xml.includes("xhtml+xml"))) ||
    (xml.includes("body") && (xml.includes(":body") || xml.includes("<body")))
  );
}
const XHTML_OPEN = /<((?:[\w-]+:)?(?:title|subtitle|summary|content|rights|body))(\s[^>]*?)?>/;

/**
 * Turns inline XHTML (Atom type="xhtml", xhtml:body, body) into CDATA, so that it reaches us as
 * markup in document order: xml2js would split text from child elements and lose their order.
 */
export function inlineXhtml(xml: string): string {
  if (!mayHaveXhtml(xml)) return xml;
  return outsideCdata(xml, XHTML_OPEN, (m, text, at) => {
    const name = m[1]!;
    const attributes = m[2] ?? "";
    if (attributes.endsWith("/")) return undefined;
    const isBody = /(?:^|:)body$/.test(name);
    if (!isBody && !/type\s*=\s*["'](?:xhtml|application\/xhtml\+xml)["']/.test(attributes)) return undefined;
    const start = at + m[0].length;
    const close = text.indexOf(`</${name}`, start);
    if (close < 0) return undefined;
    const inner = text.slice(start, close);
    if (!inner.includes("<")) return undefined;
    // CDATA inside the XHTML becomes escaped text, so the whole can sit in one CDATA section.
    const flat = inner.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, (_w, t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"));
    return { text: `${m[0]}<![CDATA[${flat.replace(/]]>/g, "]]]]><![CDATA[>")}]]>`, end: close };
  });
}

/**
 * RSS 1.0 whose RSS elements carry a prefix (`<rss:item>`, no default namespace): rss-parser only
 * reads unprefixed names, so the prefix bound to the RSS 1.0 namespace is dropped. A channel-less
 * RDF document gets an empty channel (rss-parser would throw on it).
 */
export function unprefixRss10(xml: string): string {
  let out = xml;
  if (!/<channel[\s>]/.test(out)) {
    const prefix = /\sxmlns:([\w-]+)\s*=\s*["']http:\/\/purl\.org\/rss\/1\.0\/?["']/.exec(out.slice(0, 4000))?.[1];
    if (prefix) {
      out = outsideCdata(out, new RegExp(`<(/?)${prefix}:(?=[A-Za-z_])`), (m, _t, at) => ({ text: `<${m[1] ?? ""}`, end: at + m[0].length }));
    }
  }
  if (!/<channel[\s>]/.test(out)) {
    const rootEnd = out.indexOf(">");
    if (rootEnd > 0 && out[rootEnd - 1] !== "/") out = `${out.slice(0, rootEnd + 1)}<channel></channel>${out.slice(rootEnd + 1)}`;
  }
  return out;
}

/** A document whose root is one Atom `<entry>`: wrapped in a feed of its own. */
export function wrapEntry(xml: string): string {
  return `<feed xmlns="http://www.w3.org/2005/Atom">${xml}</feed>`;
}

/** CDF (Microsoft Channel Definition Format): a root `<CHANNEL>` wrapped as RSS for the tag-folding parser. */
export function wrapCdf(xml: string): string {
  return `<rss version="2.0">${xml}</rss>`;
}
