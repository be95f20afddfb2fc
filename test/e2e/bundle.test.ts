import { afterEach, describe, expect, it } from "vitest";
import { parseTelegramHtml } from "../support/telegram-html.js";
import { command, user } from "../support/updates.js";
import { startHarness, textOf, until, type Harness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const links = (html: string): string[] => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, "&"));

/** Subscribes readers (waiting for each confirmation), then archives the backlog with a first poll. */
async function subscribed(hh: Harness, readers: Array<{ id: number; first_name: string; language_code?: string }>, topic: string): Promise<void> {
  for (const r of readers) {
    const before = hh.double.sent(r.id).length;
    hh.double.pushUpdate(command(r, `/subscribe ${topic}`));
    await until(() => hh.double.sent(r.id).length > before, 10_000, "subscription reply");
  }
  hh.feed.items.push(hh.item(1, "威海新能源产业集群剑指营收200亿", "威海能源总装机容量为786万千瓦。", 600));
  await hh.app.scheduler.pollAll();
}

describe("busy news hours: several new articles for one chat go as one message", () => {
  it("lists every new article in one valid message per reader, in the reader's language, each with its link and a link to its related articles", async () => {
    h = await startHarness();
    const zh = user({ id: 9101, first_name: "李", language_code: "zh-hans" });
    const en = user({ id: 9102, first_name: "Ann", language_code: "en" });
    await subscribed(h, [zh, en], "energy");
    const fresh = [
      h.item(11, "光伏电站并网发电 <一期>", "新能源项目并网。", 30),
      h.item(12, "Solar & storage park opens", "The solar park is the largest one.", 20),
      h.item(13, "新能源汽车电子项目开工", "新能源项目今天开工。", 10),
    ];
    h.feed.items.unshift(...fresh);
    expect((await h.app.scheduler.pollAll()).newArticles).toBe(3);
    await h.app.delivery.whenIdle();

    for (const [reader, header] of [
      [zh, "3 条新文章"],
      [en, "3 new articles"],
    ] as const) {
      const sent = h.double.sent(reader.id).slice(1);
      expect(sent).toHaveLength(1);
      const html = textOf(h.double.calls.find((c) => c.ok && c.method === "sendMessage" && Number(c.params.chat_id) === reader.id && textOf(c).includes(header))!);
      // Telegram's own HTML rules hold (the double parsed it, this re-checks the source).
      expect(parseTelegramHtml(html).ok).toBe(true);
      expect(sent[0]!.text.split("\n")[0]).toBe(header);
      const hrefs = links(html);
      for (const item of fresh) expect(hrefs).toContain(item.link);
      // Newest first; each line also links to the article with its related articles in the bot.
      expect(sent[0]!.text.indexOf("新能源汽车电子项目开工")).toBeLessThan(sent[0]!.text.indexOf("光伏电站并网发电 <一期>"));
      expect(hrefs.filter((u) => u.startsWith("https://t.me/newsdesk_test_bot?start=a_"))).toHaveLength(3);
    }
    // Two messages carried six (reader, article) pairs.
    expect(h.app.delivery.stats()).toMatchObject({ sent: 2, bundled: 6, pending: 0 });
  });

  it("a bundle's related link shows that article in the full format with its related articles", async () => {
    h = await startHarness();
    const reader = user({ id: 9201, first_name: "Bo", language_code: "en" });
    await subscribed(h, [reader], "energy");
    h.feed.items.unshift(h.item(21, "光伏电站并网发电", "新能源项目并网。", 30), h.item(22, "新能源汽车电子项目开工", "新能源项目今天开工。", 10));
    await h.app.scheduler.pollAll();
    await h.app.delivery.whenIdle();
    const bundle = h.double.calls.find((c) => c.ok && Number(c.params.chat_id) === reader.id && textOf(c).includes("2 new articles"))!;
    const deep = links(textOf(bundle)).find((u) => u.includes("?start=a_"))!;
    const payload = new URL(deep).searchParams.get("start")!;
    const before = h.double.sent(reader.id).length;
    h.double.pushUpdate(command(reader, `/start ${payload}`));
    await until(() => h!.double.sent(reader.id).length > before, 10_000, "the article");
    const full = h.double.sent(reader.id)[before]!.text;
    expect(full).toContain("Read more");
    expect(full).toContain("Related");
    expect(full).toMatch(/光伏电站并网发电|新能源汽车电子项目开工/);
    // An unknown or expired one is answered, not ignored.
    h.double.pushUpdate(command(reader, "/start a_AAAAAAAAAAAAAAAA"));
    await until(() => h!.double.sent(reader.id).length > before + 1, 10_000, "the refusal");
    expect(h.double.sent(reader.id)[before + 1]!.text).toContain("no longer in the archive");
  });

  it("one waiting article keeps the full format; with bundling off every article goes in the full format", async () => {
    h = await startHarness({ delivery: "{ bundle: { enabled: false } }" });
    const reader = user({ id: 9301, first_name: "Cy", language_code: "en" });
    await subscribed(h, [reader], "energy");
    h.feed.items.unshift(h.item(31, "光伏电站并网发电", "新能源项目并网。", 30), h.item(32, "新能源汽车电子项目开工", "新能源项目今天开工。", 10));
    await h.app.scheduler.pollAll();
    await h.app.delivery.whenIdle();
    const sent = h.double.sent(reader.id).slice(1);
    expect(sent).toHaveLength(2);
    for (const m of sent) expect(m.text).toContain("Read more");
    await h.close();

    h = await startHarness();
    const single = user({ id: 9302, first_name: "Di", language_code: "en" });
    await subscribed(h, [single], "energy");
    h.feed.items.unshift(h.item(33, "光伏电站并网发电", "新能源项目并网。", 30));
    await h.app.scheduler.pollAll();
    await h.app.delivery.whenIdle();
    const one = h.double.sent(single.id).slice(1);
    expect(one).toHaveLength(1);
    expect(one[0]!.text).toContain("Read more");
    expect(one[0]!.text).not.toContain("new article");
  });

  it("an article folded into a bundle counts as delivered only when Telegram accepted the bundle", async () => {
    h = await startHarness();
    const reader = user({ id: 9401, first_name: "Ed", language_code: "en" });
    await subscribed(h, [reader], "energy");
    h.double.failNext("sendMessage", 1, { code: 502, description: "Bad Gateway" });
    h.feed.items.unshift(h.item(41, "光伏电站并网发电", "新能源项目并网。", 30), h.item(42, "新能源汽车电子项目开工", "新能源项目今天开工。", 10));
    await h.app.scheduler.pollAll();
    await h.app.delivery.whenIdle();
    const tried = h.double.calls.filter((c) => c.method === "sendMessage" && Number(c.params.chat_id) === reader.id && textOf(c).includes("new article"));
    expect(tried.map((c) => c.ok)).toEqual([false, true]);
    // After the retry the reader has both articles, once each.
    const got = h.double.sent(reader.id).slice(1);
    expect(got).toHaveLength(1);
    for (const n of [41, 42]) expect(links(textOf(tried[1]!))).toContain(`https://news.example.com/a/${n}.html`);
  });
});
