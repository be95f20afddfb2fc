import type { Message, User } from "telegraf/types";
import { describe, expect, it } from "vitest";
import { NS } from "../../src/store/keys.js";
import type { Harness } from "../e2e/harness.js";
import { callbackQuery, command, privateText, supergroup, user } from "../support/updates.js";
import { pushAndWait, sentTo, startTipDesk, textOfCall } from "./harness.js";

const NEWSROOM = supergroup({ title: "编辑部" });
const DAY_MS = 86_400_000;

async function sendTip(h: Harness, reader: User, text: string): Promise<string> {
  await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
  await pushAndWait(h.double, privateText(reader, text), sentTo(reader.id, "sendMessage"));
  const thanks = await pushAndWait(h.double, command(reader, "/done"), (c) => sentTo(reader.id)(c) && /T-[A-Z0-9]{4,6}/.test(textOfCall(c)));
  const ref = /T-[A-Z0-9]{4,6}/.exec(textOfCall(thanks))?.[0];
  if (!ref) throw new Error("no reference");
  await h.double.waitFor((c) => c.ok && c.method === "copyMessages" && Number(c.params.chat_id) === NEWSROOM.id && true);
  return ref;
}

function inNewsroom(from: User, text: string) {
  const update = command(from, text);
  (update.message as { chat: unknown }).chat = NEWSROOM;
  return update;
}

const staffSays = (h: Harness, from: User, text: string) => pushAndWait(h.double, inNewsroom(from, text), sentTo(NEWSROOM.id, "sendMessage"));

describe.concurrent("status words in the newsroom's language", () => {
  it("Chinese staff read Chinese status words and may type them; the English keywords still work; readers read their own language", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id, locale: "zh-CN" }, onTestFinished);
    const reader = user({ language_code: "en" });
    const staff = user({ language_code: "zh-hans" });
    const ref = await sendTip(h, reader, "The ferry runs without a licence");

    const set = await staffSays(h, staff, `/status ${ref} 核实中`);
    expect(textOfCall(set)).toContain("核实中");
    expect(textOfCall(set)).not.toContain("checking");
    expect((await h.app.tipLine.repo.getTip(ref))?.status).toBe("checking");
    // The reader is told in their own language (English), whatever the newsroom reads.
    const told = await h.double.waitFor((c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c).includes("being checked"));
    expect(textOfCall(told)).not.toContain("核实中");

    const published = await staffSays(h, staff, `/status ${ref} published`);
    expect(textOfCall(published)).toContain("已发表");
    expect(textOfCall(published)).not.toContain("published");
    expect((await h.app.tipLine.repo.getTip(ref))?.status).toBe("published");

    const usage = await staffSays(h, staff, `/status ${ref} 也许`);
    expect(textOfCall(usage)).toContain("核实中");
    expect((await h.app.tipLine.repo.getTip(ref))?.status).toBe("published");
  });
});

describe.concurrent("blocks outlive the tip and /forget, and never store the reader's id", () => {
  it("/block shows a block reference; /unblock B-… lifts it after the tip expired; /forget does not lift it", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id, limits: { retentionDays: 7 } }, onTestFinished);
    const reader = user({ id: 7_770_123_456, language_code: "en" });
    const staff = user();
    const ref = await sendTip(h, reader, "Spam spam spam");

    const blocked = await staffSays(h, staff, `/block ${ref}`);
    const blockRef = /B-[2-9A-HJKMNP-Z]{4,6}/.exec(textOfCall(blocked))?.[0];
    expect(blockRef, textOfCall(blocked)).toBeDefined();
    expect(textOfCall(blocked)).toContain(`/unblock ${blockRef}`);
    const keys: string[] = [];
    for await (const [key, value] of h.app.store.namespace(NS.tipBlocks).iterator!(undefined)) keys.push(`${String(key)} ${JSON.stringify(value)}`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join("\n")).not.toContain(String(reader.id));

    // The reader forgets everything: the block stays (else /forget would be a way around it).
    await pushAndWait(h.double, command(reader, "/forget"), sentTo(reader.id, "sendMessage"));
    const question: Message = h.double.sent(reader.id).at(-1)!.message;
    await pushAndWait(h.double, callbackQuery(reader, "tip:forget:tips", question), (c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c).includes("Deleted"));
    expect(await h.app.tipLine.repo.getTip(ref)).toBeUndefined();
    const refused = await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(refused)).toContain("no longer accepts");

    // The tip is gone: /unblock T-… cannot find the reader, the block reference can.
    h.clock.advance(8 * DAY_MS);
    expect(textOfCall(await staffSays(h, staff, `/unblock ${ref}`))).toContain(`No tip ${ref}`);
    expect(textOfCall(await staffSays(h, staff, `/unblock ${blockRef!.toLowerCase()}`))).toContain("Block lifted");
    expect(textOfCall(await staffSays(h, staff, `/unblock ${blockRef}`))).toContain(`No block ${blockRef}`);
    const intro = await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(intro)).toContain("Send us a tip");
  });
});
