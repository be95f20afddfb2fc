import { describe, expect, it } from "vitest";
import type { Message } from "telegraf/types";
import type { Harness } from "../e2e/harness.js";
import type { ApiCall } from "../support/bot-api-double.js";
import { command, photo, privateText, reply, supergroup, user } from "../support/updates.js";
import { pushAndWait, sentTo, startTipDesk, textOfCall } from "./harness.js";

// Staff may use all of Telegram's room; the "from the newsroom" label must not push the reply over it.
const NEWSROOM = supergroup({ title: "Newsroom" });
const reader = user({ first_name: "Wang", language_code: "en" });
const staff = user({ first_name: "Editor" });

/** Sends a one-line tip and returns the card the newsroom got. */
async function tipCard(h: Harness): Promise<Message> {
  await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
  await pushAndWait(
    h.double,
    privateText(reader, "The bridge on Haibin Road has cracks"),
    sentTo(reader.id, "sendMessage"),
  );
  await pushAndWait(
    h.double,
    command(reader, "/done"),
    (c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c).includes("Thank you"),
  );
  await h.double.waitFor(sentTo(NEWSROOM.id, "sendMessage"));
  return h.double.sent(NEWSROOM.id)[0]!.message;
}

const staffAnswer = (c: ApiCall) =>
  sentTo(NEWSROOM.id, "sendMessage")(c) && /Sent to the reader|refused|try again/.test(textOfCall(c));

describe.concurrent("relaying a staff reply as long as Telegram allows", () => {
  it("splits a 4,096-character reply into messages that each fit, in order, and tells staff it was sent", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id }, onTestFinished);
    const card = await tipCard(h);
    const words = Array.from({ length: 820 }, (_, i) => `w${String(i).padStart(3, "0")}`).join(" "); // 4,099 units
    const text = `${words.slice(0, 4094)}😀`; // 4,096 units, the most Telegram lets staff send
    expect(text.length).toBe(4096);
    const answer = await pushAndWait(h.double, reply(staff, text, card), staffAnswer);
    expect(textOfCall(answer)).toContain("Sent to the reader");
    const relayed = h.double.calls
      .filter(sentTo(reader.id, "sendMessage"))
      .filter(
        (c) => !textOfCall(c).includes("Thank you") && h.double.calls.indexOf(c) < h.double.calls.indexOf(answer),
      );
    const pieces = relayed
      .slice(-2)
      .map((c) =>
        h.double.sent(reader.id).find((m) => m.message.message_id === (c.result as Message).message_id)!,
      );
    expect(pieces).toHaveLength(2);
    for (const m of pieces) expect((m.message as Message.TextMessage).text.length).toBeLessThanOrEqual(4096);
    const [first, second] = pieces.map((m) => (m.message as Message.TextMessage).text);
    expect(first).toMatch(/^📨 From the newsroom, about your tip T-/);
    expect(first!.replace(/^[^\n]*\n\n/, "") + second).toBe(text);
    expect(h.double.calls.some((c) => !c.ok && c.method === "sendMessage")).toBe(false);
  });

  it("sends a 1,024-character caption after the copy when it no longer fits under the label", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id }, onTestFinished);
    const card = await tipCard(h);
    const caption = "c".repeat(1023) + "!";
    const shot = photo(staff, caption, { chat: NEWSROOM });
    (shot.message as Message.PhotoMessage).reply_to_message =
      card as Message.PhotoMessage["reply_to_message"];
    const done = await pushAndWait(h.double, shot, staffAnswer);
    expect(textOfCall(done)).toContain("Sent to the reader");
    const copy = h.double.calls.find(sentTo(reader.id, "copyMessage"))!;
    expect(String(copy.params.caption)).toMatch(/From the newsroom/);
    const rest = h.double.sent(reader.id).at(-1)!.message as Message.TextMessage;
    expect(rest.text).toBe(caption);
    expect(
      h.double.calls.some((c) => !c.ok && (c.method === "copyMessage" || c.method === "sendMessage")),
    ).toBe(false);
  });
});
