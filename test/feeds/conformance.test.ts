// One fixture per kind of edge case that mature feed parsers handle; see docs/feeds-conformance.md.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import type { Article } from "../../src/articles/article.js";
import { processFeedBytes, type ProcessContext } from "../../src/feeds/pipeline.js";
import { NOW_MS } from "./helpers.js";

const ctx: ProcessContext = { feedId: "k", feedUrl: "https://fetched.example.net/feed.xml", nowMs: NOW_MS, timeZone: "UTC" };

function local(name: string): Buffer {
  return readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));
}

async function read(name: string, extra: Partial<ProcessContext> = {}): Promise<Article[]> {
  return (await processFeedBytes(local(name), { ...ctx, ...extra })).articles;
}

function byTitle(articles: Article[], title: string): Article {
  const found = articles.find((a) => a.title === title);
  if (!found) throw new Error(`no article titled ${JSON.stringify(title)} in ${JSON.stringify(articles.map((a) => a.title))}`);
  return found;
}

describe("dates", () => {
  it("reads Atom 0.3 issued, modified and created", async () => {
    const articles = await read("dates-atom03.xml");
    expect(byTitle(articles, "Issued only").publishedAt).toBe(Date.UTC(2004, 4, 6, 7, 8, 9));
    expect(byTitle(articles, "Modified only").publishedAt).toBe(Date.UTC(2004, 5, 7, 8, 9, 10));
    expect(byTitle(articles, "Created only").publishedAt).toBe(Date.UTC(2004, 6, 8, 9, 10, 11));
  });

  it("reads dcterms:created/issued/modified and atom:published/updated inside RSS items", async () => {
    const articles = await read("dates-rss-modules.xml");
    expect(articles.map((a) => new Date(a.publishedAt).toISOString())).toEqual([
      "2021-01-02T03:04:05.000Z",
      "2021-02-03T04:05:06.000Z",
      "2021-03-04T05:06:07.000Z",
      "2021-04-05T06:07:08.000Z",
      "2021-05-06T07:08:09.000Z",
    ]);
  });
});

describe("authors", () => {
  it("reads dc:creator, dc:author, atom:author and itunes:author on RSS items", async () => {
    const articles = await read("authors-rss.xml");
    expect(articles.map((a) => a.author)).toEqual(["Mei Chen", "Omar Haddad", "Ingrid Berg", "The Morning Show"]);
  });

  it("gives Atom entries the feed-level author", async () => {
    const [post] = await read("authors-atom-feed-level.xml");
    expect(post!.author).toBe("Rosa Diaz");
  });

  it("gives JSON Feed items the feed-level author unless they have their own", async () => {
    const [own, inherits] = await read("json-version-1.1.json");
    expect(own!.author).toBe("Item Author");
    expect(inherits!.author).toBe("Team");
    const [old] = await read("json-version-1.0.json");
    expect(old!.author).toBe("Old Style Author");
  });
});

describe("images", () => {
  it("reads itunes:image, media:thumbnail, media:group and untyped image enclosures", async () => {
    const articles = await read("images.xml");
    expect(articles.map((a) => a.imageUrl)).toEqual([
      "https://pics.example.com/cover1.jpg",
      "https://pics.example.com/thumb2.jpg",
      "https://pics.example.com/thumb3.jpg",
      "https://pics.example.com/thumb4.jpg",
      "https://pics.example.com/photo5.JPG",
      "https://pics.example.com/photo6.png?w=600",
      "https://pics.example.com/photo7.webp",
      undefined,
    ]);
  });
});

describe("text constructs", () => {
  it("keeps Atom type=text titles and summaries as plain text", async () => {
    const articles = await read("text-atom.xml");
    const blink = byTitle(articles, "History of the <blink> tag");
    expect(blink.summary).toBe("Use <b> for bold & <i> for italics");
    byTitle(articles, "Default type is text: 1 < 2 && 3 > 2");
  });

  it("drops script text from XHTML titles and keeps the text of XHTML content children", async () => {
    const articles = await read("text-atom.xml");
    const safe = byTitle(articles, "Safe title");
    expect(safe.summary).toContain("First paragraph emphasised words.");
    expect(safe.summary).toContain("item one");
    expect(safe.summary).toContain("item two");
  });

  it("strips escaped HTML titles and double-escaped markup in content", async () => {
    const articles = await read("text-atom.xml");
    const escaped = byTitle(articles, "Escaped bold html title");
    expect(escaped.summary).toBe("Double escaped paragraph");
  });

  it("decodes Atom 0.3 base64 content and reads escaped mode", async () => {
    const articles = await read("text-atom03-base64.xml");
    expect(byTitle(articles, "Encoded body").summary).toBe("Decoded body from base64 & more");
    expect(byTitle(articles, "Escaped body").summary).toBe("Escaped mode body");
  });

  it("reads content from xhtml:body, body, fullitem and dc:description", async () => {
    const articles = await read("text-rss-bodies.xml");
    expect(byTitle(articles, "xhtml body").summary).toBe("Body in xhtml namespace element.");
    expect(byTitle(articles, "xhtml body").imageUrl).toBe("https://bodies.example.com/img/x1.png");
    expect(byTitle(articles, "plain body").summary).toBe("Body element with default namespace.");
    expect(byTitle(articles, "fullitem").summary).toBe("Full item escaped text.");
    expect(byTitle(articles, "dc description").summary).toBe("Described with Dublin Core.");
  });

  it("maps windows-1252 smart quotes in ISO-8859-1 feeds instead of deleting them", async () => {
    const [item] = await read("text-latin1-smart-quotes.xml");
    expect(item!.title).toBe("It\u2019s a \u201Cquoted\u201D title \u2013 with dashes");
    expect(item!.summary).toBe("Na\u00EFve caf\u00E9 \u2026 more\u2019s");
  });
});

describe("links and ids", () => {
  it("never uses a guid with isPermaLink=false as the link", async () => {
    const articles = await read("links.xml");
    expect(byTitle(articles, "guid not a permalink").link).toBe("");
    expect(byTitle(articles, "guid is a permalink").link).toBe("https://links.example.com/story/43");
    expect(byTitle(articles, "guid default permalink").link).toBe("https://links.example.com/story/44");
  });

  it("chains xml:base from the root through channel and item (links and content images)", async () => {
    const relative = byTitle(await read("links.xml"), "relative link");
    expect(relative.link).toBe("https://links.example.com/root/news/2024/story-45.html");
    expect(relative.imageUrl).toBe("https://links.example.com/root/news/2024/pic45.jpg");
    const atom = await read("links-atom-base.xml");
    expect(byTitle(atom, "Chained base").link).toBe("https://chain.example.com/a/b/d/c.html");
    expect(byTitle(atom, "Chained base").imageUrl).toBe("https://chain.example.com/media/e.jpg");
    expect(byTitle(atom, "Relative to nothing but the feed base").link).toBe("https://chain.example.com/a/f.html");
  });

  it("uses the HTTP Content-Location as the base when given", async () => {
    const [item] = await read("links-relative.xml", { contentLocation: "https://mirror.example.org/feeds/main.xml" });
    expect(item!.link).toBe("https://mirror.example.org/stories/7.html");
    const [plain] = await read("links-relative.xml");
    expect(plain!.link).toBe("https://fetched.example.net/stories/7.html");
  });
});

// Sentences written for these tests; long enough for a statistical detector.
const SAMPLES: Array<[string, string, string]> = [
  ["euc-kr", "Korean", "서울시는 오늘 새로운 교통 정책을 발표했습니다. 시민들은 대중교통 요금 인하를 환영했습니다. 전문가들은 이번 정책이 도시의 대기 질을 개선할 것이라고 말했습니다."],
  ["euc-jp", "Japanese", "東京都は本日、新しい交通政策を発表しました。市民は公共交通機関の運賃値下げを歓迎しています。専門家は、この政策が都市の空気の質を改善すると述べました。"],
  ["shift_jis", "Japanese", "大阪市は昨日、駅前の再開発計画について説明会を開きました。住民からは商店街の活性化を期待する声が多く聞かれました。工事は来年の春に始まる予定です。"],
  ["koi8-r", "Russian", "Правительство сегодня объявило о новой транспортной политике. Жители города приветствовали снижение стоимости проезда. Эксперты считают, что это улучшит качество воздуха."],
  ["tis-620", "Thai", "กรุงเทพมหานครประกาศนโยบายการขนส่งใหม่ในวันนี้ ประชาชนต่างยินดีกับการลดค่าโดยสารรถสาธารณะ ผู้เชี่ยวชาญกล่าวว่านโยบายนี้จะช่วยให้คุณภาพอากาศในเมืองดีขึ้น"],
  ["windows-1255", "Hebrew", "העירייה הודיעה היום על מדיניות תחבורה חדשה. התושבים בירכו על הוזלת מחירי התחבורה הציבורית. מומחים אומרים שהמדיניות תשפר את איכות האוויר בעיר."],
  ["gbk", "Chinese", "市政府今天宣布了新的交通政策。市民对公共交通票价下调表示欢迎。专家认为这项政策将改善城市的空气质量。"],
];

function undeclaredRss(text: string): string {
  const sentences = text.split(/(?<=[.。])\s*/u).filter(Boolean);
  const items = sentences.map((s, i) => `<item><title>${s}</title><link>https://enc.example.com/${i}</link><description>${text}</description></item>`);
  return `<?xml version="1.0"?>\n<rss version="2.0"><channel><title>${sentences[0]}</title><link>https://enc.example.com/</link>\n${items.join("\n")}\n</channel></rss>\n`;
}

describe("encodings", () => {
  it.each(SAMPLES)("detects undeclared %s (%s)", async (encoding, _language, text) => {
    const doc = undeclaredRss(text);
    const { articles, encoding: used } = await processFeedBytes(iconv.encode(doc, encoding), ctx);
    expect(articles[0]!.title).toBe(text.split(/(?<=[.。])\s*/u)[0]);
    expect(articles[0]!.summary).toBe(text);
    expect(used).not.toBe("windows-1252");
  });

  it.each([
    ["utf-32le", true],
    ["utf-32be", true],
    ["utf-32le", false],
    ["utf-32be", false],
  ] as const)("reads %s (BOM: %s)", async (encoding, bom) => {
    const doc = `<?xml version="1.0" encoding="UTF-32"?><rss version="2.0"><channel><title>Wide</title><item><title>Ünïcödé 新闻 𝄞</title><link>https://wide.example.com/1</link></item></channel></rss>`;
    const bytes = iconv.encode(doc, encoding, { addBOM: bom });
    if (bom) expect(bytes.subarray(0, 4).toString("hex")).toMatch(/^(fffe0000|0000feff)$/);
    const [item] = (await processFeedBytes(bytes, ctx)).articles;
    expect(item!.title).toBe("Ünïcödé 新闻 𝄞");
  });
});

describe("formats", () => {
  it.each(["json-version-1.json", "json-version-1.0.json", "json-version-1.1.json"])("accepts JSON Feed %s", async (name) => {
    const articles = await read(name);
    expect(articles.length).toBeGreaterThan(0);
    expect(articles[0]!.link).toMatch(/^https:\/\/j1\d?\.example\.com\/1$/);
  });

  it("reads a document whose root is a single Atom entry", async () => {
    const [entry] = await read("format-entry-root.xml");
    expect(entry).toMatchObject({
      title: "A lonely entry",
      link: "https://lonely.example.com/1",
      author: "Solo Writer",
      publishedAt: Date.UTC(2024, 1, 3, 4, 5, 6),
      summary: "Only one entry, no feed around it.",
    });
  });

  it("reads RSS 1.0 whose RSS elements carry a prefix (no default namespace)", async () => {
    const { title, articles } = await processFeedBytes(local("format-rss10-prefixed.xml"), ctx);
    expect(title).toBe("Prefixed RSS 1.0");
    expect(articles[0]).toMatchObject({ title: "Prefixed item", link: "https://rdf.example.com/1", author: "Kim Lee", publishedAt: Date.UTC(2023, 8, 8, 7, 6, 5) });
  });

  it("keeps the items of an RSS 1.0 document that has no channel", async () => {
    const doc = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><item rdf:about="https://nochan.example.com/1"><title>Orphan item</title><link>https://nochan.example.com/1</link></item></rdf:RDF>`;
    const [item] = (await processFeedBytes(Buffer.from(doc), ctx)).articles;
    expect(item).toMatchObject({ title: "Orphan item", link: "https://nochan.example.com/1" });
  });

  it("reads CDF channels", async () => {
    const { title, articles } = await processFeedBytes(local("format-cdf.xml"), ctx);
    expect(title).toBe("Channel Definition Format");
    expect(articles.map((a) => [a.title, a.link, a.summary])).toEqual([
      ["First CDF item", "https://cdf.example.com/first.html", "What the first item is about"],
      ["Second CDF item", "https://cdf.example.com/second.html", ""],
    ]);
    expect(articles[0]!.publishedAt).toBe(Date.UTC(1998, 10, 5, 22, 12));
  });
});

describe("items without a title", () => {
  it("delivers RSS items titled from their text or link", async () => {
    const articles = await read("untitled.xml");
    expect(articles.map((a) => a.title)).toEqual([
      "Someone posted a reply in the thread.",
      "forum.example.com/t/2",
      "Empty title element, text in description.",
      "Whitespace title.",
    ]);
  });

  it("delivers Atom entries titled from content or summary", async () => {
    const articles = await read("untitled-atom.xml");
    expect(articles.map((a) => a.title)).toEqual(["Content only entry", "Summary only entry"]);
  });
});
