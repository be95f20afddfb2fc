import type { Message } from "telegraf/types";
import { afterEach, describe, expect, it } from "vitest";
import { callbackQuery, command, privateText, user } from "../support/updates.js";
import { startHarness, until, type Harness } from "./harness.js";

/** A message the bot sent, with the fields these tests read. */
type Sent = Message & { text?: string; reply_markup?: unknown };

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("a tip in progress, in the real app", () => {
  it("a topic name typed after the first part is asked about, and 'search instead' answers with the search", async () => {
    h = await startHarness();
    h.feed.items.push(h.item(1, "威海再入选春节旅游两大热门榜单", "威海又入选热门目的地。", 30));
    await h.app.scheduler.pollAll();
    const reader = user({ id: 9_720_001, first_name: "读者", language_code: "zh-hans" });
    const sent = () => h!.double.sent(reader.id);
    const next = async (update: Parameters<Harness["double"]["pushUpdate"]>[0]): Promise<Sent> => {
      const before = sent().length;
      h!.double.pushUpdate(update);
      await until(() => sent().length > before, 10_000, "an answer");
      return sent()[before]!.message;
    };
    await next(command(reader, "/tip"));
    expect((await next(privateText(reader, "海边的栈桥断了一截"))).text).toContain("1 条消息");
    const word = privateText(reader, "旅游");
    const asked = await next(word);
    expect(asked.text).toContain("“旅游”");
    expect(JSON.stringify(asked.reply_markup)).toContain(`tip:q:search:${word.message.message_id}`);
    const results = await next(callbackQuery(reader, `tip:q:search:${word.message.message_id}`, asked));
    expect(results.text).toContain("威海再入选春节旅游两大热门榜单");
    const draft = await h.app.tipLine.repo.getDraft(reader.id);
    expect(draft?.items).toHaveLength(1);
  });
});
