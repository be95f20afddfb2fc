import type { Message, User } from "telegraf/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NS } from "../../src/store/keys.js";
import { startBotApiDouble, type BotApiDouble } from "../support/bot-api-double.js";
import { callbackQuery, command, privateText, supergroup, user } from "../support/updates.js";
import { manualClock, memoryStore, pushAndWait, runBot, sentTo, textOfCall, type Running } from "./harness.js";

const NEWSROOM = supergroup({ title: "编辑部" });
const DAY_MS = 86_400_000;

let double: BotApiDouble;
let running: Running | undefined;

beforeEach(async () => {
  double = await startBotApiDouble({ limits: { enabled: false } });
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await double.close();
});

async function sendTip(reader: User, text: string): Promise<string> {
  await pushAndWait(double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
  await pushAndWait(double, privateText(reader, text), sentTo(reader.id, "sendMessage"));
  const thanks = await pushAndWait(double, command(reader, "/done"), (c) => sentTo(reader.id)(c) && /T-[A-Z0-9]{4,6}/.test(textOfCall(c)));
  const ref = /T-[A-Z0-9]{4,6}/.exec(textOfCall(thanks))?.[0];
  if (!ref) throw new Error("no reference");
  await double.waitFor((c) => c.ok && c.method === "copyMessages" && Number(c.params.chat_id) === NEWSROOM.id && true);
  return ref;
}

function inNewsroom(from: User, text: string) {
  const update = command(from, text);
  (update.message as { chat: unknown }).chat = NEWSROOM;
  return update;
}

const staffSays = (from: User, text: string) => pushAndWait(double, inNewsroom(from, text), sentTo(NEWSROOM.id, "sendMessage"));

describe("status words in the newsroom's language", () => {
  it("Chinese staff read Chinese status words and may type them; the English keywords still work; readers read their own language", async () => {
    running = await runBot(double, { store: memoryStore(), newsroomChatId: NEWSROOM.id, newsroomLang: "zh-CN" });
    const reader = user({ language_code: "en" });
    const staff = user({ language_code: "zh-hans" });
    const ref = await sendTip(reader, "The ferry runs without a licence");

    const set = await staffSays(staff, `/status ${ref} 核实中`);
    expect(textOfCall(set)).toContain("核实中");
    expect(textOfCall(set)).not.toContain("checking");
    expect((await running.line.repo.getTip(ref))?.status).toBe("checking");
    const told = double.calls.filter(sentTo(reader.id, "sendMessage")).at(-1)!;
    expect(textOfCall(told)).toContain("being checked");

    const published = await staffSays(staff, `/status ${ref} published`);
    expect(textOfCall(published)).toContain("已发表");
    expect(textOfCall(published)).not.toContain("published");
    expect((await running.line.repo.getTip(ref))?.status).toBe("published");

    const usage = await staffSays(staff, `/status ${ref} 也许`);
    expect(textOfCall(usage)).toContain("核实中");
    expect((await running.line.repo.getTip(ref))?.status).toBe("published");
  });
});

describe("blocks outlive the tip and /forget, and never store the reader's id", () => {
  it("/block shows a block reference; /unblock B-… lifts it after the tip expired; /forget does not lift it", async () => {
    const clock = manualClock();
    const store = memoryStore();
    running = await runBot(double, { store, newsroomChatId: NEWSROOM.id, clock, limits: { retentionDays: 7 } });
    const reader = user({ id: 7_770_123_456, language_code: "en" });
    const staff = user();
    const ref = await sendTip(reader, "Spam spam spam");

    const blocked = await staffSays(staff, `/block ${ref}`);
    const blockRef = /B-[2-9A-HJKMNP-Z]{4,6}/.exec(textOfCall(blocked))?.[0];
    expect(blockRef, textOfCall(blocked)).toBeDefined();
    expect(textOfCall(blocked)).toContain(`/unblock ${blockRef}`);
    const keys: string[] = [];
    for await (const [key, value] of store.namespace(NS.tipBlocks).iterator!(undefined)) keys.push(`${String(key)} ${JSON.stringify(value)}`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join("\n")).not.toContain(String(reader.id));

    // The reader forgets everything: the block stays (else /forget would be a way around it).
    await pushAndWait(double, command(reader, "/forget"), sentTo(reader.id, "sendMessage"));
    const question: Message = double.sent(reader.id).at(-1)!.message;
    await pushAndWait(double, callbackQuery(reader, "tip:forget:tips", question), (c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c).includes("Deleted"));
    expect(await running.line.repo.getTip(ref)).toBeUndefined();
    const refused = await pushAndWait(double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(refused)).toContain("no longer accepts");

    // The tip is gone: /unblock T-… cannot find the reader, the block reference can.
    clock.advance(8 * DAY_MS);
    expect(textOfCall(await staffSays(staff, `/unblock ${ref}`))).toContain(`No tip ${ref}`);
    expect(textOfCall(await staffSays(staff, `/unblock ${blockRef!.toLowerCase()}`))).toContain("Block lifted");
    expect(textOfCall(await staffSays(staff, `/unblock ${blockRef}`))).toContain(`No block ${blockRef}`);
    const intro = await pushAndWait(double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(intro)).toContain("Send us a tip");
  });
});
