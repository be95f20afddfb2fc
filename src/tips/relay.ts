import type { NewsdeskContext } from "../bot/context.js";
import { plainTextOfHtml } from "../delivery/html.js";
import { splitText, TELEGRAM_LIMITS } from "../delivery/text.js";
import { classifyTelegramError } from "../telegram/errors.js";
import { h } from "../i18n/escape.js";
import { statusWords } from "../i18n/tips.js";
import { changeStatus, refreshCard } from "./desk.js";
import { isTopicClosed } from "./forum.js";
import type { TipDeps } from "./deps.js";
import { takesCaption, textOf, tipKindOf } from "./message.js";
import { TIP_STATUSES, type TipStatus } from "./records.js";
import { parseBlockRef, parseTipRef } from "./ref.js";
import { newsroomLink, newsroomThreadLink, readerLink } from "./repo.js";
import { postOf, readerMessages, refuseUnlessStaff } from "./staff-gate.js";

export { postOf, refuseUnlessStaff } from "./staff-gate.js";

/** A staff command word: `/tips` is the newsroom's list of open tips (elsewhere it starts a tip). */
export type StaffCommand = "status" | "block" | "unblock" | "tips";

/** A staff command (`/status@bot T-XXXXX checking`, `/tips`) in a message or channel post, or null. */
export function staffCommandOf(ctx: NewsdeskContext): { command: StaffCommand; args: string[] } | null {
  const msg = postOf(ctx);
  if (!msg || !("text" in msg)) return null;
  const match = /^\/(status|block|unblock|tips)(?:@(\w+))?(?:\s+([\s\S]*))?$/i.exec(msg.text.trim());
  if (!match) return null;
  const [, command, to, rest] = match;
  if (to && ctx.botInfo && to.toLowerCase() !== ctx.botInfo.username.toLowerCase()) return null;
  return { command: command!.toLowerCase() as StaffCommand, args: (rest ?? "").split(/\s+/).filter(Boolean) };
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
    await changeStatus(deps, ctx, tip, status, () => ctx.reply(ctx.m.tipStatusSet({ ref: tip.ref, status })));
    return;
  }
  if (cmd.command === "block") {
    const block = await deps.repo.blockReader(tip.readerChatId, ref);
    deps.logger.info({ ref, blockRef: block.blockRef }, "tip reader blocked");
    await refreshCard(deps, ctx.telegram, tip);
    await ctx.reply(ctx.m.tipBlockDone({ ref, blockRef: block.blockRef }), { parse_mode: "HTML" });
  } else {
    const block = await deps.repo.blockOfChat(tip.readerChatId);
    const lifted = block ? await deps.repo.unblock(block.blockRef) : false;
    if (lifted) deps.logger.info({ ref }, "tip reader unblocked");
    if (lifted) await refreshCard(deps, ctx.telegram, tip);
    await ctx.reply(lifted ? ctx.m.tipUnblockDone({ ref }) : ctx.m.tipNotBlocked({ ref }));
  }
}

/** A status as staff may type it: the English keyword or a word of the newsroom's language (any case). */
export function parseStatus(input: string): TipStatus | undefined {
  const word = input.trim().toLowerCase();
  if (word === "") return undefined;
  return TIP_STATUSES.find((s) => s === word || statusWords[s].includes(word));
}

/**
 * A reply in the newsroom chat to a card or a copy, or any message in a tip's forum topic: relays
 * its content to the reader under a "from the newsroom" label. The staff member's name is never included: text is re-sent by the
 * bot, media is copied (copies carry no author). Returns false when the reply is not about a tip.
 */
export async function relayReply(deps: TipDeps, ctx: NewsdeskContext): Promise<boolean> {
  const msg = postOf(ctx);
  const chat = ctx.chat;
  if (!msg || !chat || chat.id !== deps.policy.newsroomChatId) return false;
  if ("text" in msg && msg.text.startsWith("/")) return false;
  const target = "reply_to_message" in msg ? msg.reply_to_message : undefined;
  // In a forum newsroom every message in a tip's topic is about that tip, a reply or not.
  const threadId = "is_topic_message" in msg && msg.is_topic_message === true ? msg.message_thread_id : undefined;
  const byReply = target ? await deps.repo.linkedRef(newsroomLink(chat.id, target.message_id)) : undefined;
  // Without a reply, only content counts: service messages (a topic closed, a pin) stay in the newsroom.
  const content = tipKindOf(msg) !== null || "sticker" in msg;
  if (!byReply && !content) return false;
  const ref = byReply ?? (threadId !== undefined ? await deps.repo.linkedRef(newsroomThreadLink(chat.id, threadId)) : undefined);
  const tip = ref ? await deps.repo.getTip(ref) : undefined;
  const reply = { reply_parameters: { message_id: msg.message_id, allow_sending_without_reply: true } };
  if (!ref || !tip) {
    // A reply to one of our own messages whose tip is gone: say so rather than stay silent. (In a
    // topic the bot opened, Telegram makes every message answer the topic's first message.)
    if (!target) return false;
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
  await ctx.reply(ctx.m.tipRelayed({ ref }), reply).catch((err: unknown) => {
    // Staff wrote in the closed topic of a published or declined tip: the reader has it all the same.
    if (!isTopicClosed(err)) throw err;
  });
  return true;
}
