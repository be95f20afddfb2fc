import { describe, expect, it } from "vitest";
import { callbackQuery, command, groupCommand, location, photo, privateText, reply, supergroup, user } from "../support/updates.js";
import { pushAndWait, sentTo, startTipDesk, textOfCall, until } from "./harness.js";

const NEWSROOM = supergroup({ title: "Newsroom" });
const TIP_TEXT = "The bridge on Haibin Road has cracks since Monday";
const STAFF_TEXT = "Could you tell us the exact spot?";
const ANSWER_TEXT = "Near the north entrance, by the bus stop";


const refOf = (text: string): string => {
  const ref = /T-[2-9A-HJKMNP-Z]{4,6}/.exec(text)?.[0];
  if (!ref) throw new Error("no tip reference in the thank-you");
  return ref;
};

describe.concurrent("tip line round trip", () => {
  it("delivers text + photo + location + album as one card plus copies, relays both ways, and logs nothing personal", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id, logLevel: "debug" }, onTestFinished);
    const reader = user({ first_name: "Wang", last_name: "Xiaoming", username: "wxm_whistle" });
    const staff = user({ first_name: "Editor", last_name: "Lihua" });

    const intro = await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(intro)).toContain("not end-to-end encrypted");
    expect(textOfCall(intro)).toContain("0631-5213515");
    expect(textOfCall(intro)).toContain("https://news.example/tips");
    expect(JSON.stringify(intro.params.reply_markup)).toContain("tip:anon:1");

    const ack = await pushAndWait(h.double, privateText(reader, TIP_TEXT), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(ack)).toContain("/done");
    h.double.pushUpdate(photo(reader, "cracks, seen from below"));
    h.double.pushUpdate(location(reader, 37.5, 122.1));
    for (let i = 0; i < 3; i++) h.double.pushUpdate(photo(reader, i === 0 ? "album" : undefined, { media_group_id: "album-1" }));
    await until(async () => (await h.app.tipLine.repo.getDraft(reader.id))?.items.length === 6);

    const thanks = await pushAndWait(h.double, command(reader, "/done"), (c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c).includes("Thank you"));
    const ref = refOf(textOfCall(thanks));

    const copies = await h.double.waitFor(sentTo(NEWSROOM.id, "copyMessages"));
    const cards = h.double.calls.filter(sentTo(NEWSROOM.id, "sendMessage"));
    expect(cards).toHaveLength(1);
    const card = cards[0]!;
    expect(h.double.calls.indexOf(card)).toBeLessThan(h.double.calls.indexOf(copies));
    expect(textOfCall(card)).toContain(ref);
    expect(textOfCall(card)).toContain("anonymous reader");
    expect(textOfCall(card)).toContain("text ×1, photo ×4, location ×1");
    expect(textOfCall(card)).toContain("Asia/Shanghai");
    expect(textOfCall(card)).not.toContain("Wang");
    expect(copies.params.from_chat_id).toBe(reader.id);
    const ids = copies.params.message_ids as number[];
    expect(ids).toHaveLength(6);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(h.double.calls.some((c) => c.method === "forwardMessage" || c.method === "forwardMessages")).toBe(false);
    const inNewsroom = h.double.sent(NEWSROOM.id);
    expect(inNewsroom.map((m) => m.kind)).toEqual(["text", "text", "photo", "location", "photo", "photo", "photo"]);
    expect(new Set(inNewsroom.slice(4).map((m) => m.mediaGroupId)).size).toBe(1);
    expect(inNewsroom[4]!.mediaGroupId).toBeDefined();

    // Staff answer by replying to a copy (not the card): the reader gets it, without the staff name.
    const photoCopy = inNewsroom[2]!.message;
    const relayed = await pushAndWait(h.double, reply(staff, STAFF_TEXT, photoCopy), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(relayed)).toContain("From the newsroom");
    expect(textOfCall(relayed)).toContain(ref);
    expect(textOfCall(relayed)).toContain(STAFF_TEXT);
    expect(JSON.stringify(relayed.params)).not.toMatch(/Editor|Lihua/);
    await h.double.waitFor((c) => sentTo(NEWSROOM.id, "sendMessage")(c) && textOfCall(c).includes("Sent to the reader"));

    // The reader answers with a Telegram reply: it lands under the card.
    const cardId = (card.result as { message_id: number }).message_id;
    const relayedMsg = h.double.sent(reader.id).at(-1)!.message;
    const answer = await pushAndWait(h.double, reply(reader, ANSWER_TEXT, relayedMsg), sentTo(NEWSROOM.id, "copyMessage"));
    expect(answer.params.reply_parameters).toMatchObject({ message_id: cardId });
    expect(answer.params.from_chat_id).toBe(reader.id);

    // …or with /tip <ref> words (reference in any case).
    const byCommand = await pushAndWait(h.double, command(reader, `/tip ${ref.toLowerCase()} also a second crack`), sentTo(NEWSROOM.id, "sendMessage"));
    expect(byCommand.params.reply_parameters).toMatchObject({ message_id: cardId });
    expect(textOfCall(byCommand)).toContain("also a second crack");
    expect(textOfCall(byCommand)).toContain(ref);

    // An answer as long as Telegram allows still reaches the newsroom (cut under the relay label).
    const longAnswer = `/tip ${ref} ${"很长的回答".repeat(900)}`.slice(0, 4096);
    const long = await pushAndWait(h.double, command(reader, longAnswer), (c) => sentTo(NEWSROOM.id, "sendMessage")(c) && textOfCall(c).includes("很长的回答"));
    expect(long.ok).toBe(true);
    expect(textOfCall(long)).toContain(ref);

    // A staff reply to the reader's answer goes to the reader too.
    const answerCopy = h.double.sent(NEWSROOM.id).find((m) => m.method === "copyMessage")!.message;
    await pushAndWait(h.double, reply(staff, "Thanks, we are on it", answerCopy), (c) => sentTo(reader.id, "sendMessage")(c) && textOfCall(c).includes("on it"));

    await h.app.tipLine.whenIdle();
    const logs = h.logs.join("");
    expect(logs).toContain(ref);
    for (const secret of [TIP_TEXT, "cracks, seen from below", STAFF_TEXT, ANSWER_TEXT, "second crack", "Wang", "Xiaoming", "wxm_whistle", "Lihua", h.double.token])
      expect(logs).not.toContain(secret);
  });

  it("/tips with 'show my name' puts the name and @username on the card", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id }, onTestFinished);
    const reader = user({ first_name: "Zhao", last_name: "Lei", username: "zhaolei" });
    await pushAndWait(h.double, command(reader, "/tips"), sentTo(reader.id, "sendMessage"));
    const introMsg = h.double.sent(reader.id).at(-1)!.message;
    const answered = await pushAndWait(h.double, callbackQuery(reader, "tip:anon:0", introMsg), (c) => c.method === "answerCallbackQuery");
    expect(String(answered.params.text)).toContain("will see your name");
    // Forged callback data is refused by the schema and changes nothing.
    await pushAndWait(h.double, callbackQuery(reader, "tip:anon:7", introMsg), (c) => c.method === "answerCallbackQuery");
    await pushAndWait(h.double, privateText(reader, "Water pipe burst"), sentTo(reader.id, "sendMessage"));
    await pushAndWait(h.double, command(reader, "/done"), (c) => sentTo(reader.id)(c) && textOfCall(c).includes("Thank you"));
    const card = await h.double.waitFor(sentTo(NEWSROOM.id, "sendMessage"));
    expect(textOfCall(card)).toContain("Zhao Lei (@zhaolei)");
  });

  it("/start tip opens the same flow, and an empty tip is refused politely", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id }, onTestFinished);
    const reader = user();
    const intro = await pushAndWait(h.double, command(reader, "/start tip"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(intro)).toContain("Send us a tip");
    const empty = await pushAndWait(h.double, command(reader, "/done"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(empty)).toContain("still empty");
    const cancelled = await pushAndWait(h.double, command(reader, "/cancel"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(cancelled)).toContain("dropped");
    const none = await pushAndWait(h.double, command(reader, "/done"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(none)).toContain("no tip open");
    expect(h.double.calls.filter(sentTo(NEWSROOM.id))).toHaveLength(0);
  });

  it("speaks the reader's language: a zh reader gets Chinese and the status change in Chinese", async ({ onTestFinished }) => {
    const h = await startTipDesk({ newsroomChatId: NEWSROOM.id }, onTestFinished);
    const reader = user({ language_code: "zh-hans" });
    const staff = user();
    const intro = await pushAndWait(h.double, command(reader, "/tip"), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(intro)).toContain("不是端到端加密");
    await pushAndWait(h.double, privateText(reader, "菜市场失火"), sentTo(reader.id, "sendMessage"));
    const thanks = await pushAndWait(h.double, command(reader, "/done"), (c) => sentTo(reader.id)(c) && textOfCall(c).includes("谢谢"));
    const ref = refOf(textOfCall(thanks));
    await h.double.waitFor(sentTo(NEWSROOM.id, "copyMessages"));
    const told = await pushAndWait(h.double, groupCommand(NEWSROOM, staff, `/status ${ref} checking`), sentTo(reader.id, "sendMessage"));
    expect(textOfCall(told)).toContain("核实中");
    expect((await h.app.tipLine.repo.getTip(ref))?.status).toBe("checking");
  });
});
