import type { Message } from "telegraf/types";
import type { NewsdeskContext } from "../bot/context.js";
import { staffVerdict } from "../bot/staff.js";
import { classifyTelegramError } from "../telegram/errors.js";
import { h } from "../i18n/escape.js";
import { messages, type Lang } from "../i18n/index.js";
import type { TipDeps } from "./deps.js";
import { takesCaption, textOf } from "./message.js";
import { TIP_STATUSES, type TipRecord, type TipStatus } from "./records.js";
import { parseTipRef } from "./ref.js";
import { newsroomLink, readerLink } from "./repo.js";

/** The message of a group message or channel post update. */
export function postOf(ctx: NewsdeskContext): Message | undefined {
  return ctx.message ?? ctx.channelPost;
}

/** A staff command (`/status@bot T-XXXXX checking`) in a message or channel post, or null. */
export function staffCommandOf(ctx: NewsdeskContext): { command: "status" | "block" | "unblock"; args: string[] } | null {
  const msg = postOf(ctx);
  if (!msg || !("text" in msg)) return null;
  const match = /^\/(status|block|unblock)(?:@(\w+))?(?:\s+([\s\S]*))?$/i.exec(msg.text.trim());
  if (!match) return null;
  const [, command, to, rest] = match;
  if (to && ctx.botInfo && to.toLowerCase() !== ctx.botInfo.username.toLowerCase()) return null;
  return { command: command!.toLowerCase() as "status" | "block" | "unblock", args: (rest ?? "").split(/\s+/).filter(Boolean) };
}

async function readerMessages(deps: TipDeps, tip: TipRecord): Promise<ReturnType<typeof messages>> {
  const lang: Lang = (await deps.langOf(tip.readerChatId).catch(() => undefined)) ?? tip.lang;
  return messages(lang);
}

/** Refuses a non-staff sender politely and logs the attempt (kind and reason, never content). */
export async function refuseUnlessStaff(deps: TipDeps, ctx: NewsdeskContext, action: string): Promise<boolean> {
  const verdict = staffVerdict(ctx, deps.policy);
  if (verdict.staff) return false;
  deps.logger.warn({ action, reason: verdict.reason, chatType: ctx.chat?.type }, "staff action refused");
  const msg = postOf(ctx);
  await ctx.reply(ctx.m.tipStaffOnly(), msg ? { reply_parameters: { message_id: msg.message_id, allow_sending_without_reply: true } } : {});
  return true;
}

/** `/status`, `/block`, `/unblock` from staff. */
export async function staffCommand(
  deps: TipDeps,
  ctx: NewsdeskContext,
  cmd: { command: "status" | "block" | "unblock"; args: string[] },
): Promise<void> {
  if (await refuseUnlessStaff(deps, ctx, cmd.command)) return;
  const ref = parseTipRef(cmd.args[0] ?? "");
  const status = TIP_STATUSES.find((s) => s === cmd.args[1]?.toLowerCase());
  if (!ref || (cmd.command === "status" && (!status || cmd.args.length !== 2))) {
    await ctx.reply(cmd.command === "status" ? ctx.m.tipStatusUsage() : ctx.m.tipBlockUsage());
    return;
  }
  const tip = await deps.repo.getTip(ref);
  if (!tip) {
    await ctx.reply(ctx.m.tipRefNotFound({ ref }));
    return;
  }
  if (cmd.command === "status" && status) {
    await setStatus(deps, ctx, tip, status);
    return;
  }
  if (cmd.command === "block") {
    await deps.repo.setBlock(tip.readerChatId, { ref, told: false });
    deps.logger.info({ ref }, "tip reader blocked");
    await ctx.reply(ctx.m.tipBlockDone({ ref }));
  } else {
    await deps.repo.setBlock(tip.readerChatId, null);
    deps.logger.info({ ref }, "tip reader unblocked");
    await ctx.reply(ctx.m.tipUnblockDone({ ref }));
  }
}

async function setStatus(deps: TipDeps, ctx: NewsdeskContext, tip: TipRecord, status: TipStatus): Promise<void> {
  await deps.repo.updateTip(tip.ref, (t) => ({ ...t, status }));
  const m = await readerMessages(deps, tip);
  try {
    await ctx.telegram.sendMessage(tip.readerChatId, m.tipStatusChanged({ ref: tip.ref, status }), { parse_mode: "HTML" });
  } catch (err) {
    deps.logger.warn({ ref: tip.ref, err: classifyTelegramError(err, tip.readerChatId) }, "could not tell the reader about a status");
  }
  deps.logger.info({ ref: tip.ref, status }, "tip status changed");
  await ctx.reply(ctx.m.tipStatusSet({ ref: tip.ref, status }));
}

/**
 * A reply in the newsroom chat to a card or a copy: relays the reply's content to the reader under
 * a "from the newsroom" label. The staff member's name is never included: text is re-sent by the
 * bot, media is copied (copies carry no author). Returns false when the reply is not about a tip.
 */
export async function relayReply(deps: TipDeps, ctx: NewsdeskContext): Promise<boolean> {
  const msg = postOf(ctx);
  const chat = ctx.chat;
  if (!msg || !chat || chat.id !== deps.policy.newsroomChatId || !("reply_to_message" in msg) || !msg.reply_to_message) return false;
  if ("text" in msg && msg.text.startsWith("/")) return false;
  const target = msg.reply_to_message;
  const ref = await deps.repo.linkedRef(newsroomLink(chat.id, target.message_id));
  const tip = ref ? await deps.repo.getTip(ref) : undefined;
  const reply = { reply_parameters: { message_id: msg.message_id, allow_sending_without_reply: true } };
  if (!ref || !tip) {
    // A reply to one of our own messages whose tip is gone: say so rather than stay silent.
    const fromBot = target.from?.id !== undefined && target.from.id === ctx.botInfo?.id;
    if (!fromBot) return false;
    if (await refuseUnlessStaff(deps, ctx, "relay")) return true;
    await ctx.reply(ctx.m.tipNoLongerKept(), reply);
    return true;
  }
  if (await refuseUnlessStaff(deps, ctx, "relay")) return true;
  const m = await readerMessages(deps, tip);
  const label = m.tipFromNewsroom({ ref });
  const reader = tip.readerChatId;
  const sentIds: number[] = [];
  try {
    if ("text" in msg) {
      sentIds.push((await ctx.telegram.sendMessage(reader, `${label}\n\n${h(msg.text)}`, { parse_mode: "HTML" })).message_id);
    } else if (takesCaption(msg)) {
      const caption = textOf(msg);
      const copy = await ctx.telegram.copyMessage(reader, chat.id, msg.message_id, {
        caption: caption ? `${label}\n\n${h(caption)}` : label,
        parse_mode: "HTML",
      });
      sentIds.push(copy.message_id);
    } else {
      const labelMsg = await ctx.telegram.sendMessage(reader, label, { parse_mode: "HTML" });
      sentIds.push(labelMsg.message_id);
      const copy = await ctx.telegram.copyMessage(reader, chat.id, msg.message_id, {
        reply_parameters: { message_id: labelMsg.message_id, allow_sending_without_reply: true },
      });
      sentIds.push(copy.message_id);
    }
  } catch (err) {
    const failure = classifyTelegramError(err, reader);
    deps.logger.warn({ ref, err: failure }, "relay to reader failed");
    await deps.repo.link(ref, sentIds.map((id) => readerLink(reader, id)));
    await ctx.reply(failure.kind === "chat-gone" ? ctx.m.tipReaderGone({ ref }) : ctx.m.tipRelayFailed({ ref }), reply);
    return true;
  }
  await deps.repo.link(ref, sentIds.map((id) => readerLink(reader, id)));
  deps.logger.info({ ref, messages: sentIds.length }, "newsroom reply relayed to reader");
  await ctx.reply(ctx.m.tipRelayed({ ref }), reply);
  return true;
}
