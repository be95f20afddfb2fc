import { describe, expect, it } from "vitest";
import { FeedError } from "../../src/feeds/errors.js";
import { absoluteHttpUrl } from "../../src/feeds/normalise.js";
import { processFeedBytes } from "../../src/feeds/pipeline.js";
import { fixture, NOW_MS } from "./helpers.js";

const ctx = { feedId: "ex", feedUrl: "https://news.example.org/feed.xml", nowMs: NOW_MS, timeZone: "Asia/Shanghai" };

describe("processFeedBytes: RSS 2.0", () => {
  it("normalises titles, links, ids, dates, authors, categories and images", async () => {
    const { title, articles } = await processFeedBytes(fixture("rss-basic.xml"), ctx);
    expect(title).toBe("Example & Daily");
    expect(articles).toHaveLength(3);
    const [bridge, rates, untitled] = articles;
    expect(bridge).toMatchObject({
      id: "ex:bridge-1",
      title: "Harbour bridge reopens",
      link: "https://news.example.org/2024/bridge.html",
      author: "Li Wei",
      categories: ["Transport", "City"],
      imageUrl: "https://news.example.org/img/b.jpg",
      publishedAt: Date.UTC(2024, 2, 5, 0, 30),
      source: "Example & Daily",
      firstSeenAt: NOW_MS,
    });
    expect(bridge!.summary).toBe("The bridge & tunnel");
    expect(rates).toMatchObject({ id: "ex:https://news.example.org/rates", title: "Rates – steady", imageUrl: "https://cdn.example.org/rates.png" });
    expect(rates!.summary).toBe("Rates held steady.");
    expect(untitled!.title.startsWith("An item without a title")).toBe(true);
    expect(untitled!.title.length).toBeLessThanOrEqual(81);
    expect(untitled!.id).toMatch(/^ex:h:[0-9a-f]{16}$/);
    expect(untitled!.link).toBe("");
    // "2020/1/10 14:33:00" without zone is read in the feed's zone (Asia/Shanghai, +08:00).
    expect(untitled!.publishedAt).toBe(Date.UTC(2020, 0, 10, 6, 33));
  });

  it("gives the same ids on every run (stable keys)", async () => {
    const a = await processFeedBytes(fixture("rss-basic.xml"), ctx);
    const b = await processFeedBytes(fixture("rss-basic.xml"), { ...ctx, nowMs: NOW_MS + 5000 });
    expect(b.articles.map((x) => x.id)).toEqual(a.articles.map((x) => x.id));
  });

  it("uses the configured source name when given", async () => {
    const { articles } = await processFeedBytes(fixture("rss-basic.xml"), { ...ctx, sourceName: "本报" });
    expect(articles.every((a) => a.source === "本报")).toBe(true);
  });
});

describe("processFeedBytes: Atom and JSON Feed", () => {
  it("resolves against xml:base and reads xhtml titles, enclosures and thumbnails", async () => {
    const { title, articles } = await processFeedBytes(fixture("atom-basic.xml"), ctx);
    expect(title).toBe("Blog of Examples");
    expect(articles[0]).toMatchObject({
      id: "ex:tag:blog.example.net,2024:1",
      title: "Hello world",
      link: "https://blog.example.net/posts/hello.html",
      imageUrl: "https://blog.example.net/posts/images/hello.jpg",
      author: "Ann Example",
      categories: ["greetings"],
      publishedAt: Date.UTC(2024, 2, 1, 11),
    });
    expect(articles[1]).toMatchObject({ title: "Second", summary: "Short summary", imageUrl: "https://blog.example.net/thumb.jpg" });
  });

  it("reads JSON Feed 1.1", async () => {
    const { title, articles } = await processFeedBytes(fixture("feed.json"), ctx);
    expect(title).toBe("JSON Example");
    expect(articles[0]).toMatchObject({
      id: "ex:42",
      title: "Größe & Maß",
      imageUrl: "https://json.example.com/pic.jpg",
      author: "Jo",
      categories: ["a", "b"],
      publishedAt: Date.UTC(2024, 2, 1, 4),
    });
    expect(articles[1]!.summary).toBe("Plain text only <not markup>");
    expect(articles[1]!.title).toBe("Plain text only");
    expect(articles[1]!.publishedAt).toBe(Date.UTC(2024, 2, 29 - 29 + 1) - 8 * 3600_000);
  });
});

describe("processFeedBytes: failures are typed", () => {
  const kindOf = async (bytes: Uint8Array): Promise<string> => {
    try {
      await processFeedBytes(bytes, ctx);
      return "ok";
    } catch (err) {
      return err instanceof FeedError ? err.kind : "untyped";
    }
  };

  it("HTML page → not-a-feed", async () => {
    expect(await kindOf(fixture("not-a-feed.html"))).toBe("not-a-feed");
  });
  it("entity declarations → hostile-xml", async () => {
    expect(await kindOf(fixture("entity-bomb.xml"))).toBe("hostile-xml");
  });
  it("empty body → empty; channel without items → empty", async () => {
    expect(await kindOf(new Uint8Array(0))).toBe("empty");
    expect(await kindOf(Buffer.from("<rss version='2.0'><channel><title>x</title></channel></rss>"))).toBe("empty");
  });
  it("garbage → malformed-xml or not-a-feed", async () => {
    expect(await kindOf(Buffer.from("<rss version='2.0'><channel><item><title>a</item></rss>"))).not.toBe("untyped");
    expect(await kindOf(Buffer.from('{"hello": 1}'))).toBe("not-a-feed");
    expect(await kindOf(Buffer.from("plain text"))).toBe("not-a-feed");
  });
  it("truncated body still yields its complete items", async () => {
    const text = `<rss version="2.0"><channel><title>t</title><item><title>Whole item</title><link>https://a.example/1</link></item><item><title>Cut of`;
    const { articles } = await processFeedBytes(Buffer.from(text), ctx);
    expect(articles[0]).toMatchObject({ title: "Whole item", link: "https://a.example/1" });
  });
  it("raw unescaped HTML inside description is recovered", async () => {
    const text = `<rss version="2.0"><channel><title>t</title><item><title>Raw</title><description>a <em>b <br> c</description></item></channel></rss>`;
    const { articles } = await processFeedBytes(Buffer.from(text), ctx);
    expect(articles[0]!.summary).toBe("a b c");
  });
  it("bare ampersands and HTML entities in XML text parse", async () => {
    const text = `<rss version="2.0"><channel><title>t</title><item><title>Fish & Chips &amp; more &lt;3 &nbsp;&copy;</title><link>https://a.example/?a=1&b=2</link></item></channel></rss>`;
    const { articles } = await processFeedBytes(Buffer.from(text), ctx);
    expect(articles[0]!.title).toBe("Fish & Chips & more <3 ©");
    expect(articles[0]!.link).toBe("https://a.example/?a=1&b=2");
  });
});

describe("one malformed item does not cost the feed its other items", () => {
  const rss = (items: string) =>
    new TextEncoder().encode(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title><link>https://news.example.org/</link>${items}</channel></rss>`);

  it("a reference to a lone surrogate becomes U+FFFD; the healthy item next to it is read; a pair written as two references is one character", async () => {
    const feed = await processFeedBytes(
      rss(
        `<item><guid>a</guid><title>Broken &#xD83D; emoji</title><link>https://news.example.org/a</link></item>` +
          `<item><guid>b</guid><title>Healthy item</title><link>https://news.example.org/b</link></item>` +
          `<item><guid>c</guid><title>Smile &#xD83D;&#xDE00; and &#55357;&#56832;</title><link>https://news.example.org/c</link></item>`,
      ),
      ctx,
    );
    const titles = feed.articles.map((a) => a.title);
    expect(titles).toContain("Healthy item");
    // The bad reference is dropped (the text cleaner never shows U+FFFD to readers).
    expect(titles).toContain("Broken emoji");
    expect(titles).toContain("Smile 😀 and 😀");
  });
});

describe("an Atom entry's unreadable date does not cost the feed", () => {
  it("the entry gets its first-seen time; the next entry's updated date is read as written", async () => {
    const atom = new TextEncoder().encode(
      `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:t</id><updated>2024-03-05T08:00:00Z</updated>` +
        `<entry><title>Bad date</title><id>urn:1</id><link href="https://news.example.org/1"/><published>yesterday-ish</published><updated>soon</updated></entry>` +
        `<entry><title>Updated only</title><id>urn:2</id><link href="https://news.example.org/2"/><updated>2024-03-05T08:30:00+08:00</updated></entry></feed>`,
    );
    // rss-parser's Date#toISOString threw "Invalid time value" here and the whole feed was lost.
    const feed = await processFeedBytes(atom, ctx);
    expect(feed.articles.map((a) => [a.title, a.publishedAt])).toEqual([
      ["Bad date", ctx.nowMs],
      ["Updated only", Date.UTC(2024, 2, 5, 0, 30)],
    ]);
  });
});

describe("absoluteHttpUrl", () => {
  it("resolves against the base, and still refuses every URL when the base itself is unusable", () => {
    expect(absoluteHttpUrl("/a b", "https://news.example.org/x/")).toBe("https://news.example.org/a%20b");
    expect(absoluteHttpUrl(" HTTPS://News.Example.org/../c ", "https://other.example/")).toBe("https://news.example.org/c");
    expect(absoluteHttpUrl("http:c", "http://news.example.org/a/b")).toBe("http://news.example.org/a/c");
    expect(absoluteHttpUrl("https://news.example.org/a", "not a url")).toBeUndefined();
    expect(absoluteHttpUrl("https://news.example.org/a", "https://news.example.org/")).toBe("https://news.example.org/a");
    expect(absoluteHttpUrl("ftp://news.example.org/a", undefined)).toBeUndefined();
  });
});

describe("RSS elements rss-parser is not asked to derive anything from", () => {
  it("still reads description, content:encoded, pubDate and dc:date, and still ignores summary and content in RSS", async () => {
    const rss2 = new TextEncoder().encode(
      `<rss version="2.0"><channel><title>t</title><description>Channel &amp; more</description><pubDate>Tue, 05 Mar 2024 08:30:00 +0800</pubDate>` +
        `<item><guid>a</guid><title>A</title><description>&lt;p&gt;Short &amp;amp; sweet&lt;/p&gt;</description><content:encoded><![CDATA[<p>Long <img src="/i.png"></p>]]></content:encoded><pubDate>Tue, 05 Mar 2024 08:30:00 +0800</pubDate></item>` +
        `<item><guid>b</guid><title>B</title><summary>Not RSS</summary><content>Neither</content><dc:date>2024-03-06T01:02:03Z</dc:date></item></channel></rss>`,
    );
    const [a, b] = (await processFeedBytes(rss2, ctx)).articles;
    expect(a).toMatchObject({ summary: "Short & sweet", publishedAt: Date.UTC(2024, 2, 5, 0, 30), imageUrl: "https://news.example.org/i.png" });
    expect(b).toMatchObject({ summary: "", publishedAt: Date.UTC(2024, 2, 6, 1, 2, 3) });
  });
});
