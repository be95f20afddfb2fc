import { afterEach, describe, expect, it } from "vitest";
import type { Chat } from "telegraf/types";
import type { ApiCall } from "../support/bot-api-double.js";
import { callbackQuery, command, groupCommand, user } from "../support/updates.js";
import { startHarness, textOf, until, type Harness } from "./harness.js";

const NEWSROOM = -1_002_999_000_001;
const room: Chat.SupergroupChat = { id: NEWSROOM, type: "supergroup", title: "Newsroom" };
const editor = user({ id: 9801, first_name: "Editor", language_code: "en" });

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** 40 readers on a topic, the backlog archived. */
async function readers(hh: Harness, topic: string): Promise<number[]> {
  const ids = Array.from({ length: 40 }, (_, i) => 9_810_000 + i);
  for (const id of ids) hh.double.pushUpdate(command(user({ id, first_name: "R", language_code: "en" }), `/subscribe ${topic}`));
  await until(() => ids.every((id) => hh.double.sent(id).length === 1), 20_000, "subscriptions");
  hh.feed.items.push(hh.item(1, "威海新能源产业集群剑指营收200亿", "威海能源总装机容量为786万千瓦。", 600));
  await hh.app.scheduler.pollAll();
  return ids;
}

describe("paid broadcasts (allow_paid_broadcast), opt-in", () => {
  it("/broadcast goes as a paid broadcast when delivery.paidBroadcast.broadcast is on: past the 30/s budget, 0 x 429", async () => {
    h = await startHarness({ delivery: "{ paidBroadcast: { broadcast: true } }" });
    const ids = await readers(h, "energy");
    const before = h.double.sent(NEWSROOM).length;
    h.double.pushUpdate(groupCommand(room, editor, "/broadcast Storm warning"));
    await until(() => h!.double.sent(NEWSROOM).length > before, 15_000, "confirmation");
    const confirm = h.double.sent(NEWSROOM)[before]!;
    const yes = (confirm.replyMarkup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard.flat()[0]!.callback_data;
    h.double.pushUpdate(callbackQuery(editor, yes, confirm.message));
    const isBroadcast = (c: ApiCall) => c.ok && c.method === "sendMessage" && textOf(c).includes("Storm warning") && textOf(c).startsWith("🔴");
    await until(() => h!.double.calls.filter(isBroadcast).length === ids.length, 20_000, "broadcast delivered");
    const calls = h.double.calls.filter(isBroadcast);
    expect(calls.every((c) => c.params.allow_paid_broadcast === true)).toBe(true);
    expect(h.double.stats()).toMatchObject({ paidMessages: ids.length, rejected429: 0 });
  });

  it("articles of the chosen topics are paid, others and everything by default are not", async () => {
    h = await startHarness({ delivery: "{ paidBroadcast: { topics: [energy] } }" });
    const ids = await readers(h, "energy");
    h.feed.items.unshift(h.item(2, "威海光伏新能源项目开工", "高区新能源项目今天开工。", 1));
    await h.app.scheduler.pollAll();
    await h.app.delivery.whenIdle();
    const articleCalls = h.double.calls.filter((c) => c.ok && ids.includes(Number(c.params.chat_id)) && textOf(c).includes("威海光伏新能源项目开工"));
    expect(articleCalls).toHaveLength(ids.length);
    expect(articleCalls.every((c) => c.params.allow_paid_broadcast === true)).toBe(true);
    // Replies are never paid.
    expect(h.double.calls.filter((c) => c.ok && textOf(c).includes("Following") && c.params.allow_paid_broadcast !== undefined)).toHaveLength(0);
    await h.close();

    h = await startHarness();
    const free = await readers(h, "energy");
    h.feed.items.unshift(h.item(3, "威海光伏新能源项目开工", "高区新能源项目今天开工。", 1));
    await h.app.scheduler.pollAll();
    await h.app.delivery.whenIdle();
    expect(h.double.stats().paidMessages).toBe(0);
    expect(h.double.calls.filter((c) => c.ok && free.includes(Number(c.params.chat_id)) && textOf(c).includes("威海光伏新能源项目开工"))).toHaveLength(free.length);
  });
});
