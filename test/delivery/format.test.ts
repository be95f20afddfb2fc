import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Article } from "../../src/articles/article.js";
import {
  formatArticle,
  formatArticleList,
  formatDate,
  formatDateTime,
  type FormatOptions,
  type FormattedArticle,
} from "../../src/delivery/format.js";
import { sanitizeHashtag, truncateText } from "../../src/delivery/text.js";
import { checkMessageLength, parseTelegramHtml } from "../support/telegram-html.js";

const FEB_23_0701_UTC = Date.UTC(2024, 1, 23, 7, 1);

function article(overrides: Partial<Article> = {}): Article {
  return {
    id: "city:1",
    feedId: "city",
    source: "City Daily",
    title: "Harbour bridge opens",
    link: "https://news.example/bridge",
    summary: "The new bridge opened on Friday.",
    author: "Li Wei",
    categories: [],
    publishedAt: FEB_23_0701_UTC,
    firstSeenAt: FEB_23_0701_UTC,
    topics: [],
    ...overrides,
  };
}

const EN: FormatOptions = {
  labels: { readMore: "Read more", related: "Related" },
  timeZone: "UTC",
  locale: "en",
};
const ZH: FormatOptions = {
  labels: { readMore: "阅读全文", related: "相关阅读" },
  timeZone: "Asia/Shanghai",
  locale: "zh-CN",
};

function html(out: FormattedArticle): string {
  return out.kind === "photo" ? out.caption : out.text;
}

/** Parses like Telegram and checks the length for the message kind; returns the plain text. */
function accepted(out: FormattedArticle): { text: string; entities: Array<{ type: string; url?: string }> } {
  const parsed = parseTelegramHtml(html(out));
  if (!parsed.ok) throw new Error(`${parsed.description}\n${html(out)}`);
  expect(checkMessageLength(parsed.text, out.kind === "photo" ? "caption" : "text")).toBeNull();
  return parsed;
}

describe("formatArticle: examples", () => {
  it("formats a Chinese article in zh-CN at Asia/Shanghai time", () => {
    const a = article({
      source: "滨海日报",
      title: "新能源汽车产业链项目签约",
      author: "王芳",
      summary: "新能源汽车产业链项目今日在我市签约。项目总投资50亿元。",
      link: "https://news.example/zh/1",
    });
    const related = [
      article({
        id: "city:2",
        source: "滨海日报",
        title: "招商引资再创新高",
        link: "https://news.example/zh/2",
      }),
    ];
    const out = formatArticle(a, related, { ...ZH, topicTags: ["新能源", "招商引资"] });
    expect(out).toEqual({
      kind: "text",
      disablePreview: true,
      text: [
        "<b>新能源汽车产业链项目签约</b>",
        "滨海日报 · 王芳 · 2024-02-23 15:01",
        "新能源汽车产业链项目今日在我市签约。项目总投资50亿元。",
        '<a href="https://news.example/zh/1">阅读全文</a>',
        "",
        "相关阅读",
        '• <a href="https://news.example/zh/2">招商引资再创新高</a> · 滨海日报 2024-02-23',
        "#新能源 #招商引资",
      ].join("\n"),
    });
    accepted(out);
  });

  it("formats an English article in en at UTC and leaves out a missing author", () => {
    const out = formatArticle(article({ author: undefined }), [], EN);
    expect(out).toEqual({
      kind: "text",
      disablePreview: true,
      text: [
        "<b>Harbour bridge opens</b>",
        "City Daily · 23 Feb 2024, 07:01",
        "The new bridge opened on Friday.",
        '<a href="https://news.example/bridge">Read more</a>',
      ].join("\n"),
    });
  });

  it("shows the same instant in each configured time zone, across the date line", () => {
    const late = Date.UTC(2024, 1, 23, 20, 30);
    expect(formatDateTime(late, "UTC", "en")).toBe("23 Feb 2024, 20:30");
    expect(formatDateTime(late, "Asia/Shanghai", "zh-CN")).toBe("2024-02-24 04:30");
    expect(formatDateTime(late, "Asia/Shanghai", "en")).toBe("24 Feb 2024, 04:30");
    expect(formatDate(late, "UTC", "zh-CN")).toBe("2024-02-23");
    const meta = (tz: string) =>
      html(formatArticle(article({ publishedAt: late }), [], { ...EN, timeZone: tz })).split("\n")[1];
    expect(meta("UTC")).toBe("City Daily · Li Wei · 23 Feb 2024, 20:30");
    expect(meta("Asia/Shanghai")).toBe("City Daily · Li Wei · 24 Feb 2024, 04:30");
  });

  it("escapes markup from the feed everywhere, so <script> is shown as text", () => {
    const a = article({
      title: "<script>alert(1)</script>",
      source: "<b>Src</b>",
      author: 'Tom "T" <t@x>',
      summary: "1 < 2 > 0",
    });
    const rel = [article({ id: "city:2", title: "</a><a href=x>", source: "&" })];
    const out = formatArticle(a, rel, EN);
    expect(html(out)).toContain("<b>&lt;script&gt;alert(1)&lt;/script&gt;</b>");
    expect(html(out)).not.toContain("<script>");
    const parsed = accepted(out);
    expect(parsed.text).toContain('<b>Src</b> · Tom "T" <t@x>');
    expect(parsed.text).toContain("• </a><a href=x> · & 23 Feb 2024");
    expect(new Set(parsed.entities.map((e) => e.type))).toEqual(new Set(["bold", "text_link"]));
  });

  it("keeps a literal &amp; in a title as text (escaped once more)", () => {
    const out = formatArticle(article({ title: "AT&amp;T & Co" }), [], EN);
    expect(html(out)).toContain("<b>AT&amp;amp;T &amp; Co</b>");
    expect(accepted(out).text.split("\n")[0]).toBe("AT&amp;T & Co");
  });

  it("drops javascript:, relative and credential links: no read-more line, no such related item", () => {
    const out = formatArticle(
      article({ link: "javascript:alert(1)" }),
      [
        article({ id: "r1", title: "Evil", link: "javascript:alert(1)" }),
        article({ id: "r2", title: "Trick", link: "https://bank.example@evil.example/" }),
        article({ id: "r3", title: "Relative", link: "/news/3" }),
        article({ id: "r4", title: "Good", link: "http://news.example/4" }),
      ],
      EN,
    );
    const parsed = accepted(out);
    expect(parsed.text).not.toContain("Read more");
    expect(parsed.text).not.toMatch(/Evil|Trick|Relative/);
    expect(parsed.entities.filter((e) => e.type === "text_link").map((e) => e.url)).toEqual([
      "http://news.example/4",
    ]);
  });

  it("skips the article itself and duplicates among related items", () => {
    const self = article();
    const other = article({ id: "city:2", title: "Other" });
    const text = accepted(formatArticle(self, [self, other, other], EN)).text;
    expect(text.match(/• /g)).toHaveLength(1);
  });

  it("sends an article with a usable image as a photo when the caption fits", () => {
    const out = formatArticle(article({ imageUrl: "https://img.example/b.jpg" }), [], EN);
    expect(out).toMatchObject({ kind: "photo", photoUrl: "https://img.example/b.jpg" });
    accepted(out);
  });

  it("shortens the summary for a photo but not below 100 units", () => {
    const summary = "Word ".repeat(60).trim(); // 299 units, cut to fit
    const related = Array.from({ length: 5 }, (_, i) => article({ id: `r${i}`, title: "R".repeat(110) }));
    const out = formatArticle(article({ imageUrl: "https://img.example/b.jpg", summary }), related, EN);
    expect(out.kind).toBe("photo");
    const lines = accepted(out).text.split("\n");
    expect(lines[2]?.length).toBeGreaterThanOrEqual(100);
    expect(lines[2]?.length).toBeLessThan(summary.length);
  });

  it("falls back to text with the link preview on when the photo caption cannot fit", () => {
    const related = Array.from({ length: 8 }, (_, i) => article({ id: `r${i}`, title: "R".repeat(110) }));
    const out = formatArticle(article({ imageUrl: "https://img.example/b.jpg" }), related, EN);
    expect(out).toMatchObject({ kind: "text", disablePreview: false });
    expect(accepted(out).text.match(/• /g)).toHaveLength(8);
  });

  it("ignores a non-http image URL", () => {
    expect(formatArticle(article({ imageUrl: "data:image/png;base64,AAAA" }), [], EN)).toMatchObject({
      kind: "text",
      disablePreview: true,
    });
  });

  it("cuts a Chinese summary at a sentence end (。！？) and marks the cut", () => {
    const summary = "第一句话说明情况。第二句话补充细节！第三句话很长很长很长很长很长很长很长。";
    const line = accepted(formatArticle(article({ summary }), [], { ...ZH, summaryChars: 25 })).text.split(
      "\n",
    )[2];
    expect(line).toBe("第一句话说明情况。第二句话补充细节！…");
  });

  it("cuts an English summary at a sentence end, else a word boundary", () => {
    expect(truncateText("One short sentence. Another one follows here.", 30)).toBe("One short sentence.…");
    expect(truncateText("words without any sentence end at all here", 20)).toBe("words without any…");
    expect(truncateText("short", 20)).toBe("short");
  });

  it("cuts hard when there is no boundary, never inside a surrogate pair", () => {
    expect(truncateText("一二三四五六七八九十一二三四五六七八九十", 8)).toBe("一二三四五六七…");
    const emoji = "🏟".repeat(10);
    for (let max = 1; max < 20; max++) {
      const cut = truncateText(emoji, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    }
  });

  it("makes hashtags of letters, digits and _ only, and drops tags with no letter", () => {
    expect(sanitizeHashtag("new energy / EV")).toBe("new_energy_EV");
    expect(sanitizeHashtag("新能源")).toBe("新能源");
    expect(sanitizeHashtag("2024")).toBeNull();
    expect(sanitizeHashtag("<b>")).toBe("b");
    const out = formatArticle(article(), [], {
      ...EN,
      topicTags: ["city life", "2024", "city-life", "旅游"],
    });
    expect(accepted(out).text.split("\n").at(-1)).toBe("#city_life #旅游");
  });
});

describe("formatArticle: shrinking to Telegram's limits", () => {
  const longRelated = (n: number) =>
    Array.from({ length: n }, (_, i) => article({ id: `r${i}`, title: `Related ${i} ${"x".repeat(200)}` }));

  it("shortens the summary first and keeps every related item", () => {
    const out = formatArticle(article({ title: "T".repeat(2400) }), longRelated(10), {
      ...EN,
      summaryChars: 2000,
      ...{},
    });
    const text = accepted(out).text;
    expect(text.match(/• /g)).toHaveLength(10);
    expect(text).toContain("T".repeat(2400));
  });

  it("then drops related items from the end, keeping the whole title", () => {
    const out = formatArticle(
      article({ title: "T".repeat(3300), summary: "s ".repeat(200) }),
      longRelated(10),
      EN,
    );
    const text = accepted(out).text;
    expect(text.split("\n")[0]).toBe("T".repeat(3300));
    expect(text).not.toContain("s s s");
    expect(text).toContain("Related 0 ");
    expect(text).not.toContain("Related 9 ");
  });

  it("truncates the title last, with an ellipsis, when nothing else is left to drop", () => {
    const out = formatArticle(article({ title: "标题".repeat(5000) }), longRelated(3), {
      ...EN,
      topicTags: ["a"],
    });
    const text = accepted(out).text;
    const title = text.split("\n")[0] ?? "";
    expect(title.endsWith("…")).toBe(true);
    expect(title.length).toBeGreaterThan(3800);
    expect(text.length).toBeLessThanOrEqual(4096);
  });
});

describe("formatArticleList", () => {
  it("numbers the articles with links, source and local date", () => {
    const list = formatArticleList(
      [article({ title: "A & B" }), article({ id: "2", title: "No link", link: "" })],
      { timeZone: "Asia/Shanghai", locale: "zh-CN", header: "Results <1>" },
    );
    expect(list).toBe(
      [
        "Results &lt;1&gt;",
        '1. <a href="https://news.example/bridge">A &amp; B</a> · City Daily 2024-02-23',
        "2. No link · City Daily 2024-02-23",
      ].join("\n"),
    );
  });

  it("stays under 4096 units by leaving lines out", () => {
    const many = Array.from({ length: 200 }, (_, i) =>
      article({ id: `a${i}`, title: `${i} ${"长".repeat(100)}` }),
    );
    const list = formatArticleList(many, { timeZone: "UTC", locale: "en" });
    const parsed = parseTelegramHtml(list);
    expect(parsed.ok && checkMessageLength(parsed.text, "text")).toBeNull();
    const lines = list.split("\n");
    expect(lines.length).toBeLessThan(200);
    expect(lines.at(-1)).toMatch(new RegExp(`^${lines.length}\\. `));
  });

  it("returns an empty string when nothing is listed", () => {
    expect(formatArticleList([], { timeZone: "UTC", locale: "en", header: "Results" })).toBe("");
  });
});

// Strings that stress escaping, entity counting and cutting: markup, entities, CJK and
// sentence ends, emoji (astral and with a variation selector), lone surrogates, controls.
const unit = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom("<", ">", "&", '"', "&amp;", "&lt;", "<b>", "</a>", "<br>", "'") },
  { weight: 4, arbitrary: fc.constantFrom("。", "！", ".", "?", " ", "\n", "\t", "\u0000", "\u00a0") },
  { weight: 4, arbitrary: fc.constantFrom("🏟", "➡️", "👍🏽", "\uD83C", "\uDFDF", "中", "新", "é") },
  { weight: 10, arbitrary: fc.string({ unit: "binary", minLength: 1, maxLength: 1 }) },
  { weight: 10, arbitrary: fc.constantFrom("a", "b", "c", "word ", "x") },
);
const shortText = fc.string({ unit, maxLength: 60 });
const anyText = fc.oneof(
  { weight: 8, arbitrary: shortText },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ unit, minLength: 1, maxLength: 20 }), fc.integer({ min: 50, max: 600 }))
      .map(([s, k]) => s.repeat(k)),
  },
);
const link = fc.oneof(
  fc.constant("https://news.example/a?x=1&y=<2>"),
  fc.constant("javascript:alert(1)"),
  fc.constant(""),
  fc.webUrl(),
);
const articleArb = fc.record({
  id: fc.string({ minLength: 1, maxLength: 8 }),
  title: anyText,
  source: anyText,
  author: fc.option(anyText, { nil: undefined }),
  summary: anyText,
  link,
  imageUrl: fc.option(link, { nil: undefined }),
  publishedAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
});

function expectedTitle(title: string): string {
  const clean = title
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD")
    // eslint-disable-next-line no-control-regex -- controls are what we strip
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, "")
    .replace(/\s+/gu, " ")
    .trim();
  return clean === "" ? "…" : clean;
}

describe("formatArticle: properties", () => {
  it("always produces markup Telegram accepts, within the limit, starting with the (possibly cut) title", () => {
    fc.assert(
      fc.property(
        articleArb,
        fc.array(articleArb, { maxLength: 10 }),
        fc.constantFrom<"en" | "zh-CN">("en", "zh-CN"),
        fc.constantFrom("UTC", "Asia/Shanghai", "America/New_York"),
        fc.array(shortText, { maxLength: 4 }),
        fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined }),
        (a, related, locale, timeZone, topicTags, summaryChars) => {
          const full = (x: typeof a, i: number): Article => ({
            ...article(),
            ...x,
            id: `${x.id}:${i}`,
            title: x.title === "" ? "t" : x.title,
          });
          const out = formatArticle(full(a, -1), related.map(full), {
            labels: { readMore: "Read <more> & more", related: "相关阅读" },
            timeZone,
            locale,
            topicTags,
            ...(summaryChars === undefined ? {} : { summaryChars }),
          });
          const parsed = accepted(out);
          for (const e of parsed.entities) {
            expect(["bold", "text_link"]).toContain(e.type);
            if (e.type === "text_link") expect(e.url).toMatch(/^https?:\/\//);
          }
          if (out.kind === "photo") expect(out.photoUrl).toMatch(/^https?:\/\//);
          const titleLine = parsed.text.split("\n")[0] ?? "";
          const want = expectedTitle(a.title === "" ? "t" : a.title);
          if (titleLine !== want) {
            expect(titleLine.endsWith("…")).toBe(true);
            expect(want.startsWith(titleLine.slice(0, -1))).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("truncateText never passes the budget, never splits a pair, and keeps a prefix", () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 0, max: 400 }), (text, max) => {
        const cut = truncateText(text, max);
        expect(cut.length).toBeLessThanOrEqual(Math.max(max, 0));
        if (cut !== text && cut !== "") {
          expect(cut.endsWith("…")).toBe(true);
          expect(text.startsWith(cut.slice(0, -1))).toBe(true);
          expect(cut.slice(0, -1)).not.toMatch(/[\uD800-\uDBFF]$/);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("truncateText regressions", () => {
  it("never ends with a lone high surrogate (fast-check counterexample, seed -128668975)", () => {
    const text = "\ud83c\ud800\udc00".repeat(10);
    const cut = truncateText(text, 3);
    expect(cut.slice(0, -1)).not.toMatch(/[\uD800-\uDBFF]$/);
    expect(cut.length).toBeLessThanOrEqual(3);
  });
});

describe("truncateText regressions (word boundary)", () => {
  it("does not end with a lone high surrogate before a tab (fast-check seed 20261126)", () => {
    const cut = truncateText("\t\ud83c".repeat(50), 3);
    expect(cut.slice(0, -1)).not.toMatch(/[\uD800-\uDBFF]$/);
  });
});
