import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  escapeHtml,
  htmlLink,
  plainTextOfHtml,
  safeHttpUrl,
  truncateHtmlSafe,
} from "../../src/delivery/html.js";
import { parseTelegramHtml } from "../support/telegram-html.js";

function plainOf(html: string): string {
  const parsed = parseTelegramHtml(html);
  if (!parsed.ok) throw new Error(`${parsed.description}\n${html}`);
  return parsed.text;
}

describe("escapeHtml", () => {
  it("escapes the four characters Telegram reserves and nothing else", () => {
    expect(escapeHtml(`<a href="x">&amp;'新🏟</a>`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;&amp;amp;'新🏟&lt;/a&gt;",
    );
  });

  it("round-trips any well-formed text through Telegram's parser", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => {
        expect(plainOf(escapeHtml(text))).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});

describe("safeHttpUrl", () => {
  it.each([
    ["https://news.example/a?x=1&y=2#top", "https://news.example/a?x=1&y=2#top"],
    ["HTTP://News.Example", "http://news.example/"],
    ["  https://news.example/a%20b \n", "https://news.example/a%20b"],
    ["https://新闻.example/路径", "https://xn--efvy88h.example/%E8%B7%AF%E5%BE%84"],
  ])("accepts %j", (url, expected) => {
    expect(safeHttpUrl(url)).toBe(expected);
  });

  it.each([
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>",
    "ftp://news.example/",
    "tg://resolve?domain=x",
    "/relative/path",
    "//news.example/a",
    "http:news.example",
    "https://bank.example@evil.example/",
    "https://user:pass@news.example/",
    "https://news.example/a\nb",
    "https://news.example/\u0000",
    "https://",
    "",
  ])("refuses %j", (url) => {
    expect(safeHttpUrl(url)).toBeNull();
  });

  it("refuses a URL longer than 2048 units", () => {
    expect(safeHttpUrl(`https://news.example/${"a".repeat(2000)}`)).not.toBeNull();
    expect(safeHttpUrl(`https://news.example/${"a".repeat(2100)}`)).toBeNull();
  });

  it("refuses undefined and null", () => {
    expect(safeHttpUrl(undefined)).toBeNull();
    expect(safeHttpUrl(null)).toBeNull();
  });
});

describe("htmlLink", () => {
  it("escapes both the URL and the label", () => {
    const link = htmlLink('https://news.example/?q="<x>"&a=1', "A & <B>");
    expect(link).toBe('<a href="https://news.example/?q=%22%3Cx%3E%22&amp;a=1">A &amp; &lt;B&gt;</a>');
    const parsed = parseTelegramHtml(link ?? "");
    expect(parsed.ok && parsed.entities).toEqual([
      { type: "text_link", offset: 0, length: 7, url: "https://news.example/?q=%22%3Cx%3E%22&a=1" },
    ]);
  });

  it("returns null for a URL that is not safe", () => {
    expect(htmlLink("javascript:alert(1)", "x")).toBeNull();
  });
});

describe("plainTextOfHtml", () => {
  it("agrees with Telegram's parser on our own markup", () => {
    const html =
      '<b>A &amp; B</b>\n<a href="https://x.example/?a=1&amp;b=2">&lt;link&gt; &quot;q&quot; &#x1F3DF;</a>';
    expect(plainTextOfHtml(html)).toBe(plainOf(html));
  });
});

describe("truncateHtmlSafe", () => {
  it("returns markup that already fits unchanged", () => {
    expect(truncateHtmlSafe("<b>abc</b>", 3)).toBe("<b>abc</b>");
  });

  it("closes the tags it cuts through and adds an ellipsis inside them", () => {
    expect(truncateHtmlSafe("<b>abc<i>def</i></b>ghi", 5)).toBe("<b>abc<i>d…</i></b>");
  });

  it("never cuts an entity or a surrogate pair", () => {
    expect(truncateHtmlSafe("a&amp;b&lt;c", 3)).toBe("a&amp;…");
    expect(truncateHtmlSafe("🏟🏟🏟", 4)).toBe("🏟…");
    expect(truncateHtmlSafe("🏟🏟🏟", 2)).toBe("…");
  });

  it("drops a start tag left empty at the cut", () => {
    expect(truncateHtmlSafe('abc<a href="https://x.example/">link</a>', 4)).toBe("abc…");
  });

  // Markup as our formatter builds it: escaped text, bold, links, newlines.
  const segment = fc.oneof(
    fc.string({ unit: "binary", maxLength: 30 }).map(escapeHtml),
    fc.string({ unit: "binary", minLength: 1, maxLength: 30 }).map((t) => `<b>${escapeHtml(t)}</b>`),
    fc
      .string({ unit: "binary", minLength: 1, maxLength: 30 })
      .map((t) => htmlLink("https://news.example/a?x=1&y=2", t) ?? ""),
    fc.constant("\n"),
  );

  it("always yields valid markup whose plain text fits and is a prefix of the original", () => {
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 12 }), fc.integer({ min: 0, max: 200 }), (segments, max) => {
        const html = segments.join("");
        const full = plainOf(html);
        const cut = plainOf(truncateHtmlSafe(html, max));
        expect(cut.length).toBeLessThanOrEqual(max);
        if (cut !== full && cut !== "") {
          expect(cut.endsWith("…")).toBe(true);
          expect(full.startsWith(cut.slice(0, -1))).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
