import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { buildOpml, OpmlError, parseOpml, type ExportFeed } from "../../src/feeds/opml.js";

const MAX = 1 << 20;
const utf8 = (s: string) => new TextEncoder().encode(s);

function refusal(fn: () => unknown): OpmlError {
  try {
    fn();
  } catch (err) {
    if (err instanceof OpmlError) return err;
    throw err;
  }
  throw new Error("expected an OpmlError");
}

describe("OPML export and import", () => {
  const feeds: ExportFeed[] = [
    { id: "local", url: "https://news.example.com/rss?a=1&b=2", name: "威海日报 <Weihai> & \"Co\"", topics: ["energy", "travel"], paused: false },
    { id: "wire", url: "http://wire.example.org/feed.xml", name: "", topics: [], paused: true },
  ];

  it("round-trips feeds: url, name, topics as categories, id and paused state; specials escaped", () => {
    const xml = buildOpml(feeds, { title: "测试日报 & feeds", nowMs: Date.UTC(2024, 2, 10) });
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(xml).toContain('<opml version="2.0" xmlns:newsdesk="urn:newsdesk:opml:1">');
    expect(xml).toContain("<dateCreated>Sun, 10 Mar 2024 00:00:00 GMT</dateCreated>");
    expect(xml).toContain('xmlUrl="https://news.example.com/rss?a=1&amp;b=2"');
    expect(xml).toContain('category="energy,travel"');
    expect(xml).not.toContain("<Weihai>");
    const parsed = parseOpml(utf8(xml), MAX);
    expect(parsed.title).toBe("测试日报 & feeds");
    expect(parsed.problems).toEqual([]);
    expect(parsed.feeds).toEqual([
      { url: "https://news.example.com/rss?a=1&b=2", title: '威海日报 <Weihai> & "Co"', categories: ["energy", "travel"], id: "local", paused: false },
      { url: "http://wire.example.org/feed.xml", title: "wire", categories: [], id: "wire", paused: true },
    ]);
  });

  it("reads other readers' OPML: folders tag their feeds, slash categories give their last segment, invalid outlines are listed", () => {
    const xml = `<?xml version="1.0"?>
<opml version="1.0"><head><title>Reader export</title></head><body>
  <outline text="Energy">
    <outline type="rss" text="Solar Daily" xmlUrl="https://solar.example/rss" category="/Science/solar, wind"/>
    <outline type="rss" text="No URL here"/>
  </outline>
  <outline type="rss" text="Bad scheme" xmlUrl="ftp://files.example/feed"/>
  <outline type="rss" text="Not a URL" xmlUrl="::::"/>
  <outline type="rss" text="Solar again" xmlUrl="https://solar.example/rss"/>
</body></opml>`;
    const parsed = parseOpml(utf8(xml), MAX);
    expect(parsed.feeds).toEqual([{ url: "https://solar.example/rss", title: "Solar Daily", categories: ["Energy", "solar", "wind"], paused: false }]);
    expect(parsed.problems).toEqual([
      { label: "No URL here", reason: "no-url" },
      { label: "Bad scheme", reason: "bad-url" },
      { label: "Not a URL", reason: "bad-url" },
      { label: "Solar again", reason: "duplicate" },
    ]);
  });

  it("decodes the encoding the XML declaration names (GBK)", () => {
    const xml = `<?xml version="1.0" encoding="GBK"?><opml version="2.0"><body><outline text="新闻" xmlUrl="https://a.example/rss"/></body></opml>`;
    expect(parseOpml(iconv.encode(xml, "gbk"), MAX).feeds[0]?.title).toBe("新闻");
  });

  it("refuses a DOCTYPE before parsing (no entity is ever expanded), malformed XML and documents that are not OPML", () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><opml version="2.0"><body><outline text="&b;" xmlUrl="https://a.example/rss"/></body></opml>`;
    expect(refusal(() => parseOpml(utf8(bomb), MAX)).kind).toBe("doctype");
    const xxe = `<?xml version="1.0"?><!DOCTYPE opml SYSTEM "file:///etc/passwd"><opml version="2.0"><body/></opml>`;
    expect(refusal(() => parseOpml(utf8(xxe), MAX)).kind).toBe("doctype");
    expect(refusal(() => parseOpml(utf8("<opml><body><outline></body></opml>"), MAX)).kind).toBe("malformed");
    expect(refusal(() => parseOpml(utf8('<rss version="2.0"><channel/></rss>'), MAX)).kind).toBe("not-opml");
    expect(refusal(() => parseOpml(utf8('<opml version="2.0"><head/></opml>'), MAX)).kind).toBe("not-opml");
  });
});
