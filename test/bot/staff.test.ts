import { Context } from "telegraf";
import type { Update, UserFromGetMe } from "telegraf/types";
import { describe, expect, it } from "vitest";
import { staffVerdict } from "../../src/bot/staff.js";

const NEWSROOM = -100500;
const policy = { newsroomChatId: NEWSROOM, admins: [42] };
const me = { id: 1, is_bot: true, first_name: "bot", username: "bot" } as UserFromGetMe;
const ctxOf = (update: object) => new Context(update as Update, {} as never, me);
const user = (id: number) => ({ id, is_bot: false, first_name: "U" });
const group = (id: number) => ({ id, type: "supergroup", title: "g" });
const msg = (chat: object, from?: object, extra: object = {}) => ({
  update_id: 1,
  message: { message_id: 1, date: 0, chat, ...(from ? { from } : {}), text: "/stats", ...extra },
});

describe("staffVerdict", () => {
  it("accepts members of the newsroom chat and configured admins anywhere", () => {
    expect(staffVerdict(ctxOf(msg(group(NEWSROOM), user(7))), policy)).toEqual({ staff: true, via: "newsroom-member" });
    expect(staffVerdict(ctxOf(msg({ id: 42, type: "private" }, user(42))), policy)).toEqual({ staff: true, via: "admin" });
  });

  it("refuses other users in other chats", () => {
    expect(staffVerdict(ctxOf(msg({ id: 7, type: "private" }, user(7))), policy).staff).toBe(false);
    expect(staffVerdict(ctxOf(msg(group(-100999), user(7))), policy).staff).toBe(false);
  });

  it("refuses a message without from, even in the newsroom group", () => {
    expect(staffVerdict(ctxOf(msg(group(NEWSROOM))), policy)).toEqual({ staff: false, reason: "no-sender" });
  });

  it("refuses a forged forward_origin claiming an admin", () => {
    const forged = msg({ id: 7, type: "private" }, user(7), {
      forward_origin: { type: "user", date: 0, sender_user: user(42) },
      forward_from: user(42),
    });
    expect(staffVerdict(ctxOf(forged), policy).staff).toBe(false);
  });

  it("accepts the newsroom group's anonymous admin but not another sender chat", () => {
    const anon = msg(group(NEWSROOM), { id: 1087968824, is_bot: true, first_name: "Group" }, { sender_chat: group(NEWSROOM) });
    expect(staffVerdict(ctxOf(anon), policy)).toEqual({ staff: true, via: "newsroom-anonymous-admin" });
    const asChannel = msg(group(NEWSROOM), { id: 136817688, is_bot: true, first_name: "Channel" }, {
      sender_chat: { id: -100777, type: "channel", title: "c" },
    });
    expect(staffVerdict(ctxOf(asChannel), policy)).toEqual({ staff: false, reason: "unknown-sender-chat" });
  });

  it("accepts channel posts only when the newsroom chat is that channel", () => {
    const post = (id: number) => ({
      update_id: 2,
      channel_post: { message_id: 1, date: 0, chat: { id, type: "channel", title: "c" }, text: "/stats" },
    });
    expect(staffVerdict(ctxOf(post(NEWSROOM)), policy)).toEqual({ staff: true, via: "newsroom-channel" });
    expect(staffVerdict(ctxOf(post(-100123)), policy).staff).toBe(false);
  });

  it("has no newsroom members when no newsroom chat is configured", () => {
    const p = { newsroomChatId: undefined, admins: [] };
    expect(staffVerdict(ctxOf(msg(group(NEWSROOM), user(7))), p).staff).toBe(false);
  });
});
