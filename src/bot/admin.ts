import type { NewsdeskContext } from "./context.js";

/** Telegram's placeholder user for anonymous group admins ("GroupAnonymousBot"). */
export const ANONYMOUS_ADMIN_ID = 1087968824;

/**
 * True when the sender may change a chat's settings: anyone in a private chat; in groups only the
 * group's admins (an anonymous admin posts as the group itself); in channels the post itself proves it.
 */
export async function canManageChat(ctx: NewsdeskContext): Promise<boolean> {
  const chat = ctx.chat;
  if (!chat) return false;
  if (chat.type === "private") return true;
  if (chat.type === "channel") return ctx.channelPost !== undefined;
  const msg = ctx.message;
  if (msg && "sender_chat" in msg && msg.sender_chat?.id === chat.id) return true;
  const from = ctx.from;
  if (!from || from.is_bot) return false;
  const member = await ctx.telegram.getChatMember(chat.id, from.id);
  return member.status === "creator" || member.status === "administrator";
}
