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

// A text run gains from entityTextToCdata only when it has a few references: sax reads each one
// character by character (with a regex test per character), which costs far more than the rewrite.
const MIN_RUN_REFERENCES = 3;
const NUMERIC_REFERENCE = /#(?:[xX]([0-9a-fA-F]{1,7})|([0-9]{1,8}));/y;

/**
 * The text sax makes of a run's references: the five predefined entities and numeric references
 * to XML characters (what repairXml leaves in text); undefined for anything else, which keeps the
 * run as it is. One indexOf scan: a replace() per entity name, or a callback per reference, cost
 * more on text with tens of thousands of them.
 */
function decodeRun(run: string): string | undefined {
  let out = "";
  let last = 0;
  for (let at = run.indexOf("&"); at >= 0; at = run.indexOf("&", last)) {
    let text = "";
    let length = 0;
    const c = run.charCodeAt(at + 1);
    if (c === 0x6c && run.startsWith("lt;", at + 1)) {
      text = "<";
      length = 4;
    } else if (c === 0x67 && run.startsWith("gt;", at + 1)) {
      text = ">";
      length = 4;
    } else if (c === 0x61 && run.startsWith("amp;", at + 1)) {
      text = "&";
      length = 5;
    } else if (c === 0x71 && run.startsWith("quot;", at + 1)) {
      text = '"';
      length = 6;
    } else if (c === 0x61 && run.startsWith("apos;", at + 1)) {
      text = "'";
      length = 6;
    } else if (c === 0x23) {
      NUMERIC_REFERENCE.lastIndex = at + 1;
      const m = NUMERIC_REFERENCE.exec(run);
      if (!m) return undefined;
      const cp = m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
      if (!isXmlChar(cp)) return undefined;
      text = String.fromCodePoint(cp);
      length = m[0].length + 1;
    } else return undefined;
    out += run.slice(last, at);
    out += text;
    last = at + length;
  }
  return out + run.slice(last);
}

/** XML 1.0's Char production (what sax accepts from a numeric reference). */
function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/**
 * Rewrites element text with several character references (RSS descriptions of escaped HTML) as
 * CDATA holding the text they stand for: xml2js builds the same tree (text and CDATA end up in the
 * same string), and sax reads CDATA in one scan instead of one state change per character of
 * each reference. Expects repairXml's output, after the other rewrites, starting at the root
 * element. Leaves alone: tags, CDATA sections, comments, processing instructions and declarations;
 * runs holding ">" (it may end a tag whose attribute value held one); runs whose text would contain
 * "]]>" or be only whitespace (xml2js drops whitespace-only text but keeps CDATA); and everything
 * from the root's last closing tag on, where text would lie outside the root element.
 */
export function entityTextToCdata(xml: string): string {
  // Runs with many references are escaped HTML; in a document without any "&lt;" the references
  // are few and scattered (in URLs, names), and finding them costs more than it saves (bench/feeds.ts).
  if (!xml.includes("&lt;")) return xml;
  let amp = xml.indexOf("&");
  const root = /^<([^\s/>]+)/.exec(xml)?.[1];
  const end = root ? xml.lastIndexOf(`</${root}`) : -1;
  let out = "";
  let last = 0;
  // The next "<!" (CDATA, comment, declaration) and "<?" not yet passed.
  let bang = xml.indexOf("<!");
  let pi = xml.indexOf("<?");
  while (amp >= 0 && amp < end) {
    if ((bang >= 0 && bang < amp) || (pi >= 0 && pi < amp)) {
      const at = bang >= 0 && (pi < 0 || bang < pi) ? bang : pi;
      const close = sectionEnd(xml, at);
      if (close < 0) break;
      if (close > amp) amp = xml.indexOf("&", close);
      if (bang >= 0 && bang < close) bang = xml.indexOf("<!", close);
      if (pi >= 0 && pi < close) pi = xml.indexOf("<?", close);
      continue;
    }
    // The last ">" before the reference, and the first "<" after that: every scan here moves
    // forward or back over text not scanned before, so the whole pass stays linear (one back-scan
    // from each reference to the start of its tag would not be, for a tag with many of them).
    const gt = xml.lastIndexOf(">", amp);
    const runEnd = xml.indexOf("<", gt + 1);
    if (runEnd < 0) break;
    if (runEnd < amp) {
      // In a tag (an attribute value): on after the next ">".
      const close = xml.indexOf(">", amp);
      if (close < 0) break;
      amp = xml.indexOf("&", close);
      continue;
    }
    let count = 0;
    for (let at = amp; at >= 0 && at < runEnd && count < MIN_RUN_REFERENCES; at = xml.indexOf("&", at + 1)) count++;
    if (count >= MIN_RUN_REFERENCES) {
      const run = xml.slice(gt + 1, runEnd);
      const text = run.includes(">") ? undefined : decodeRun(run);
      if (text !== undefined && !text.includes("]]>") && text.trim() !== "") {
        out += `${xml.slice(last, gt + 1)}<![CDATA[${text}]]>`;
        last = runEnd;
      }
    }
    amp = xml.indexOf("&", runEnd);
  }
  return last === 0 ? xml : out + xml.slice(last);
}

/** Index just past the section (CDATA, comment, declaration, processing instruction) starting at `at`; -1 when unterminated. */
function sectionEnd(xml: string, at: number): number {
  let terminator = ">";
  let from = at + 2;
  if (xml.startsWith("<![CDATA[", at)) {
    terminator = "]]>";
    from = at + 9;
  } else if (xml.startsWith("<!--", at)) {
    terminator = "-->";
    from = at + 4;
  } else if (xml.charCodeAt(at + 1) === 0x3f) terminator = "?>";
  const close = xml.indexOf(terminator, from);
  return close < 0 ? -1 : close + terminator.length;
}
