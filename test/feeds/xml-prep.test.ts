import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NAMED_ENTITIES } from "../../src/feeds/entities.js";
import { repairXml } from "../../src/feeds/xml-prep.js";

/** repairXml written as plain replace() passes: the meaning its faster scans must keep. */
function reference(xml: string): string {
  // eslint-disable-next-line no-control-regex -- characters XML 1.0 forbids
  const cleaned = xml.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "");
  const code = (body: string): number => (body[0] === "x" || body[0] === "X" ? parseInt(body.slice(1), 16) : Number(body));
  const joined = cleaned.replace(/&#([xX][0-9a-fA-F]{1,7}|[0-9]{1,8});&#([xX][0-9a-fA-F]{1,7}|[0-9]{1,8});/g, (whole, a: string, b: string) => {
    const [hi, lo] = [code(a), code(b)];
    return hi >= 0xd800 && hi <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff ? `&#${0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)};` : whole;
  });
  const isXmlChar = (cp: number): boolean =>
    cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
  return joined.replace(
    /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|&#(?:[xX]([0-9a-fA-F]{1,7})|([0-9]{1,8}));|&(?!(?:amp|lt|gt|quot|apos);)(?:([A-Za-z][A-Za-z0-9]{0,31});)?/g,
    (whole, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
      if (whole.startsWith("<")) return whole;
      if (hex !== undefined || dec !== undefined) return isXmlChar(hex !== undefined ? parseInt(hex, 16) : Number(dec)) ? whole : "&#xFFFD;";
      if (!name) return "&amp;";
      const cp = NAMED_ENTITIES.get(name);
      return cp === undefined ? `&amp;${name};` : `&#${cp};`;
    },
  );
}

describe("repairXml", () => {
  it("agrees with the plain replace() passes (property)", () => {
    const unit = fc.constantFrom(
      "&", "&amp;", "&lt;", "&nbsp;", "&eacute;", "&bogus;", "&AMP;", "&#", "&#;", "&#65;", "&#x41;", "&#0;", "&#xD83D;", "&#xDE00;",
      "&#55357;", "&#56832;", "&#x110000;", "&#123456789;", "<![CDATA[", "]]>", "<!--", "-->", "<", ">", "a", " ", "\u0001", "\uFFFE", "中", ";",
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 30 }), (s) => {
        expect(repairXml(s)).toBe(reference(s));
      }),
      { numRuns: 2000 },
    );
  });

  it("returns a document that needs nothing as it is", () => {
    const doc = "<rss><channel><item><title>A &amp; B &#8217;</title><description><![CDATA[<p>x & y</p>]]></description></item></channel></rss>";
    expect(repairXml(doc)).toBe(doc);
  });

  it("fixes outside CDATA and comments only, and joins surrogate pairs written as two references", () => {
    expect(repairXml("<a>R&D &nbsp;&#xD83D;&#xDE00;\u0001</a><![CDATA[R&D]]><!-- R&D -->")).toBe("<a>R&amp;D &#160;&#128512;</a><![CDATA[R&D]]><!-- R&D -->");
  });
});
