import Keyv from "keyv";
import { afterEach, describe, expect, it } from "vitest";
import { ChatRepo } from "../../src/chats/repo.js";
import { Outbox } from "../../src/delivery/outbox.js";
import { Pacer } from "../../src/delivery/pacer.js";
import { Sender } from "../../src/delivery/sender.js";
import { TelegramClient } from "../../src/telegram/client.js";
import { startBotApiDouble, type BotApiDouble } from "../support/bot-api-double.js";
import { text } from "./helpers.js";

let double: BotApiDouble | undefined;
afterEach(async () => {
  await double?.close();
  double = undefined;
});

async function setUp(limits: { globalPerSecond: number }, pacerPerSecond: number) {
  double = await startBotApiDouble({ limits: { ...limits, privateBurst: 1 } });
  const outbox = new Outbox(new Keyv());
  await outbox.load();
  const chats = new ChatRepo(new Keyv());
  await chats.load();
  const telegram = { call: new TelegramClient(double.token, { apiRoot: double.apiRoot }).call };
  const sender = new Sender({ outbox, chats, telegram, pacer: new Pacer({ now: () => Date.now() }, { globalPerSecond: pacerPerSecond }) });
  return { double, outbox, chats, sender };
}

describe("delivery through telegraf against the Bot API double (real time)", () => {
  it("fans out within the limits: every chat gets the article once, no 429, blocked and migrated chats handled", async () => {
    const { double, outbox, chats, sender } = await setUp({ globalPerSecond: 10 }, 9);
    const privates = Array.from({ length: 24 }, (_, i) => 5000 + i);
    for (const id of privates) {
      await chats.ensure(id, "private");
      await chats.subscribe(id, "news");
    }
    await chats.ensure(-77, "group");
    await chats.subscribe(-77, "news");
    double.blockChat(5003);
    double.migrateChat(-77, -1000077);
    await outbox.enqueue({ chatId: 5000, priority: "interactive", payload: text("reply 1") });
    await outbox.enqueue({ chatId: 5000, priority: "interactive", payload: text("reply 2") });
    await outbox.fanOut({ priority: "bulk", payload: { kind: "call", method: "sendMessage", params: { text: "<b>Article</b>", parse_mode: "HTML" } }, recipients: await chats.subscribersFor(["news"]) });
    sender.start();
    await sender.whenIdle();
    await sender.stop();

    for (const id of privates.filter((id) => id !== 5003)) {
      expect(double.sent(id).filter((m) => m.text === "Article")).toHaveLength(1);
    }
    expect(double.sent(5000).map((m) => m.text)).toEqual(["reply 1", "reply 2", "Article"]);
    expect(double.sent(5003)).toEqual([]);
    expect(double.sent(-1000077).map((m) => m.text)).toEqual(["Article"]);
    expect(double.stats()).toMatchObject({ rejected429: 0 });
    expect(chats.isActive(5003)).toBe(false);
    expect(await chats.get(-1000077)).toMatchObject({ type: "supergroup", topics: ["news"] });
    expect(sender.stats()).toMatchObject({ sent: 26, rateLimited429: 0, dropped: 1, pending: 0 });
  });

  it("when the real limit is lower than configured, 429s are honoured and nothing is lost or doubled", async () => {
    const { double, outbox, sender } = await setUp({ globalPerSecond: 5 }, 15);
    const recipients = Array.from({ length: 20 }, (_, i) => 7000 + i);
    await outbox.fanOut({ priority: "bulk", payload: text("hello"), recipients });
    sender.start();
    await sender.whenIdle();
    await sender.stop();
    for (const id of recipients) expect(double.sent(id)).toHaveLength(1);
    expect(sender.stats().rateLimited429).toBeGreaterThan(0);
    expect(sender.stats().rateLimited429).toBe(double.stats().rejected429);
  });

  it("a 5xx outage of the API delays deliveries but loses none", async () => {
    const { double, outbox, sender } = await setUp({ globalPerSecond: 30 }, 29);
    double.setDown({ status: 502, description: "Bad Gateway" });
    await outbox.enqueue({ chatId: 9100, priority: "interactive", payload: text("tip received") });
    await outbox.fanOut({ priority: "bulk", payload: text("x"), recipients: [9101, 9102] });
    sender.start();
    await double.waitFor((c) => c.errorCode === 502);
    await new Promise((r) => setTimeout(r, 300));
    double.setDown(null);
    await sender.whenIdle();
    await sender.stop();
    expect([9100, 9101, 9102].map((id) => double.sent(id).length)).toEqual([1, 1, 1]);
    expect(sender.stats().failed).toBeGreaterThan(0);
  });
});
