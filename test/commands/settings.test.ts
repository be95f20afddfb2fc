import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChatRepo } from "../../src/chats/repo.js";
import { NS } from "../../src/store/keys.js";
import { command, group, groupCommand, user } from "../support/updates.js";
import { startHarness, textOf, type Harness } from "../e2e/harness.js";

// 2025-03-10 12:00 in Asia/Shanghai.
const NOON = Date.parse("2025-03-10T12:00:00+08:00");

describe("/digest and /quiet parse their argument and store the chat's settings (the real app)", () => {
  let h: Harness;
  let chats: ChatRepo;

  beforeEach(async () => {
    h = await startHarness({ startAt: NOON });
    chats = new ChatRepo(h.app.store.namespace(NS.chats));
  });
  afterEach(() => h.close());

  const reader = user({ id: 5101, first_name: "Reader", language_code: "en" });
  const say = async (text: string, from = reader, chat?: Parameters<typeof groupCommand>[0]): Promise<string> => {
    const to = chat?.id ?? from.id;
    const before = h.double.calls.length;
    h.double.pushUpdate(chat ? groupCommand(chat, from, text) : command(from, text));
    const call = await h.double.waitFor((c) => h.double.calls.indexOf(c) >= before && c.ok && c.method === "sendMessage" && Number(c.params.chat_id) === to);
    return textOf(call);
  };
  const digestDone = (id: number) => h.app.store.namespace<{ date: string }>(NS.digests).get(String(id));

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
    expect((await chats.get(reader.id))?.digestAt).toBeUndefined();
  });

  it("starts a digest time already past today tomorrow, and a later one today", async () => {
    await say("/digest 08:00");
    expect((await digestDone(reader.id))?.date).toBe("2025-03-10");
    await h.app.store.namespace(NS.digests).delete(String(reader.id));
    await say("/digest 18:00");
    expect(await digestDone(reader.id)).toBeUndefined();
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
    expect((await chats.get(reader.id))?.quiet).toBeUndefined();
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
    h.double.setChatAdmins(g.id, [admin.id]);
    expect(await say("/quiet@newsdesk_test_bot 22-07", member, g)).toContain("only the group's admins");
    expect((await chats.get(g.id))?.quiet).toBeUndefined();
    await say("/digest@newsdesk_test_bot 09:00", admin, g);
    expect((await chats.get(g.id))?.digestAt).toBe("09:00");
  });
});
