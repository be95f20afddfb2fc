import type { Message } from "telegraf/types";
import type { NewsdeskContext } from "../bot/context.js";
import { staffVerdict } from "../bot/staff.js";
import { plainTextOfHtml } from "../delivery/html.js";
import { splitText, TELEGRAM_LIMITS } from "../delivery/text.js";
import { classifyTelegramError } from "../telegram/errors.js";
import { h } from "../i18n/escape.js";
import { messages, type Lang } from "../i18n/index.js";
import { statusWords } from "../i18n/tips.js";
import type { TipDeps } from "./deps.js";
import { takesCaption, textOf } from "./message.js";
import { TIP_STATUSES, type TipRecord, type TipStatus } from "./records.js";
import { parseBlockRef, parseTipRef } from "./ref.js";
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
  const first = cmd.args[0] ?? "";
  const blockRef = cmd.command === "unblock" ? parseBlockRef(first) : null;
  if (blockRef) {
    // By the block's own reference: works after the tip expired or the reader used /forget.
    const lifted = await deps.repo.unblock(blockRef);
    if (lifted) deps.logger.info({ blockRef }, "tip reader unblocked");
    await ctx.reply(lifted ? ctx.m.tipUnblockDone({ ref: blockRef }) : ctx.m.tipNotBlocked({ ref: blockRef }));
    return;
  }
  const ref = parseTipRef(first);
  const status = parseStatus(cmd.args.slice(1).join(" "));
  if (!ref || (cmd.command === "status" && !status)) {
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
    const block = await deps.repo.blockReader(tip.readerChatId, ref);
    deps.logger.info({ ref, blockRef: block.blockRef }, "tip reader blocked");
    await ctx.reply(ctx.m.tipBlockDone({ ref, blockRef: block.blockRef }), { parse_mode: "HTML" });
  } else {
    const block = await deps.repo.blockOfChat(tip.readerChatId);
    const lifted = block ? await deps.repo.unblock(block.blockRef) : false;
    if (lifted) deps.logger.info({ ref }, "tip reader unblocked");
    await ctx.reply(lifted ? ctx.m.tipUnblockDone({ ref }) : ctx.m.tipNotBlocked({ ref }));
  }
}

/** A status as staff may type it: the English keyword or a word of the newsroom's language (any case). */
export function parseStatus(input: string): TipStatus | undefined {
  const word = input.trim().toLowerCase();
  if (word === "") return undefined;
  return TIP_STATUSES.find((s) => s === word || statusWords[s].includes(word));
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
    // Staff may use all of Telegram's room (4096, captions 1024); under the label the text may no
    // longer fit, so it is split into more messages rather than refused (retrying would not help).
    const labelUnits = plainTextOfHtml(label).length + 2;
    const pieces = (text: string, firstUnits: number): string[] =>
      splitText(text, firstUnits, TELEGRAM_LIMITS.messageText).filter((piece, i) => i === 0 || piece.trim() !== "");
    if ("text" in msg) {
      for (const [i, piece] of pieces(msg.text, TELEGRAM_LIMITS.messageText - labelUnits).entries()) {
        const text = i === 0 ? `${label}\n\n${h(piece)}` : h(piece);
        sentIds.push((await ctx.telegram.sendMessage(reader, text, { parse_mode: "HTML" })).message_id);
      }
    } else if (takesCaption(msg)) {
      const caption = textOf(msg);
      const fits = caption.length <= TELEGRAM_LIMITS.caption - labelUnits;
      const copy = await ctx.telegram.copyMessage(reader, chat.id, msg.message_id, {
        caption: caption && fits ? `${label}\n\n${h(caption)}` : label,
        parse_mode: "HTML",
      });
      sentIds.push(copy.message_id);
      // A caption too long under the label follows the copy as text.
      for (const piece of caption && !fits ? pieces(caption, TELEGRAM_LIMITS.messageText) : []) {
        const reply = { reply_parameters: { message_id: copy.message_id, allow_sending_without_reply: true } };
        sentIds.push((await ctx.telegram.sendMessage(reader, h(piece), { parse_mode: "HTML", ...reply })).message_id);
      }
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
    const answer =
      failure.kind === "chat-gone"
        ? ctx.m.tipReaderGone({ ref })
        : failure.kind === "bad-request"
          ? ctx.m.tipRelayRefused({ ref })
          : ctx.m.tipRelayFailed({ ref });
    await ctx.reply(answer, reply);
    return true;
  }
  await deps.repo.link(ref, sentIds.map((id) => readerLink(reader, id)));
  deps.logger.info({ ref, messages: sentIds.length }, "newsroom reply relayed to reader");
  await ctx.reply(ctx.m.tipRelayed({ ref }), reply);
  return true;
}
