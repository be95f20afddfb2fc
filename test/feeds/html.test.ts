import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeEntities } from "../../src/feeds/entities.js";
import { cleanText, firstImageSrc, htmlToText, htmlToTitle, repairMojibake, truncateWords } from "../../src/feeds/html.js";

describe("htmlToText", () => {
  it("drops scripts, styles, comments (also unclosed) and folds whitespace", () => {
    expect(htmlToText("<p>a</p>\n\n<script>x<y</script><style>p{}</style><!-- c --> b<br>c")).toBe("a b c");
    expect(htmlToText("keep <script>never closed <b>x</b>")).toBe("keep");
    expect(htmlToText("keep <!-- never closed")).toBe("keep");
  });
  it("decodes named, decimal and hex entities; leaves unknown ones", () => {
    expect(htmlToText("&eacute;&#233;&#xE9; &hellip; &mdash; &bogus; &#128;")).toBe("ééé … — &bogus; €");
  });
  it("strips markup that appears only after decoding (double-escaped HTML)", () => {
    expect(htmlToText("&lt;b&gt;bold&lt;/b&gt; text")).toBe("bold text");
  });
  it("keeps escaped code shown inside real markup", () => {
    expect(htmlToText("<pre>&lt;b&gt;test&lt;/b&gt;</pre>")).toBe("<b>test</b>");
  });
  it("keeps lone angle brackets that are not tags", () => {
    expect(htmlToText("a < b > c <3")).toBe("a < b > c <3");
  });
  it("repairs UTF-8 read as windows-1252", () => {
    expect(repairMojibake("ActualitÃ©s")).toBe("Actualités");
    expect(htmlToText("&acirc;&#128;&brvbar;")).toBe("…");
    expect(repairMojibake("café crème")).toBe("café crème");
  });
  it("never leaves markup, controls or U+FFFD in titles (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("<", ">", "/", "b", "a", " ", "&", "l", "t", ";", "#", "1", "\uFFFD", "\u0001", "x") }), (s) => {
        const t = htmlToTitle(s);
        // eslint-disable-next-line no-control-regex -- asserting control characters are gone
        expect(t).not.toMatch(/<\/?[A-Za-z][^<>]*>|[\uFFFD\u0000-\u001F]/);
      }),
    );
  });
  it("reads tags alike with and without comments, which take the dropHidden path (property)", () => {
    const unit = fc.constantFrom("<", ">", "/", "p", "br", "LI", "a", "x", " ", "\n", "\u00a0", "\u2029", "=", '"', "'", "&", "amp;", "lt;", "-", ":", "1", "!", "?", "script", "é");
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), (s) => {
        expect(htmlToText(s)).toBe(htmlToText(`${s}<!---->`));
        expect(htmlToTitle(s)).toBe(htmlToTitle(`${s}<!---->`));
      }),
      { numRuns: 500 },
    );
  });
  it("separates block elements by a space, whatever their case or attributes", () => {
    expect(htmlToText("a<P class='x'>b</p>c<BR/>d<br >e<h2\n>f</h2><span>g</span>h<td>i")).toBe("a b c d e f gh i");
    expect(htmlToText('<a title="x>y">z</a>')).toBe('y">z');
  });
  it("is linear on pathological input", () => {
    const evil = "<script>".repeat(20_000) + "<a ".repeat(20_000);
    expect(typeof htmlToText(evil)).toBe("string");
  });
});

describe("cleanText", () => {
  it("folds whitespace runs and drops controls like one replace over \\s would (property)", () => {
    const unit = fc.constantFrom(" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2028", "\u3000", "\ufeff", "\u0001", "\u0092", "\ufffd", "a", "中");
    // eslint-disable-next-line no-control-regex -- the characters cleanText drops
    const controls = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFD\uFEFF]/g;
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 30 }), (s) => {
        const expected = s
          .replace(controls, (c) => (c === "\u0092" ? "\u2019" : ""))
          .replace(/\s+/g, " ")
          .trim();
        expect(cleanText(s)).toBe(expected);
      }),
    );
  });
});

describe("helpers", () => {
  it("first image, truncation, entity decoding", () => {
    expect(firstImageSrc('<p><img alt="x" src="/a.jpg?x=1&amp;y=2"><img src="b.png"></p>')).toBe("/a.jpg?x=1&y=2");
    expect(firstImageSrc("<p>none</p>")).toBeUndefined();
    expect(truncateWords("alpha beta gamma delta", 13)).toBe("alpha beta…");
    expect(decodeEntities("&lt;&amp;lt;")).toBe("<&lt;");
  });

  it("truncateWords keeps within its budget and never splits a character", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 120 }), fc.integer({ min: 2, max: 100 }), (text, max) => {
        const out = truncateWords(text, max);
        expect(out.length).toBeLessThanOrEqual(Math.max(max, text.length <= max ? text.length : 0));
        expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
      }),
    );
    expect(truncateWords("新闻😀😀😀😀", 5)).toBe("新闻😀…");
  });
});
