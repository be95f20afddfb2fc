import type { Context } from "telegraf";
import { ANONYMOUS_ADMIN_ID } from "./admin.js";

export interface StaffPolicy {
  /** The newsroom contact chat; undefined when not configured (then only admins are staff). */
  newsroomChatId: number | undefined;
  /** User ids that are staff from any chat. */
  admins: readonly number[];
}

export type StaffVerdict =
  | { staff: true; via: "admin" | "newsroom-member" | "newsroom-anonymous-admin" | "newsroom-channel" }
  | { staff: false; reason: "no-sender" | "unknown-sender-chat" | "not-staff" };

/**
 * Decides whether an update comes from newsroom staff. Unlike telegraf's `Composer.acl`, an update
 * without `from` never passes, except a post in the newsroom chat when that chat is a channel (only
 * its admins can post there). `forward_origin` is never consulted: a forwarded staff message proves nothing.
 */
export function staffVerdict(ctx: Context, policy: StaffPolicy): StaffVerdict {
  const chat = ctx.chat;
  const inNewsroom = chat !== undefined && policy.newsroomChatId !== undefined && chat.id === policy.newsroomChatId;
  if (ctx.channelPost) {
    return inNewsroom && chat?.type === "channel"
      ? { staff: true, via: "newsroom-channel" }
      : { staff: false, reason: "no-sender" };
  }
  const from = ctx.from;
  if (!from) return { staff: false, reason: "no-sender" };
  const msg = ctx.message ?? ctx.editedMessage;
  const senderChat = msg && "sender_chat" in msg ? msg.sender_chat : undefined;
  if (senderChat) {
    // Anonymous admins of the newsroom group post as the group itself; anyone else posting as a chat is unknown.
    if (inNewsroom && senderChat.id === policy.newsroomChatId && from.id === ANONYMOUS_ADMIN_ID)
      return { staff: true, via: "newsroom-anonymous-admin" };
    return { staff: false, reason: "unknown-sender-chat" };
  }
  if (from.is_bot) return { staff: false, reason: "not-staff" };
  if (policy.admins.includes(from.id)) return { staff: true, via: "admin" };
  if (inNewsroom) return { staff: true, via: "newsroom-member" };
  return { staff: false, reason: "not-staff" };
}

