import Keyv from "keyv";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { settingsCommands } from "../../commands/settings.js";
import { ChatRepo } from "../../src/chats/repo.js";
import { command, group, groupCommand, user } from "../support/updates.js";
import { replyTo, startCommandBot, type CommandBot } from "./bot.js";

// 2025-03-10 12:00 in Asia/Shanghai.
const NOON = Date.parse("2025-03-10T12:00:00+08:00");

describe("/digest and /quiet parse their argument and store the chat's settings", () => {
  let bot: CommandBot;
  let chats: ChatRepo;
  let marked: Array<[number, string]>;

  beforeEach(async () => {
    chats = new ChatRepo(new Keyv());
    marked = [];
    bot = await startCommandBot([
      settingsCommands({
        chats,
        timeZone: "Asia/Shanghai",
        releaseHeld: () => Promise.resolve(0),
        markDigestDone: (id, date) => {
          marked.push([id, date]);
          return Promise.resolve();
        },
        now: () => NOON,
      }),
    ]);
  });
  afterEach(() => bot.stop());

  const reader = user({ id: 5101, first_name: "Reader", language_code: "en" });
  const say = async (text: string) => (await bot.send(command(reader, text), replyTo(reader.id))).params.text as string;

  it.each([
    ["/digest 8:00", "08:00"],
    ["/digest 07:30", "07:30"],
    ["/digest 21：15", "21:15"],
  ])("%s sets the digest to %s", async (text, time) => {
    expect(await say(text)).toContain(`Daily digest at ${time}`);
    expect((await chats.get(reader.id))?.digestAt).toBe(time);
  });

  it.each(["/digest", "/digest 24:00", "/digest 8", "/digest 08:60", "/digest tomorrow"])("%s answers with the usage and changes nothing", async (text) => {
    expect(await say(text)).toContain("Usage: /digest");
    expect(await chats.get(reader.id)).toBeUndefined();
  });

  it("starts a digest time already past today tomorrow, and a later one today", async () => {
    await say("/digest 08:00");
    expect(marked).toEqual([[reader.id, "2025-03-10"]]);
    await say("/digest 18:00");
    expect(marked).toHaveLength(1);
    expect(await say("/digest off")).toContain("Daily digest off");
    expect((await chats.get(reader.id))?.digestAt).toBeUndefined();
    await say("/digest 18:00");
    expect(await say("/digest 关闭")).toContain("Daily digest off");
    expect((await chats.get(reader.id))?.digestAt).toBeUndefined();
  });

  it.each([
    ["/quiet 22-07", { fromHour: 22, toHour: 7 }],
    ["/quiet 22:00-07:00", { fromHour: 22, toHour: 7 }],
    ["/quiet 0–6", { fromHour: 0, toHour: 6 }],
    ["/quiet 23至8", { fromHour: 23, toHour: 8 }],
  ])("%s sets quiet hours", async (text, quiet) => {
    expect(await say(text)).toContain("Quiet hours");
    expect((await chats.get(reader.id))?.quiet).toEqual(quiet);
  });

  it.each(["/quiet", "/quiet 22-22", "/quiet 24-07", "/quiet 22:30-07:00", "/quiet night"])("%s answers with the usage", async (text) => {
    expect(await say(text)).toContain("Usage: /quiet");
    expect(await chats.get(reader.id)).toBeUndefined();
  });

  it("/quiet off removes quiet hours", async () => {
    await say("/quiet 22-07");
    expect(await say("/quiet off")).toBe("Quiet hours off.");
    expect((await chats.get(reader.id))?.quiet).toBeUndefined();
  });

  it("lets only group admins change a group's settings", async () => {
    const g = group({ id: -5_100_001 });
    const admin = user({ id: 5102, first_name: "Admin", language_code: "en" });
    const member = user({ id: 5103, first_name: "Member", language_code: "en" });
    bot.double.setChatAdmins(g.id, [admin.id]);
    const refused = await bot.send(groupCommand(g, member, "/quiet@newsdesk_test_bot 22-07"), replyTo(g.id));
    expect(refused.params.text).toContain("only the group's admins");
    expect(await chats.get(g.id)).toBeUndefined();
    await bot.send(groupCommand(g, admin, "/digest@newsdesk_test_bot 09:00"), replyTo(g.id));
    expect((await chats.get(g.id))?.digestAt).toBe("09:00");
  });
});
