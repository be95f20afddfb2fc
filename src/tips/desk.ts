import type { Telegram } from "telegraf";
import type { NewsdeskContext } from "../bot/context.js";
import { messages } from "../i18n/index.js";
import { classifyTelegramError } from "../telegram/errors.js";
import { cardKeyboard, DeskButtonSchema } from "./desk-buttons.js";
import { showTipPage } from "./desk-list.js";
import type { TipDeps } from "./deps.js";
import { isTopicNotModified, telegramDescription } from "./forum.js";
import { CLOSED_TIP_STATUSES, type TipRecord, type TipStatus } from "./records.js";
import { readerMessages, refusePressUnlessStaff } from "./staff-gate.js";

const isNotModified = (err: unknown): boolean => telegramDescription(err).includes("message is not modified");

/** Redraws a tip card's buttons with its current status (and whether its reader is blocked). */
export async function refreshCard(deps: TipDeps, telegram: Telegram, tip: TipRecord): Promise<void> {
  const chatId = deps.policy.newsroomChatId;
  const cardId = tip.delivery.cardMessageId;
  if (chatId === undefined || cardId === undefined || cardId === 0) return;
  const blocked = (await deps.repo.blockOfChat(tip.readerChatId)) !== undefined;
  const keyboard = cardKeyboard(messages(deps.newsroomLang), tip.ref, tip.status, blocked);
  try {
    await telegram.editMessageReplyMarkup(chatId, cardId, undefined, keyboard);
  } catch (err) {
    if (!isNotModified(err)) deps.logger.warn({ ref: tip.ref, err: classifyTelegramError(err, chatId) }, "could not update a tip card's buttons");
  }
}

/** Closes the tip's forum topic for a closing status, reopens it otherwise (no topic: nothing). */
async function syncTopic(deps: TipDeps, telegram: Telegram, tip: TipRecord): Promise<void> {
  const chatId = deps.policy.newsroomChatId;
  const threadId = tip.delivery.threadId ?? 0;
  if (chatId === undefined || threadId <= 0) return;
  const close = CLOSED_TIP_STATUSES.includes(tip.status);
  try {
    if (close) await telegram.closeForumTopic(chatId, threadId);
    else await telegram.reopenForumTopic(chatId, threadId);
    deps.logger.info({ ref: tip.ref, closed: close }, "tip topic synced with its status");
  } catch (err) {
    if (!isTopicNotModified(err)) deps.logger.warn({ ref: tip.ref, err: classifyTelegramError(err, chatId) }, "could not close or reopen a tip's topic");
  }
}

/**
 * Sets a tip's status from `/status` or a card button: stores it, tells the reader (in their
 * language), redraws the card's buttons and closes (published, declined) or reopens its forum
 * topic. `answer` tells staff; it runs while the topic is open, so an answer into it still goes.
 */
export async function changeStatus(deps: TipDeps, ctx: NewsdeskContext, tip: TipRecord, status: TipStatus, answer: () => Promise<unknown>): Promise<void> {
  const updated = (await deps.repo.updateTip(tip.ref, (t) => ({ ...t, status }))) ?? { ...tip, status };
  const m = await readerMessages(deps, tip);
  try {
    await ctx.telegram.sendMessage(tip.readerChatId, m.tipStatusChanged({ ref: tip.ref, status }), { parse_mode: "HTML" });
  } catch (err) {
    deps.logger.warn({ ref: tip.ref, err: classifyTelegramError(err, tip.readerChatId) }, "could not tell the reader about a status");
  }
  deps.logger.info({ ref: tip.ref, status }, "tip status changed");
  await refreshCard(deps, ctx.telegram, updated);
  const closing = CLOSED_TIP_STATUSES.includes(status);
  if (!closing) await syncTopic(deps, ctx.telegram, updated);
  await answer();
  if (closing) await syncTopic(deps, ctx.telegram, updated);
}

/** A press on a tip card's buttons or a `/tips` page button (staff only). */
export async function deskButton(deps: TipDeps, ctx: NewsdeskContext): Promise<void> {
  const parsed = DeskButtonSchema.safeParse(ctx.callbackQuery && "data" in ctx.callbackQuery ? ctx.callbackQuery.data : "");
  if (!parsed.success) {
    await ctx.answerCbQuery(ctx.m.tipBadButton(), { show_alert: true });
    return;
  }
  const button = parsed.data;
  if (await refusePressUnlessStaff(deps, ctx, `desk-${button.kind}`)) return;
  if (button.kind === "page") return showTipPage(deps, ctx, button.page, button.listedAtMs);
  const tip = await deps.repo.getTip(button.ref);
  if (!tip) {
    await ctx.answerCbQuery(ctx.m.tipDeskGone(), { show_alert: true });
    return;
  }
  if (button.kind === "block") {
    const block = await deps.repo.blockReader(tip.readerChatId, tip.ref);
    deps.logger.info({ ref: tip.ref, blockRef: block.blockRef }, "tip reader blocked");
    await refreshCard(deps, ctx.telegram, tip);
    await ctx.answerCbQuery(ctx.m.tipDeskBlockedToast({ ref: tip.ref, blockRef: block.blockRef }), { show_alert: true });
    return;
  }
  if (tip.status === button.status) {
    // Nothing changes and the reader hears nothing twice; the buttons may still be stale.
    await refreshCard(deps, ctx.telegram, tip);
    await ctx.answerCbQuery(ctx.m.tipDeskStatusUnchanged({ ref: tip.ref, status: tip.status }));
    return;
  }
  await changeStatus(deps, ctx, tip, button.status, () => ctx.answerCbQuery(ctx.m.tipDeskStatusToast({ ref: tip.ref, status: button.status })));
}
