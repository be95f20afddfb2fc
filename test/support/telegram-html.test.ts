import { describe, expect, it } from "vitest";
import { checkMessageLength, parseTelegramHtml } from "./telegram-html.js";

const PREFIX = "Bad Request: can't parse entities: ";

function parsed(html: string) {
  const result = parseTelegramHtml(html);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(html)} to parse, got: ${result.description}`);
  return result;
}

function failure(html: string): string {
  const result = parseTelegramHtml(html);
  if (result.ok)
    throw new Error(`expected ${JSON.stringify(html)} to fail, got text ${JSON.stringify(result.text)}`);
  return result.description;
}

describe("parseTelegramHtml: accepted markup", () => {
  it("returns plain text unchanged when there is no markup", () => {
    expect(parsed("新闻 news ➡️ 🏟")).toEqual({ ok: true, text: "新闻 news ➡️ 🏟", entities: [] });
  });

  it("accepts the empty string (the length check is separate)", () => {
    expect(parsed("")).toEqual({ ok: true, text: "", entities: [] });
  });

  it.each([
    ["b", "bold"],
    ["strong", "bold"],
    ["i", "italic"],
    ["em", "italic"],
    ["u", "underline"],
    ["ins", "underline"],
    ["s", "strikethrough"],
    ["strike", "strikethrough"],
    ["del", "strikethrough"],
    ["tg-spoiler", "spoiler"],
    ["code", "code"],
    ["pre", "pre"],
    ["blockquote", "blockquote"],
  ])("<%s> makes a %s entity with UTF-16 offsets", (tag, type) => {
    // ➡️ is two UTF-16 units (U+27A1 U+FE0F); offsets count in UTF-16 like the Bot API.
    expect(parsed(`➡️ ➡️<${tag}>➡️ ➡️</${tag}>`)).toEqual({
      ok: true,
      text: "➡️ ➡️➡️ ➡️",
      entities: [{ type, offset: 5, length: 5 }],
    });
  });

  it("counts an astral emoji as two UTF-16 units in offsets and lengths", () => {
    expect(parsed("🏟 🏟<i>🏟 &lt;🏟</i>")).toEqual({
      ok: true,
      text: "🏟 🏟🏟 <🏟",
      entities: [{ type: "italic", offset: 5, length: 6 }],
    });
  });

  it("accepts nested tags and sorts entities by offset then longer first", () => {
    const result = parsed("<i><b> </b> <code> </code></i>");
    expect(result.text).toBe("   ");
    expect(result.entities).toEqual([
      { type: "italic", offset: 0, length: 3 },
      { type: "bold", offset: 0, length: 1 },
      { type: "code", offset: 2, length: 1 },
    ]);
  });

  it("accepts tag names in any case and an end tag with no name", () => {
    expect(parsed("<B>x</b><I>y</>").entities).toEqual([
      { type: "bold", offset: 0, length: 1 },
      { type: "italic", offset: 1, length: 1 },
    ]);
  });

  it("makes no entity for an empty element", () => {
    expect(parsed("a<b></b>c")).toEqual({ ok: true, text: "ac", entities: [] });
  });

  it("reads links with double, single and unquoted-free attribute forms", () => {
    expect(parsed('<a href="https://example.com/a?x=1&amp;y=&quot;2&quot;">go</a>').entities).toEqual([
      { type: "text_link", offset: 0, length: 2, url: "https://example.com/a?x=1&y=%222%22" },
    ]);
    expect(parsed("<a   href=  'http://example.com/'   >go</a>").entities[0]?.url).toBe(
      "http://example.com/",
    );
    expect(parsed('<a href="tg://resolve?domain=x">t</a>').entities[0]?.url).toBe("tg://resolve?domain=x");
    expect(parsed('<a href="mailto:desk@example.com">m</a>').entities[0]?.url).toBe(
      "mailto:desk@example.com",
    );
  });

  it("accepts span.tg-spoiler, tg-emoji and expandable blockquote", () => {
    expect(parsed('<span class="tg-spoiler">s</span>').entities).toEqual([
      { type: "spoiler", offset: 0, length: 1 },
    ]);
    expect(parsed('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>').entities).toEqual([
      { type: "custom_emoji", offset: 0, length: 2, custom_emoji_id: "5368324170671202286" },
    ]);
    expect(parsed("<blockquote expandable>q</blockquote>").entities).toEqual([
      { type: "expandable_blockquote", offset: 0, length: 1 },
    ]);
  });

  it("merges pre and code with a language, in either order, and drops a lone code's language", () => {
    expect(parsed('<pre><code class="language-ts">x</code></pre>').entities).toEqual([
      { type: "pre", offset: 0, length: 1, language: "ts" },
    ]);
    expect(parsed('<code class="language-ts"><pre>x</pre></code>').entities).toEqual([
      { type: "pre", offset: 0, length: 1, language: "ts" },
    ]);
    expect(parsed('<code class="language-ts">x</code>').entities).toEqual([
      { type: "code", offset: 0, length: 1 },
    ]);
  });

  it("ignores a '>' in text and unknown attributes of known tags", () => {
    expect(parsed('a > b <b data-x="1">c</b>')).toEqual({
      ok: true,
      text: "a > b c",
      entities: [{ type: "bold", offset: 6, length: 1 }],
    });
  });
});

describe("parseTelegramHtml: entity decoding", () => {
  it("decodes the four named entities and numeric ones", () => {
    expect(parsed("&lt;&gt;&amp;&quot;&#65;&#x42;&#x1F3DF;&#20013;").text).toBe('<>&"AB🏟中');
  });

  it("counts a decoded astral character as two UTF-16 units", () => {
    expect(parsed("&#x1F3DF;<b>x</b>").entities).toEqual([{ type: "bold", offset: 2, length: 1 }]);
  });

  it.each([
    ["a & b", 2],
    ["&nbsp;", 0],
    ["&laquo;x", 0],
    ["&lt", 0], // Telegram accepts it without ';', we do not
    ["x&#0;", 1],
    ["&#x110000;", 0],
    ["&#X41;", 0], // TDLib only knows a lower-case x
    ["&#123456789;", 0],
  ])("rejects a bare & in %j (stricter than Telegram)", (html, offset) => {
    expect(failure(html)).toBe(`${PREFIX}Bare "&" at byte offset ${offset}: escape it as &amp;`);
  });

  it("rejects a bare & inside an attribute value too", () => {
    expect(failure('<a href="https://x.example/?a=1&b=2">x</a>')).toBe(
      `${PREFIX}Bare "&" at byte offset 31: escape it as &amp;`,
    );
  });

  it("rejects an entity that decodes to a lone surrogate, with Telegram's wording", () => {
    const message =
      "Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units";
    expect(failure("&#57311;")).toBe(PREFIX + message);
    expect(failure("&#xDFDF;")).toBe(PREFIX + message);
  });

  it("rejects a string with a lone surrogate as the Bot API does", () => {
    expect(failure("ab\uD83C")).toBe("Bad Request: strings must be encoded in UTF-8");
    expect(failure("\uDFDFab")).toBe("Bad Request: strings must be encoded in UTF-8");
  });
});

describe("parseTelegramHtml: errors worded like Telegram (offsets in UTF-8 bytes)", () => {
  // The first cases are TDLib's own test vectors (test/message_entities.cpp).
  it.each([
    ["🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"],
    ["🏟 🏟&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'],
    ["🏟 🏟&lt;<abac>", 'Unsupported start tag "abac" at byte offset 13'],
    ["🏟 🏟&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'],
    [
      "🏟 🏟&lt;<i    aba>",
      'Expected equal sign in declaration of an attribute of the tag "i" at byte offset 13',
    ],
    ["🏟 🏟&lt;<i    aba  =  ", 'Unclosed start tag "i" at byte offset 13'],
    ["🏟 🏟&lt;<i    aba  =  190azAz-.,", "Unexpected end of name token at byte offset 27"],
    ['🏟 🏟&lt;<i    aba  =  "&lt;&gt;&quot;>', "Unclosed start tag at byte offset 13"],
    ["🏟 🏟&lt;</", "Unexpected end tag at byte offset 13"],
    ["🏟 🏟&lt;<b></b></", "Unexpected end tag at byte offset 20"],
    ["🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"],
    ["🏟 🏟&lt;<i>a</em   >", 'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"'],
    ["<br>", 'Unsupported start tag "br" at byte offset 0'],
    ["<div>x</div>", 'Unsupported start tag "div" at byte offset 0'],
    ["a < b", 'Unsupported start tag "" at byte offset 2'],
    ["<script>alert(1)</script>", 'Unsupported start tag "script" at byte offset 0'],
    ["<b>x", "Can't find end tag corresponding to start tag b"],
    ["<b><i>x</i>", "Can't find end tag corresponding to start tag b"],
    ["<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'],
    ["x</b>", "Unexpected end tag at byte offset 1"],
    ["<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'],
    ['<span class="bold">x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'],
    ['<tg-emoji emoji-id="abc">x</tg-emoji>', "Invalid custom emoji identifier specified"],
    ["新闻<b", "Unclosed start tag at byte offset 6"],
  ])("%j → %s", (html, message) => {
    expect(failure(html)).toBe(PREFIX + message);
  });

  it.each([
    ["<a>https://example.com</a>", 'Tag "a" must have a non-empty attribute "href" at byte offset 0'],
    ['<a href="">x</a>', 'Tag "a" must have a non-empty attribute "href" at byte offset 0'],
    [
      '<a href="javascript:alert(1)">x</a>',
      'Unsupported URL "javascript:alert(1)" in the tag "a" at byte offset 0',
    ],
    ['<a href="example.com">x</a>', 'Unsupported URL "example.com" in the tag "a" at byte offset 0'],
    [
      'x<a href="data:text/html,hi">x</a>',
      'Unsupported URL "data:text/html,hi" in the tag "a" at byte offset 1',
    ],
  ])("rejects a link Telegram would guess at or drop: %j (stricter than Telegram)", (html, message) => {
    expect(failure(html)).toBe(PREFIX + message);
  });
});

describe("checkMessageLength", () => {
  it("accepts text up to 4096 UTF-16 units and rejects one more", () => {
    expect(checkMessageLength("a".repeat(4096), "text")).toBeNull();
    expect(checkMessageLength("a".repeat(4097), "text")).toBe("Bad Request: message is too long");
  });

  it("accepts captions up to 1024 UTF-16 units and rejects one more", () => {
    expect(checkMessageLength("中".repeat(1024), "caption")).toBeNull();
    expect(checkMessageLength("中".repeat(1025), "caption")).toBe("Bad Request: message caption is too long");
  });

  it("counts a surrogate pair as two units (stricter than Telegram's code points)", () => {
    expect(checkMessageLength("🏟".repeat(512), "caption")).toBeNull();
    expect(checkMessageLength("🏟".repeat(512) + "x", "caption")).toBe(
      "Bad Request: message caption is too long",
    );
    expect(checkMessageLength("🏟".repeat(2049), "text")).toBe("Bad Request: message is too long");
  });

  it("rejects empty or blank text but allows an empty caption", () => {
    expect(checkMessageLength("", "text")).toBe("Bad Request: message text is empty");
    expect(checkMessageLength(" \n\t", "text")).toBe("Bad Request: message text is empty");
    expect(checkMessageLength("", "caption")).toBeNull();
  });

  it("counts the parsed plain text, not the markup", () => {
    const html = `<b>${"&amp;".repeat(4096)}</b>`;
    const result = parsed(html);
    expect(html.length).toBeGreaterThan(4096);
    expect(checkMessageLength(result.text, "text")).toBeNull();
  });
});
