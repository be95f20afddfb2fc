import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Message } from "telegraf/types";
import { startBotApiDouble, type BotApiDouble } from "../support/bot-api-double.js";
import { command, photo, privateText, reply, supergroup, user } from "../support/updates.js";
import { memoryStore, pushAndWait, runBot, sentTo, textOfCall, type Running } from "./harness.js";

// Staff may use all of Telegram's room; the "from the newsroom" label must not push the reply over it.
const NEWSROOM = supergroup({ title: "Newsroom" });
const reader = user({ first_name: "Wang", language_code: "en" });
const staff = user({ first_name: "Editor" });

let double: BotApiDouble;
let running: Running | undefined;

beforeEach(async () => {
  double = await startBotApiDouble({ limits: { enabled: false } });
  running = await runBot(double, { store: memoryStore(), newsroomChatId: NEWSROOM.id });
});
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await double.close();
});

/** Sends a one-line tip and returns the card the newsroom got. */
async function tipCard(): Promise<Message> {
  await pushAndWait(double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
  await pushAndWait(
    double,
    privateText(reader, "The bridge on Haibin Road has cracks"),
    sentTo(reader.id, "sendMessage"),
  );
  await pushAndWait(
    double,
    command(reader, "/done"),
    (c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c).includes("Thank you"),
  );
  await double.waitFor(sentTo(NEWSROOM.id, "sendMessage"));
  return double.sent(NEWSROOM.id)[0]!.message;
}

const staffAnswer = (c: Parameters<ReturnType<typeof sentTo>>[0]) =>
  sentTo(NEWSROOM.id, "sendMessage")(c) && /Sent to the reader|refused|try again/.test(textOfCall(c));

describe("relaying a staff reply as long as Telegram allows", () => {
  it("splits a 4,096-character reply into messages that each fit, in order, and tells staff it was sent", async () => {
    const card = await tipCard();
    const words = Array.from({ length: 820 }, (_, i) => `w${String(i).padStart(3, "0")}`).join(" "); // 4,099 units
    const text = `${words.slice(0, 4094)}😀`; // 4,096 units, the most Telegram lets staff send
    expect(text.length).toBe(4096);
    const answer = await pushAndWait(double, reply(staff, text, card), staffAnswer);
    expect(textOfCall(answer)).toContain("Sent to the reader");
    const relayed = double.calls
      .filter(sentTo(reader.id, "sendMessage"))
      .filter(
        (c) => !textOfCall(c).includes("Thank you") && double.calls.indexOf(c) < double.calls.indexOf(answer),
      );
    const pieces = relayed
      .slice(-2)
      .map((c) =>
        double.sent(reader.id).find((m) => m.message.message_id === (c.result as Message).message_id)!,
      );
    expect(pieces).toHaveLength(2);
    for (const m of pieces) expect((m.message as Message.TextMessage).text.length).toBeLessThanOrEqual(4096);
    const [first, second] = pieces.map((m) => (m.message as Message.TextMessage).text);
    expect(first).toMatch(/^📨 From the newsroom, about your tip T-/);
    expect(first!.replace(/^[^\n]*\n\n/, "") + second).toBe(text);
    expect(double.calls.some((c) => !c.ok && c.method === "sendMessage")).toBe(false);
  });

  it("sends a 1,024-character caption after the copy when it no longer fits under the label", async () => {
    const card = await tipCard();
    const caption = "c".repeat(1023) + "!";
    const shot = photo(staff, caption, { chat: NEWSROOM });
    (shot.message as Message.PhotoMessage).reply_to_message =
      card as Message.PhotoMessage["reply_to_message"];
    const done = await pushAndWait(double, shot, staffAnswer);
    expect(textOfCall(done)).toContain("Sent to the reader");
    const copy = double.calls.find(sentTo(reader.id, "copyMessage"))!;
    expect(String(copy.params.caption)).toMatch(/From the newsroom/);
    const rest = double.sent(reader.id).at(-1)!.message as Message.TextMessage;
    expect(rest.text).toBe(caption);
    expect(
      double.calls.some((c) => !c.ok && (c.method === "copyMessage" || c.method === "sendMessage")),
    ).toBe(false);
  });
});
