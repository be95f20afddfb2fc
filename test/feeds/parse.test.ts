import { describe, expect, it } from "vitest";
import { parseFeedText } from "../../src/feeds/parse.js";

const wrap = (items: string): string => `<rss version="2.0"><channel><title>T</title><item>${items}</item></channel></rss>`;

describe("parseFeedText", () => {
  it("reads each document on its own: a broken feed after another broken one is refused as when read alone", async () => {
    // Over 1 MB, so no second chance resets the parser; its several errors used to leave xml2js
    // unable to report the first error of the next document, which was then read as a broken tree.
    const big = wrap(`<description>${"a".repeat(1_000_000)}</description><e k=1/><e k=2/>`);
    const broken = wrap("<title>x</title><e k=1>z</e>");
    await expect(parseFeedText(broken)).rejects.toMatchObject({ kind: "malformed-xml" });
    await expect(parseFeedText(big)).rejects.toMatchObject({ kind: "malformed-xml" });
    await expect(parseFeedText(broken)).rejects.toMatchObject({ kind: "malformed-xml" });
  });

  it("reads entity-heavy text the same as the rewrite to CDATA does, and refuses broken documents with their own message", async () => {
    const text = "&lt;p&gt;Fish &amp;amp; chips &#8217;n&#x2019; more&lt;/p&gt;";
    const feed = await parseFeedText(wrap(`<title>A &amp; B</title><description>${text}</description>`));
    expect(feed.items[0]).toMatchObject({ title: "A & B", summaryHtml: "<p>Fish &amp; chips \u2019n\u2019 more</p>" });
    await expect(parseFeedText(wrap(`<description>${text}</description><e k=1>z</e>`))).rejects.toThrow(/Unquoted attribute value/);
  });
});
