import { afterEach, describe, expect, it } from "vitest";
import { callbackQuery, command, group, groupCommand, inlineQuery, privateText, user } from "../support/updates.js";
import { NS } from "../../src/store/keys.js";
import { shanghai, startHarness, until, type Harness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const BACKLOG = (hh: Harness) => [
  hh.item(1, "威海新能源产业集群剑指营收200亿", "威海能源总装机容量为786万千瓦。", 30 * 60),
  hh.item(2, "威海再入选春节旅游两大热门榜单", "威海又入选热门目的地。", 20 * 60),
];

/** Sends a command and waits for the bot's answer in that chat. */
async function say(hh: Harness, from: { id: number; first_name: string }, text: string): Promise<string> {
  const before = hh.double.sent(from.id).length;
  hh.double.pushUpdate(text.startsWith("/") ? command(from, text) : privateText(from, text));
  await until(() => hh.double.sent(from.id).length > before, 10_000, `reply to ${text}`);
  return hh.double.sent(from.id)[before]!.text;
}

/** Waits until the outbox holds a delivery to `chatId` back until `notBefore` (the sender looked at it and held it: quiet hours). */
async function untilHeld(hh: Harness, chatId: number, notBefore: number): Promise<void> {
  const held = async (): Promise<boolean> => {
    for await (const [key, record] of hh.app.store.entries<{ chatId?: number; notBefore?: number }>(NS.outbox))
      if (key.startsWith("msg:") && record.chatId === chatId && (record.notBefore ?? 0) >= notBefore) return true;
    return false;
  };
  const deadline = Date.now() + 10_000;
  while (!(await held())) {
    if (Date.now() > deadline) throw new Error("held delivery not found in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("quiet hours and daily digests, on the injected clock (Asia/Shanghai)", () => {
  it("holds an article during /quiet 22-07 and delivers it at 07:00 local", async () => {
    const start = shanghai("2025-03-10T23:00:00");
    h = await startHarness({ startAt: start });
    h.feed.items.push(...BACKLOG(h));
    const quiet = user({ id: 8101, first_name: "Quiet", language_code: "en" });
    const awake = user({ id: 8102, first_name: "Awake", language_code: "en" });
    expect(await say(h, quiet, "/subscribe energy")).toContain("Following");
    expect(await say(h, quiet, "/quiet 22-07")).toContain("22:00");
    expect(await say(h, awake, "/subscribe energy")).toContain("Following");
    await h.app.scheduler.pollAll();

    h.feed.items.unshift(h.item(3, "威海光伏新能源项目开工", "高区新能源项目今天开工。", 1));
    expect((await h.app.scheduler.pollAll()).newArticles).toBe(1);
    await until(() => h!.deliveries(awake.id, "威海光伏新能源项目开工").length === 1);
    // The sender has looked at the quiet reader's delivery and put it back until 07:00.
    await untilHeld(h, quiet.id, shanghai("2025-03-11T07:00:00"));
    expect(h.deliveries(quiet.id, "威海光伏新能源项目开工")).toHaveLength(0);
    // The awake reader's send is complete once the queue has only the held one left.
    await until(() => h!.app.delivery.stats().pending === 1, 10_000, "one pending");

    h.clock.set(shanghai("2025-03-11T06:59:00"));
    await untilHeld(h, quiet.id, shanghai("2025-03-11T07:00:00"));
    expect(h.deliveries(quiet.id, "威海光伏新能源项目开工")).toHaveLength(0);

    h.clock.set(shanghai("2025-03-11T07:00:01"));
    await until(() => h!.deliveries(quiet.id, "威海光伏新能源项目开工").length === 1);
    await h.app.delivery.whenIdle();
    expect(h.deliveries(quiet.id, "威海光伏新能源项目开工")).toHaveLength(1);
    expect(h.deliveries(awake.id, "威海光伏新能源项目开工")).toHaveLength(1);
  });

  it("/quiet off (or new quiet hours) releases what quiet hours held, without waiting for them to end", async () => {
    const start = shanghai("2025-03-10T23:00:00");
    h = await startHarness({ startAt: start });
    h.feed.items.push(...BACKLOG(h));
    const reader = user({ id: 8111, first_name: "Night", language_code: "en" });
    expect(await say(h, reader, "/subscribe energy")).toContain("Following");
    expect(await say(h, reader, "/quiet 22-07")).toContain("22:00");
    await h.app.scheduler.pollAll();
    h.feed.items.unshift(h.item(3, "威海光伏新能源项目开工", "高区新能源项目今天开工。", 1));
    await h.app.scheduler.pollAll();
    // Held: the sender looked at it and put it back until 07:00.
    await untilHeld(h, reader.id, shanghai("2025-03-11T07:00:00"));
    expect(h.deliveries(reader.id, "威海光伏新能源项目开工")).toHaveLength(0);
    h.double.pushUpdate(command(reader, "/quiet off"));
    await until(() => h!.deliveries(reader.id, "威海光伏新能源项目开工").length === 1, 10_000, "released");
    await until(() => h!.double.sent(reader.id).some((m) => m.text.includes("Quiet hours off")), 10_000, "the reply");
    // The message reaches the chat before the sender records it as sent; idle means nothing is held back.
    await h.app.delivery.whenIdle();
    expect(h.app.delivery.stats().pending).toBe(0);
  });

  it("sends a /digest 08:00 chat no instant push, then one digest of the day's matching articles at 08:00", async () => {
    // The digest timer ticks every 30 s; here the test ticks after each jump of the clock.
    h = await startHarness({ startAt: shanghai("2025-03-10T22:50:00") });
    h.feed.items.push(...BACKLOG(h));
    const digest = user({ id: 8201, first_name: "Digest", language_code: "zh-hans" });
    const instant = user({ id: 8202, first_name: "Instant", language_code: "en" });
    expect(await say(h, digest, "/subscribe energy")).toContain("已关注");
    expect(await say(h, digest, "/digest 08:00")).toContain("08:00");
    expect(await say(h, instant, "/subscribe energy")).toContain("Following");
    await h.app.scheduler.pollAll(); // backlog: archived, never pushed
    expect(await h.app.tickDigests()).toBe(0);

    // 23:00 the day before the digest: two energy articles and one travel article arrive.
    h.clock.set(shanghai("2025-03-10T23:00:00"));
    h.feed.items.unshift(
      h.item(3, "威海光伏新能源项目开工", "高区新能源项目今天开工。", 1),
      h.item(4, "海上光伏电站并网发电", "首个海上光伏电站并网。", 2),
      h.item(5, "春季旅游线路发布", "十条旅游线路。", 3),
    );
    expect((await h.app.scheduler.pollAll()).newArticles).toBe(3);
    expect(await h.app.tickDigests()).toBe(0);
    // The instant reader gets both energy articles of the round as one bundle.
    await until(() => h!.double.sent(instant.id).some((m) => m.text.includes("2 new articles") && m.text.includes("海上光伏电站并网发电")));
    await h.app.delivery.whenIdle();
    expect(h.double.sent(digest.id)).toHaveLength(2); // only the two command replies

    h.clock.set(shanghai("2025-03-11T07:59:00"));
    expect(await h.app.tickDigests()).toBe(0);
    h.clock.set(shanghai("2025-03-11T08:00:05"));
    expect(await h.app.tickDigests()).toBe(1);
    await until(() => h!.double.sent(digest.id).length === 3);
    const text = h.double.sent(digest.id)[2]!.text;
    expect(text).toContain("今日摘要 · 2025-03-11");
    expect(text).toContain("威海光伏新能源项目开工");
    expect(text).toContain("海上光伏电站并网发电");
    expect(text).not.toContain("春季旅游线路发布");
    // Only what a reader on instant pushes was sent: not the backlog of a newly added feed.
    expect(text).not.toContain("威海新能源产业集群剑指营收200亿");
    // Later ticks the same day send nothing more.
    h.clock.set(shanghai("2025-03-11T08:30:00"));
    expect(await h.app.tickDigests()).toBe(0);
    await h.app.delivery.whenIdle();
    expect(h.double.sent(digest.id)).toHaveLength(3);
  });
});

const NEWSROOM = -1_002_999_000_001;
const staff = user({ id: 8901, first_name: "Editor", language_code: "en" });

/** Subscribes a group through its admin and waits for the answer. */
async function subscribeGroup(hh: Harness, chatId: number, admin: { id: number; first_name: string }, topic: string) {
  hh.double.setChatAdmins(chatId, [admin.id]);
  const before = hh.double.sent(chatId).length;
  hh.double.pushUpdate(groupCommand(group({ id: chatId }), admin, `/subscribe@newsdesk_test_bot ${topic}`));
  await until(() => hh.double.sent(chatId).length > before, 10_000, "group subscribe reply");
  expect(hh.double.sent(chatId)[before]!.text).toContain("已关注");
}

async function newsroomStats(hh: Harness): Promise<string> {
  const room = { id: NEWSROOM, type: "supergroup" as const, title: "Newsroom" };
  const before = hh.double.sent(NEWSROOM).length;
  hh.double.pushUpdate(groupCommand(room, staff, "/stats"));
  await until(() => hh.double.sent(NEWSROOM).length > before, 10_000, "/stats reply");
  return hh.double.sent(NEWSROOM)[before]!.text;
}

describe("Telegram errors through the double: 429, 403, group migration", () => {
  it("retries after a 429, deactivates a chat that blocked the bot, and follows a group to its supergroup", async () => {
    h = await startHarness({ admins: [staff.id] });
    h.feed.items.push(...BACKLOG(h));
    const patient = user({ id: 8301, first_name: "Patient", language_code: "en" });
    const gone = user({ id: 8302, first_name: "Gone", language_code: "en" });
    const admin = user({ id: 8303, first_name: "GroupAdmin" });
    const oldGroup = -4_100_001;
    const newGroup = -1_002_100_000_001;
    await say(h, patient, "/subscribe energy");
    await say(h, gone, "/subscribe energy");
    await subscribeGroup(h, oldGroup, admin, "energy");
    await h.app.scheduler.pollAll();

    h.double.failNext("sendMessage", 1, { code: 429, description: "Too Many Requests: retry after 1", retryAfterSeconds: 1 });
    h.double.blockChat(gone.id);
    h.double.migrateChat(oldGroup, newGroup);
    h.feed.items.unshift(h.item(3, "威海光伏新能源项目开工", "高区新能源项目今天开工。", 1));
    expect((await h.app.scheduler.pollAll()).newArticles).toBe(1);
    await until(() => h!.deliveries(patient.id, "威海光伏新能源项目开工").length === 1 && h!.deliveries(newGroup, "威海光伏新能源项目开工").length === 1);
    await h.app.delivery.whenIdle();
    expect(h.double.calls.some((c) => c.method === "sendMessage" && c.errorCode === 429)).toBe(true);
    expect(h.app.delivery.stats().rateLimited429).toBe(1);
    const to = (id: number) => h!.double.calls.filter((c) => c.method === "sendMessage" && Number(c.params.chat_id) === id && !c.ok);
    expect(to(gone.id).map((c) => c.errorCode)).toContain(403);
    expect(to(oldGroup).map((c) => c.errorCode)).toContain(400);

    const stats = await newsroomStats(h);
    expect(stats).toMatch(/Chats: \d+ active, 1 inactive/);

    // A later article: nothing is attempted for the blocked chat, the group gets it at its new id.
    const callsBefore = h.double.calls.length;
    h.feed.items.unshift(h.item(4, "海上光伏电站并网发电", "首个海上光伏电站并网。", 1));
    expect((await h.app.scheduler.pollAll()).newArticles).toBe(1);
    await until(() => h!.deliveries(patient.id, "海上光伏电站并网发电").length === 1 && h!.deliveries(newGroup, "海上光伏电站并网发电").length === 1);
    await h.app.delivery.whenIdle();
    const later = h.double.calls.slice(callsBefore);
    expect(later.filter((c) => Number(c.params.chat_id) === gone.id)).toHaveLength(0);
    expect(later.filter((c) => Number(c.params.chat_id) === oldGroup)).toHaveLength(0);
    expect(h.deliveries(patient.id, "威海光伏新能源项目开工")).toHaveLength(1);
  });
});

describe("channel and photos", () => {
  const CHANNEL = -1_002_555_000_001;

  it("posts every new article (any topic) to the configured channel, never the backlog", async () => {
    h = await startHarness({ extraYaml: [`channel: { chatId: ${CHANNEL} }`] });
    h.double.registerChat({ id: CHANNEL, type: "channel", title: "威海日报频道" });
    h.feed.items.push(...BACKLOG(h));
    await h.app.scheduler.pollAll();
    h.feed.items.unshift(
      h.item(3, "威海光伏新能源项目开工", "高区新能源项目今天开工。", 2),
      h.item(4, "市政府召开常务会议", "会议研究部署近期工作。", 1),
    );
    expect((await h.app.scheduler.pollAll()).newArticles).toBe(2);
    await until(() => h!.double.sent(CHANNEL).length === 2);
    await h.app.delivery.whenIdle();
    const texts = h.double.sent(CHANNEL).map((m) => m.text.split("\n")[0] ?? "");
    expect(texts.some((t) => t.includes("威海光伏新能源项目开工"))).toBe(true);
    expect(texts.some((t) => t.includes("市政府召开常务会议"))).toBe(true);
    expect(texts.some((t) => t.includes("威海再入选春节旅游两大热门榜单"))).toBe(false);
  });

  it("sends an article with an image as a photo with an HTML caption, and as text when Telegram refuses the image", async () => {
    h = await startHarness();
    h.feed.items.push(...BACKLOG(h));
    const reader = user({ id: 8401, first_name: "Pic", language_code: "en" });
    await say(h, reader, "/subscribe energy");
    await h.app.scheduler.pollAll();
    const long = "新能源项目今天开工，总投资一百亿元。".repeat(120);
    h.feed.items.unshift(h.item(3, "威海光伏新能源项目开工 <一期> & 二期", long, 1, "https://img.example.com/solar-1.jpg"));
    await h.app.scheduler.pollAll();
    await until(() => h!.double.sent(reader.id).length === 2);
    const photo = h.double.sent(reader.id)[1]!;
    expect(photo.method).toBe("sendPhoto");
    expect(photo.kind).toBe("photo");
    expect(photo.params.photo).toBe("https://img.example.com/solar-1.jpg");
    expect(photo.params.parse_mode).toBe("HTML");
    expect(photo.text).toContain("威海光伏新能源项目开工 <一期> & 二期");
    expect([...photo.text].length).toBeLessThanOrEqual(1024);

    h.double.failNext("sendPhoto", 1, { code: 400, description: "Bad Request: wrong file identifier/HTTP URL specified" });
    h.feed.items.unshift(h.item(4, "海上光伏电站并网发电", "首个海上光伏电站并网。", 1, "https://img.example.com/blocked.jpg"));
    await h.app.scheduler.pollAll();
    await until(() => h!.double.sent(reader.id).length === 3, 15_000, "text fallback");
    await h.app.delivery.whenIdle();
    const text = h.double.sent(reader.id)[2]!;
    expect(text.method).toBe("sendMessage");
    expect(text.text).toContain("海上光伏电站并网发电");
    expect(h.double.calls.filter((c) => c.method === "sendPhoto" && !c.ok)).toHaveLength(1);
    expect(h.app.delivery.stats().deadLetterTotal).toBe(0);
  });
});

describe("subscriptions: /topics buttons, deep links, /unsubscribe all", () => {
  it("toggles a topic with its button, edits the keyboard, and refuses forged data", async () => {
    h = await startHarness();
    h.feed.items.push(...BACKLOG(h));
    await h.app.scheduler.pollAll();
    const reader = user({ id: 8501, first_name: "Toggle", language_code: "en" });
    await say(h, reader, "/topics");
    const menu = h.double.sent(reader.id)[0]!;
    const buttons = () =>
      (h!.double.sent(reader.id)[0]!.replyMarkup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard.flat();
    expect(buttons().map((b) => b.callback_data)).toEqual(["t:energy", "t:travel"]);
    expect(buttons()[0]!.text).toBe("➕ 新能源");

    const press = async (data: string) => {
      const update = callbackQuery(reader, data, menu.message);
      h!.double.pushUpdate(update);
      return h!.double.waitFor((c) => c.method === "answerCallbackQuery" && c.params.callback_query_id === update.callback_query.id);
    };
    expect((await press("t:energy")).params.text).toBe("Following 新能源");
    await until(() => buttons()[0]!.text === "✅ 新能源", 5000, "keyboard edited");

    h.feed.items.unshift(h.item(3, "威海光伏新能源项目开工", "高区新能源项目今天开工。", 1));
    await h.app.scheduler.pollAll();
    await until(() => h!.deliveries(reader.id, "威海光伏新能源项目开工").length === 1);

    expect((await press("t:energy")).params.text).toBe("Stopped following 新能源");
    await until(() => buttons()[0]!.text === "➕ 新能源", 5000, "keyboard edited back");

    for (const forged of ["t:nonexistent", "t:ENERGY", "t:energy:x", "t:" + "e".repeat(40)]) {
      const answer = await press(forged);
      expect(answer.params.text).toMatch(/There is no topic/);
    }
    expect(buttons()[0]!.text).toBe("➕ 新能源");
    h.feed.items.unshift(h.item(4, "海上光伏电站并网发电", "首个海上光伏电站并网。", 1));
    await h.app.scheduler.pollAll();
    await h.app.delivery.whenIdle();
    expect(h.deliveries(reader.id, "海上光伏电站并网发电")).toHaveLength(0);
  });

  it("lets only group admins press a group's topic buttons", async () => {
    h = await startHarness();
    const g = group({ id: -4_100_002 });
    const admin = user({ id: 8511, first_name: "Admin" });
    const member = user({ id: 8512, first_name: "Member" });
    h.double.setChatAdmins(g.id, [admin.id]);
    h.double.pushUpdate(groupCommand(g, member, "/topics@newsdesk_test_bot"));
    await until(() => h!.double.sent(g.id).length === 1);
    const menu = h.double.sent(g.id)[0]!.message;
    const byMember = callbackQuery(member, "t:travel", menu);
    h.double.pushUpdate(byMember);
    const refused = await h.double.waitFor((c) => c.method === "answerCallbackQuery" && c.params.callback_query_id === byMember.callback_query.id);
    expect(refused.params.show_alert).toBe(true);
    const byAdmin = callbackQuery(admin, "t:travel", menu);
    h.double.pushUpdate(byAdmin);
    const accepted = await h.double.waitFor((c) => c.method === "answerCallbackQuery" && c.params.callback_query_id === byAdmin.callback_query.id);
    expect(accepted.params.text).toBe("已关注 旅游");
  });

  it("subscribes through /start sub_energy and stops everything with /unsubscribe all", async () => {
    h = await startHarness();
    h.feed.items.push(...BACKLOG(h));
    await h.app.scheduler.pollAll();
    const reader = user({ id: 8521, first_name: "Deep", language_code: "en" });
    expect(await say(h, reader, "/start sub_energy")).toContain("Following 新能源");
    expect(await say(h, reader, "/start sub_nosuch")).toContain("There is no topic");
    expect(await say(h, reader, "/subscribe 旅游")).toContain("Following 旅游");
    h.feed.items.unshift(h.item(3, "威海光伏新能源项目开工", "高区新能源项目今天开工。", 1));
    await h.app.scheduler.pollAll();
    await until(() => h!.deliveries(reader.id, "威海光伏新能源项目开工").length === 1);

    expect(await say(h, reader, "/unsubscribe all")).toContain("Stopped following all topics");
    h.feed.items.unshift(h.item(4, "海上光伏电站并网发电", "首个海上光伏电站并网。", 1), h.item(5, "春季旅游线路发布", "十条旅游线路。", 1));
    await h.app.scheduler.pollAll();
    await h.app.delivery.whenIdle();
    expect(h.deliveries(reader.id, "海上光伏电站并网发电")).toHaveLength(0);
    expect(h.deliveries(reader.id, "春季旅游线路发布")).toHaveLength(0);
  });
});

describe("queries: pages behind a 'more' button, inline mode with next_offset", () => {
  it("pages /search results and answers inline queries with an offset", async () => {
    h = await startHarness();
    for (let n = 1; n <= 25; n++) h.feed.items.push(h.item(n, `旅游线路推荐第${n}期`, `第${n}条旅游线路介绍。`, n * 10));
    await h.app.scheduler.pollAll();
    const reader = user({ id: 8601, first_name: "Seeker", language_code: "en" });
    await say(h, reader, "/search 旅游");
    const first = h.double.sent(reader.id)[0]!;
    expect(first.text).toContain("25");
    expect(first.text).toMatch(/^1\. /m);
    expect(first.text).not.toMatch(/^6\. /m);
    const more = (first.replyMarkup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard.flat();
    expect(more).toHaveLength(1);
    expect(more[0]!.callback_data).toMatch(/^q:[A-Za-z0-9_-]{8,16}:5$/);

    h.double.pushUpdate(callbackQuery(reader, more[0]!.callback_data, first.message));
    await until(() => h!.double.sent(reader.id)[0]!.edited, 5000, "page 2");
    const page2 = h.double.sent(reader.id)[0]!;
    expect(page2.text).toMatch(/^6\. /m);
    expect(page2.text).not.toMatch(/^1\. /m);
    expect(h.double.sent(reader.id)).toHaveLength(1);
    const next = (page2.replyMarkup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard.flat();
    expect(next[0]!.callback_data).toMatch(/:10$/);

    const expired = callbackQuery(reader, "q:AAAAAAAAAAAA:5", first.message);
    h.double.pushUpdate(expired);
    const answer = await h.double.waitFor((c) => c.method === "answerCallbackQuery" && c.params.callback_query_id === expired.callback_query.id);
    expect(answer.params.text).toContain("expired");

    const q1 = inlineQuery(reader, "旅游");
    h.double.pushUpdate(q1);
    const inline1 = await h.double.waitFor((c) => c.method === "answerInlineQuery" && c.params.inline_query_id === q1.inline_query.id);
    expect(inline1.ok).toBe(true);
    const results1 = inline1.params.results as { type: string; title: string }[];
    expect(results1).toHaveLength(20);
    expect(results1.every((r) => r.type === "article" && r.title.includes("旅游线路推荐"))).toBe(true);
    expect(inline1.params.next_offset).toBe("20");
    const q2 = inlineQuery(reader, "旅游", "20");
    h.double.pushUpdate(q2);
    const inline2 = await h.double.waitFor((c) => c.method === "answerInlineQuery" && c.params.inline_query_id === q2.inline_query.id);
    expect(inline2.params.results as unknown[]).toHaveLength(5);
    expect(inline2.params.next_offset ?? "").toBe("");
  });
});

describe("start-up", () => {
  it("polls the feeds once at start, before the first cron tick (a yearly schedule here)", async () => {
    h = await startHarness({
      poll: "{ schedule: '0 0 1 1 *' }",
      items: (clock) => [{ guid: "s-1", title: "威海新能源产业集群剑指营收200亿", link: "https://news.example.com/a/s1.html", description: "装机容量。", pubDate: new Date(clock.now() - 3600_000) }],
    });
    await until(() => h!.logs.some((l) => l.includes("first poll: backlog archived")), 10_000, "the start-up poll");
    const health = await h.app.scheduler.health();
    expect(health[0]).toMatchObject({ status: "ok", items: 1 });
  });
});
