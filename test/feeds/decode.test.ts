import { gzipSync } from "node:zlib";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { decodeFeedBytes, guessCjk, normaliseCharset } from "../../src/feeds/decode.js";
import { FeedError } from "../../src/feeds/errors.js";
import { processFeedBytes } from "../../src/feeds/pipeline.js";
import { NOW_MS, rss } from "./helpers.js";

const zh = "新能源汽车销量创新高";
const ctx = { feedId: "d", feedUrl: "https://d.example/feed", nowMs: NOW_MS };
const doc = (title: string, decl = ""): string => rss([{ title, link: "https://d.example/1" }], decl);

describe("decodeFeedBytes", () => {
  it("BOM wins: UTF-8, UTF-16LE, UTF-16BE", () => {
    const text = doc(zh);
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    expect(decodeFeedBytes(utf8, "gb2312")).toMatchObject({ source: "bom", encoding: "utf-8" });
    expect(decodeFeedBytes(utf8).text).toBe(text);
    const le = iconv.encode(text, "utf-16le", { addBOM: true });
    expect(decodeFeedBytes(le)).toMatchObject({ source: "bom", text });
    const be = iconv.encode(text, "utf-16be", { addBOM: true });
    expect(decodeFeedBytes(be)).toMatchObject({ source: "bom", text });
  });

  it("UTF-16 without BOM is sniffed from '<'", () => {
    const text = doc("Ünïcode");
    expect(decodeFeedBytes(iconv.encode(text, "utf-16le"))).toMatchObject({ source: "utf16-sniff", text });
  });

  it("HTTP charset beats the XML declaration when the bytes are not UTF-8", () => {
    const bytes = iconv.encode(doc(zh, '<?xml version="1.0" encoding="utf-8"?>'), "gb18030");
    expect(decodeFeedBytes(bytes, "gb2312")).toMatchObject({ source: "http", encoding: "gb18030" });
    expect(decodeFeedBytes(bytes, "gb2312").text).toContain(zh);
  });

  it("XML declaration: GB2312 → GB18030, Big5, windows-1251, ISO-8859-7", () => {
    const cases: Array<[string, string, string]> = [
      ["gb2312", "gb18030", zh],
      ["big5", "big5", "新聞報導"],
      ["windows-1251", "windows-1251", "Привет мир"],
      ["iso-8859-7", "iso-8859-7", "Καλημέρα κόσμε"],
    ];
    for (const [label, iconvName, title] of cases) {
      const bytes = iconv.encode(doc(title, `<?xml version="1.0" encoding="${label}"?>`), iconvName);
      const out = decodeFeedBytes(bytes);
      expect(out.source).toBe("declared");
      expect(out.text).toContain(title);
    }
  });

  it("a lying declaration loses to valid UTF-8", () => {
    const bytes = Buffer.from(doc("Café €", '<?xml version="1.0" encoding="ISO-8859-1"?>'));
    expect(decodeFeedBytes(bytes)).toMatchObject({ source: "utf8-valid" });
    expect(decodeFeedBytes(bytes).text).toContain("Café €");
  });

  it("unknown declaration with non-UTF-8 bytes falls back to windows-1252", () => {
    const bytes = iconv.encode(doc("Notícias São Paulo", '<?xml version="1.0" encoding="bogus"?>'), "latin1");
    const out = decodeFeedBytes(bytes);
    // The detector recognises the Latin text; without it the fallback gives the same answer.
    expect(out.encoding).toBe("windows-1252");
    expect(["detector", "fallback"]).toContain(out.source);
    expect(out.text).toContain("Notícias São Paulo");
  });

  it("undeclared GB2312 bytes are detected as GB18030, undeclared Big5 as Big5", () => {
    const gb = iconv.encode(doc(zh), "gb18030");
    expect(decodeFeedBytes(gb)).toMatchObject({ source: "detector", encoding: "gb18030" });
    expect(decodeFeedBytes(gb).text).toContain(zh);
    expect(guessCjk(iconv.encode("這是一個關於台灣新聞報導的標題，內容豐富", "big5"))).toBe("big5");
    expect(guessCjk(iconv.encode("Ação rápida é útil", "latin1"))).toBeUndefined();
  });

  it("gzip bytes saved as a file are unpacked, within the cap", () => {
    const text = doc(zh);
    expect(decodeFeedBytes(gzipSync(Buffer.from(text))).text).toBe(text);
    const bomb = gzipSync(Buffer.alloc(2 * 1024 * 1024, 0x20));
    expect(() => decodeFeedBytes(bomb, undefined, 1024 * 1024)).toThrow(FeedError);
    try {
      decodeFeedBytes(bomb, undefined, 1024 * 1024);
    } catch (err) {
      expect((err as FeedError).kind).toBe("too-large");
    }
  });

  it("maps charset labels", () => {
    expect(normaliseCharset("GBK")).toBe("gb18030");
    expect(normaliseCharset("'gb2312'")).toBe("gb18030");
    expect(normaliseCharset("ISO-8859-1")).toBe("windows-1252");
    expect(normaliseCharset("no-such-charset")).toBeUndefined();
  });
});

describe("prolog oddities reach the parser intact", () => {
  it.each([
    ["newlines and spaces before <?xml", `\n\n   ${doc("Leading space")}`],
    ["comment before <?xml", `<!-- generated -->\n${doc("Comment first")}`],
    ["<?phpxml PI instead of a declaration", doc("Php PI", '<?phpxml version="1.0" encoding="UTF-8"?>')],
    ["xsl stylesheet PI", doc("Stylesheet", '<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="s.xsl"?>')],
    ["no declaration at all", doc("No decl", "")],
  ])("%s", async (_name, text) => {
    const { articles } = await processFeedBytes(Buffer.from(text), ctx);
    expect(articles).toHaveLength(1);
    expect(articles[0]!.link).toBe("https://d.example/1");
  });
});
