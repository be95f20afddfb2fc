import { afterEach, describe, expect, it } from "vitest";
import type { Update } from "telegraf/types";
import { command, user } from "../support/updates.js";
import { startHarness, until, type Harness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("what readers hit in their first hour", () => {
  it("/cancel with no open tip says there is nothing to cancel, in the reader's language", async () => {
    h = await startHarness();
    const en = user({ id: 9701, first_name: "Al", language_code: "en" });
    const zh = user({ id: 9702, first_name: "王", language_code: "zh-hans" });
    h.double.pushUpdate(command(en, "/cancel"));
    h.double.pushUpdate(command(zh, "/cancel"));
    await until(() => h!.double.sent(en.id).length === 1 && h!.double.sent(zh.id).length === 1, 10_000, "answers");
    expect(h.double.sent(en.id)[0]!.text).toContain("nothing to cancel");
    expect(h.double.sent(zh.id)[0]!.text).toContain("没有可取消");
  });

  it("says how to subscribe the group when it is added to one", async () => {
    h = await startHarness();
    const admin = user({ id: 9703, first_name: "Gail", language_code: "en" });
    const chat = { id: -4_300_001, type: "supergroup" as const, title: "Readers" };
    const bot = { id: 123456789, is_bot: true, first_name: "Newsdesk Test", username: "newsdesk_test_bot" };
    const update = {
      update_id: 990_001,
      my_chat_member: {
        chat,
        from: admin,
        date: Math.floor(Date.now() / 1000),
        old_chat_member: { user: bot, status: "left" },
        new_chat_member: { user: bot, status: "member" },
      },
    } as unknown as Update;
    h.double.pushUpdate(update);
    await until(() => h!.double.sent(chat.id).length === 1, 10_000, "the greeting");
    expect(h.double.sent(chat.id)[0]!.text).toContain("/subscribe@newsdesk_test_bot");
  });
});
