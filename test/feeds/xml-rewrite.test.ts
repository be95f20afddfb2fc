import fc from "fast-check";
import Parser from "rss-parser";
import { describe, expect, it } from "vitest";
import { repairXml } from "../../src/feeds/xml-prep.js";
import { entityTextToCdata } from "../../src/feeds/xml-rewrite.js";

// The elements below come back as xml2js builds them (text, attributes, CDATA), to compare trees.
const raw = { keepArray: true };
const options = {
  customFields: { item: [["title", "t", raw], ["description", "d", raw], ["a", "a", raw], ["e", "e", raw], ["x", "x", raw]] },
} as unknown as ConstructorParameters<typeof Parser>[0];

async function read(xml: string): Promise<string> {
  // A fresh parser each time: xml2js does not report the next document's first error after some failures.
  return new Parser(options).parseString(xml).then(
    (out) => JSON.stringify(out),
    (err: unknown) => `error: ${String(err)}`,
  );
}

// The channel title has an "&lt;": entityTextToCdata passes over documents without one.
const wrap = (items: string): string => `<rss version="2.0"><channel><title>T &lt;</title><item>${items}</item></channel></rss>`;

describe("entityTextToCdata", () => {
  it("rewrites text with several references as CDATA of their text, and leaves the rest", () => {
    const doc = wrap(`<title>A &amp; B</title><description>&lt;p&gt;x &amp;amp; y&lt;/p&gt; &#x41;</description><a href="?a=1&amp;b=2&amp;c=3&amp;d">t</a>`);
    expect(entityTextToCdata(doc)).toBe(
      wrap(`<title>A &amp; B</title><description><![CDATA[<p>x &amp; y</p> A]]></description><a href="?a=1&amp;b=2&amp;c=3&amp;d">t</a>`),
    );
  });

  it("leaves CDATA, comments, processing instructions and runs holding '>' or ']]>' as they are", () => {
    const doc = wrap(
      `<x><![CDATA[a > &amp;&amp;&amp; <b>]]></x><!-- > &lt;&lt;&lt; <c> --><?pi > &lt;&lt;&lt; ?><x>&lt;&lt; > &lt;</x><x>]]&gt;&amp;&amp;</x><x>&#32;&#32;&#32;</x>`,
    );
    expect(entityTextToCdata(doc)).toBe(doc);
  });

  it("passes over documents without escaped markup", () => {
    const doc = "<rss><channel><item><title>Tom &amp; Jerry &#8217;s &quot;show&quot;</title></item></channel></rss>";
    expect(entityTextToCdata(doc)).toBe(doc);
  });

  it("passes over tags whose attributes hold many references, and still rewrites the text after them", () => {
    // Each reference used to look back to the start of its tag: quadratic in a long query string.
    const url = `?${"a=1&amp;".repeat(20_000)}`;
    expect(entityTextToCdata(wrap(`<a href="${url}">&lt;&lt;&lt;</a>`))).toBe(wrap(`<a href="${url}"><![CDATA[<<<]]></a>`));
  });

  it("takes a '>' in text for the start of the run after it", () => {
    expect(entityTextToCdata(wrap("<x>a > &lt;&lt;&lt;</x>"))).toBe(wrap("<x>a ><![CDATA[ <<<]]></x>"));
  });

  it("gives xml2js the same tree, or a document it fails on (property)", async () => {
    let rewrites = 0;
    const markup = fc.constantFrom(
      "<title>", "</title>", "<description>", "</description>", "<x>", "</x>", '<a href="u?b&amp;c">', "</a>", '<e t="p>q &amp; r &lt;&gt;"/>',
      "]]", ">", "<![CDATA[", "]]>", "<!--", "-->", "<?pi a?>",
    );
    const text = fc.constantFrom(
      "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#38;", "&#x3C;", "&#x1F600;", "&#32;", "&amp;lt;", "]]&gt;", " ", "\n", "a", "中", "&",
    );
    const unit = fc.oneof({ arbitrary: markup, weight: 1 }, { arbitrary: text, weight: 3 });
    await fc.assert(
      fc.asyncProperty(fc.string({ unit, maxLength: 24 }), async (items) => {
        // As the pipeline hands documents over: repaired first.
        const doc = repairXml(wrap(items));
        const rewritten = entityTextToCdata(doc);
        if (rewritten === doc) return;
        rewrites++;
        const after = await read(rewritten);
        // A document the rewrite made unreadable is read as it was (parse.ts); one it reads must match.
        if (!after.startsWith("error:")) expect(after).toBe(await read(doc));
      }),
      { numRuns: 5000 },
    );
    // The generator must reach the rewrite often enough for the property to say something.
    expect(rewrites).toBeGreaterThan(500);
  });
});
