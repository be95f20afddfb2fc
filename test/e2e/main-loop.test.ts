import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../config/load.js";
import { createApp, type App } from "../../src/app.js";
import { openStore } from "../../src/store/index.js";
import { startBotApiDouble, type BotApiDouble } from "../support/bot-api-double.js";
import { startFeedServer, type FeedItem, type FeedServer } from "../support/feed-server.js";
import { command, group, groupCommand, photo, privateText, reply, supergroup, user } from "../support/updates.js";

const TOKEN = "777001:AAMainLoopTestTokenXYZ_0123456789";
const NEWSROOM = -1009000;

function item(n: number, title: string, description: string, hoursAgo = 1): FeedItem {
  return {
    guid: `g-${n}`,
    title,
    link: `https://news.example.com/a/${n}.html`,
    description,
    pubDate: new Date(Date.now() - hoursAgo * 3600_000),
  };
}

async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Updates the bot has finished handling (ok or not), from its own metrics. */
async function updatesHandled(app: App): Promise<number> {
  const metric = await app.metrics.registry.getSingleMetric("newsdesk_updates_handled_total")?.get();
  return (metric?.values ?? []).reduce((n, v) => n + v.value, 0);
}

/** Resolves once the bot has handled `count` more updates than `before`. */
async function untilHandled(app: App, before: number, count = 1): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await updatesHandled(app)) < before + count) {
    if (Date.now() > deadline) throw new Error("updates not handled in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("main loop: feed → new article → formatted message in a subscriber's chat", () => {
  let double: BotApiDouble;
  let feed: FeedServer;
  let dir: string;
  let app: App;

  beforeEach(async () => {
    double = await startBotApiDouble({ token: TOKEN });
    feed = await startFeedServer([
      item(1, "威海新能源产业集群剑指营收200亿", "作为全省唯一集齐核风光储新能源类型的地级市，威海能源总装机容量为786万千瓦。", 30),
      item(2, "威海再入选春节旅游两大热门榜单", "继获评春节全国十大热门黑马目的地第二名后，威海又入选热门目的地。", 20),
    ]);
    dir = mkdtempSync(join(tmpdir(), "newsdesk-loop-"));
    const yaml = [
      "name: 测试日报",
      "poll: { schedule: '0 0 1 1 *', atStart: false }",
      `feeds: [{ id: local, url: '${feed.url()}', name: 威海日报 }]`,
      "topics:",
      "  - { id: energy, name: 新能源, keywords: [新能源, 光伏, solar] }",
      "  - { id: travel, name: 旅游, keywords: [旅游] }",
      `newsroom: { chatId: ${NEWSROOM}, admins: [] }`,
      "http: { port: 0 }",
    ].join("\n");
    const loaded = loadConfig(
      { BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: double.apiRoot, NEWSDESK_CONFIG: "c.yaml" },
      () => yaml,
    );
    if (!loaded.ok) throw new Error(loaded.problems.join("\n"));
    const store = await openStore(`sqlite://${join(dir, "s.sqlite")}`);
    app = await createApp({ config: loaded.config, logger: pino({ level: "silent" }), store });
    await app.start();
    await until(() => double.isLongPolling());
  });

  afterEach(async () => {
    await app.stop();
    await double.close();
    await feed.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("delivers a new matching article once, with related links, and leaves other topics alone", async () => {
    const reader = user({ id: 6001, first_name: "Li", language_code: "zh-hans" });
    const other = user({ id: 6002, first_name: "Wang", language_code: "en" });
    double.pushUpdate(command(reader, "/subscribe 新能源"));
    double.pushUpdate(command(other, "/subscribe travel"));
    await until(() => double.sent(6001).length === 1 && double.sent(6002).length === 1);
    expect(double.sent(6001)[0]!.text).toContain("已关注新能源");
    expect(double.sent(6002)[0]!.text).toContain("Following 旅游");

    // First poll of a new feed archives its backlog and sends nothing.
    const first = await app.scheduler.pollAll();
    expect(first.ok).toBe(1);
    expect(first.newArticles).toBe(0);

    feed.items.unshift(item(3, "威海光伏新能源项目开工 <第一期>", "高区新能源汽车电子项目今天开工。投资 & 建设同步推进。", 0));
    const second = await app.scheduler.pollAll();
    expect(second.newArticles).toBe(1);
    await until(() => double.sent(6001).length === 2);
    const msg = double.sent(6001)[1]!;
    expect(msg.text).toContain("威海光伏新能源项目开工 <第一期>");
    expect(msg.text).toContain("投资 & 建设");
    expect(msg.text).toContain("相关阅读");
    expect(msg.text).toContain("威海新能源产业集群剑指营收200亿");
    expect(msg.text).toContain("#新能源");
    expect(msg.entities.some((e) => e.type === "text_link" && e.url === "https://news.example.com/a/3.html")).toBe(true);

    // The same feed again, reordered and re-dated: nothing new.
    feed.items.reverse();
    feed.items[0]!.pubDate = new Date();
    const third = await app.scheduler.pollAll();
    expect(third.newArticles).toBe(0);
    // Whatever that poll handed to the outbox has been sent once the queue is idle.
    await app.delivery.whenIdle();
    expect(double.sent(6001)).toHaveLength(2);
    expect(double.sent(6002)).toHaveLength(1);
  });

  it("pushes articles in the language the reader speaks when they subscribed", async () => {
    const reader = user({ id: 6005, first_name: "Eve", language_code: "en-GB" });
    double.pushUpdate(command(reader, "/subscribe energy"));
    await until(() => double.sent(6005).length === 1);
    await app.scheduler.pollAll();
    feed.items.unshift(item(5, "Solar farm 新能源 project opens", "The new solar park starts today. It is the largest one.", 0));
    await app.scheduler.pollAll();
    await until(() => double.sent(6005).length === 2);
    expect(double.sent(6005)[1]!.text).toContain("Read more");
    expect(double.sent(6005)[1]!.text).not.toContain("阅读全文");
  });

  it("answers topic queries and /latest from the archive, in the reader's language", async () => {
    await app.scheduler.pollAll();
    const reader = user({ id: 6003, first_name: "Ann", language_code: "en" });
    double.pushUpdate(command(reader, "/search 旅游"));
    await until(() => double.sent(6003).length === 1);
    expect(double.sent(6003)[0]!.text).toContain("威海再入选春节旅游两大热门榜单");
    double.pushUpdate(command(reader, "/latest"));
    await until(() => double.sent(6003).length === 2);
    const latest = double.sent(6003)[1]!.text;
    expect(latest).toContain("Latest articles");
    expect(latest.indexOf("旅游两大")).toBeLessThan(latest.indexOf("新能源产业")); // newer first
    double.pushUpdate(command(reader, "/search 不存在的话题"));
    await until(() => double.sent(6003).length === 3);
    expect(double.sent(6003)[2]!.text).toContain("/topics");
  });

  it("answers an unknown command and a stray photo with a hint, in the reader's language", async () => {
    const reader = user({ id: 6004, first_name: "Zoe", language_code: "en" });
    double.pushUpdate(command(reader, "/frobnicate"));
    await until(() => double.sent(6004).length === 1);
    expect(double.sent(6004)[0]!.text).toContain("/help lists what I can do");
    double.pushUpdate(photo(reader, "look"));
    await until(() => double.sent(6004).length === 2, 5000);
    expect(double.sent(6004)[1]!.text).toContain("/tip");
  });

  it("takes '/tip There was a crash' as a new tip with those words, not as a tip reference", async () => {
    const reader = user({ id: 6006, first_name: "Ty", language_code: "en" });
    const before = await updatesHandled(app);
    double.pushUpdate(command(reader, "/tip There was a crash on the bridge"));
    // Everything the update made the bot say is sent once the update was handled.
    await untilHandled(app, before);
    await until(() => double.sent(6006).length >= 1);
    const texts = double.sent(6006).map((m) => m.text).join("\n");
    expect(texts).toContain("Send us a tip");
    expect(texts).not.toMatch(/No tip T-/);
  });

  it("follows the newsroom group when Telegram turns it into a supergroup: cards, staff replies and /stats", async () => {
    const NEW_NEWSROOM = -1009001;
    double.migrateChat(NEWSROOM, NEW_NEWSROOM);
    const reader = user({ id: 6007, first_name: "Tia", language_code: "en" });
    double.pushUpdate(command(reader, "/tip"));
    await until(() => double.sent(6007).length >= 1);
    const before = await updatesHandled(app);
    double.pushUpdate(privateText(reader, "The school roof leaks"));
    await untilHandled(app, before);
    double.pushUpdate(command(reader, "/done"));
    await until(() => double.sent(NEW_NEWSROOM).length >= 2, 15_000);
    const card = double.sent(NEW_NEWSROOM)[0]!;
    expect(card.text).toMatch(/T-[A-Z0-9]{4,}/);
    expect(double.sent(NEWSROOM)).toHaveLength(0);
    const staff = user({ id: 7100, first_name: "Editor" });
    const room = supergroup({ id: NEW_NEWSROOM, title: "Newsroom" });
    double.pushUpdate(reply(staff, "We will look into it", { ...card.message, chat: room }));
    await until(() => double.sent(6007).some((m) => m.text.includes("We will look into it")), 10_000);
    const relayed = double.sent(6007).find((m) => m.text.includes("We will look into it"))!;
    expect(relayed.text).not.toContain("Editor");
    double.pushUpdate(groupCommand(room, staff, "/stats"));
    await until(() => double.sent(NEW_NEWSROOM).some((m) => /Newsdesk|统计/.test(m.text)), 10_000);
    expect(double.sent(NEWSROOM)).toHaveLength(0);
  });

  it("lets only group admins change a group's subscriptions", async () => {
    const g = group({ id: -4001, title: "Readers" });
    const admin = user({ id: 7001, first_name: "Admin" });
    const member = user({ id: 7002, first_name: "Member" });
    double.setChatAdmins(-4001, [7001]);
    double.pushUpdate(groupCommand(g, member, "/subscribe@newsdesk_test_bot 新能源"));
    await until(() => double.sent(-4001).length === 1);
    expect(double.sent(-4001)[0]!.text).toContain("只有群管理员");
    double.pushUpdate(groupCommand(g, admin, "/subscribe@newsdesk_test_bot 新能源"));
    await until(() => double.sent(-4001).length === 2, 15_000);
    expect(double.sent(-4001)[1]!.text).toContain("已关注新能源");
  });

  it("tells the newsroom once when a feed keeps failing", async () => {
    await app.scheduler.pollAll();
    feed.failWith = 500;
    // alertAfterMinutes defaults to 60: the first failures alone do not alert.
    await app.scheduler.pollAll();
    // An alert would have been queued during the poll: once the queue is idle it would have been sent.
    await app.delivery.whenIdle();
    expect(double.sent(NEWSROOM)).toHaveLength(0);
    const health = await app.scheduler.health();
    expect(health[0]?.status).not.toBe("ok");
    expect(health[0]?.lastErrorKind).toBe("http-status");
  });
});
