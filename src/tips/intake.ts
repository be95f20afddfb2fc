import type { Message } from "telegraf/types";
import { z } from "zod";
import type { NewsdeskContext } from "../bot/context.js";
import { anonKeyboard, contactKeyboard, queryKeyboard } from "./buttons.js";
import { DAY_MS, HOUR_MS, type TipDeps } from "./deps.js";
import { kindCounts, tipItemOf } from "./message.js";
import type { Draft, PendingItem, TipItem, TipRecord } from "./records.js";
import { newTipRef } from "./ref.js";
import { showDraftStatus } from "./status-message.js";

/** Callback data of the anonymity buttons: `tip:anon:1` (stay anonymous) or `tip:anon:0` (show name). */
export const AnonChoiceSchema = z
  .string()
  .regex(/^tip:anon:[01]$/)
  .transform((s) => ({ anonymous: s.endsWith("1") }));

/** What the reader-side handlers may hand over to the rest of the bot. */
export interface TipIntakeOptions {
  /** Runs a search for the reader ("search instead"); without it the reader is told how to search. */
  search?: ((ctx: NewsdeskContext, text: string) => Promise<void>) | undefined;
  /** True for text the reader obviously means as a query (a topic's name or keyword). */
  looksLikeQuery?: ((text: string) => boolean) | undefined;
}

/** At most this many code points and two words, no sentence punctuation: a line that reads like a search. */
const SHORT_LINE_CHARS = 12;

/** True (and the reader told once) when the reader is blocked from the tip line. */
export async function blockedGate(deps: TipDeps, ctx: NewsdeskContext): Promise<boolean> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) return true;
  const block = await deps.repo.getBlock(chatId);
  if (!block) return false;
  if (!block.told) {
    await deps.repo.markBlockTold(block.blockRef);
    await ctx.reply(ctx.m.tipBlocked());
  }
  return true;
}

/** Tells the reader, once, that their unfinished tip expired (the sweep may have told them already). */
export async function noticeExpired(deps: TipDeps, ctx: NewsdeskContext): Promise<void> {
  if (ctx.chat?.type !== "private") return;
  const expired = await deps.repo.takeExpiredDraft(ctx.chat.id);
  if (expired && expired.items.length > 0) await ctx.reply(ctx.m.tipDraftExpired({ count: expired.items.length, draftHours: deps.limits.draftHours }));
}

/** `/tip`, `/tips`, `/start tip`: opens a draft (or reminds of the open one) and explains the line. */
export async function startTip(deps: TipDeps, ctx: NewsdeskContext): Promise<void> {
  const chat = ctx.chat;
  if (!chat || chat.type !== "private") {
    await ctx.reply(ctx.m.notInGroup());
    return;
  }
  if (await blockedGate(deps, ctx)) return;
  await noticeExpired(deps, ctx);
  const now = deps.clock.now();
  const draft = await deps.repo.updateDraft(chat.id, (d) =>
    Promise.resolve(
      d
        ? { result: d }
        : {
            draft: { startedAt: now, expiresAt: now + deps.limits.draftHours * HOUR_MS, anonymous: true, items: [], ackedAlbums: [], lang: ctx.lang },
            result: undefined,
          },
    ),
  );
  if (draft && draft.items.length > 0) {
    await ctx.reply(ctx.m.tipDraftOpen({ count: draft.items.length }), { reply_markup: anonKeyboard(ctx.m, draft.anonymous) });
    return;
  }
  await ctx.reply(ctx.m.tipIntro({ ...deps.contact, maxAttachments: deps.limits.maxAttachments }), {
    parse_mode: "HTML",
    link_preview_options: { is_disabled: true },
    reply_markup: anonKeyboard(ctx.m, draft?.anonymous ?? true),
  });
}

/** The anonymity buttons. */
export async function chooseAnonymity(deps: TipDeps, ctx: NewsdeskContext, anonymous: boolean): Promise<void> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) {
    await ctx.answerCbQuery(ctx.m.tipBadButton());
    return;
  }
  const found = await deps.repo.updateDraft(chatId, (d) =>
    Promise.resolve(d ? { draft: { ...d, anonymous }, result: true } : { result: false }),
  );
  if (!found) {
    await ctx.answerCbQuery(ctx.m.tipNoDraft());
    return;
  }
  await ctx.answerCbQuery(anonymous ? ctx.m.tipChoseAnonymous() : ctx.m.tipChoseNamed());
  await ctx.editMessageReplyMarkup(anonKeyboard(ctx.m, anonymous)).catch(() => undefined);
}

/** Why a message is held back with a question instead of joining the draft, or null. */
function questionFor(d: Draft, msg: Message, fromId: number | undefined, o: TipIntakeOptions): PendingItem["why"] | null {
  if ("contact" in msg && d.anonymous && fromId !== undefined && msg.contact.user_id === fromId) return "own-contact";
  if (!("text" in msg) || d.shortLinesAreTip) return null;
  if ("forward_origin" in msg && msg.forward_origin) return null;
  const text = msg.text.trim();
  if (text === "" || text.includes("\n") || /https?:\/\//i.test(text)) return null;
  if (o.looksLikeQuery?.(text)) return "query";
  // The first message after /tip is what the reader was just asked for.
  if (d.items.length === 0) return null;
  const short = [...text].length <= SHORT_LINE_CHARS && text.split(/\s+/).length <= 2 && !/[。！？!?.,，；;：:、]/.test(text);
  return short ? "query" : null;
}

type AddOutcome = "none" | "added" | "unsupported" | "too-many" | "too-long" | "quiet" | "ask-query" | "ask-contact";

/** Limits for one more item; null when it fits. */
function overLimit(deps: TipDeps, d: Draft, item: TipItem): "too-many" | "too-long" | null {
  if (d.items.length >= deps.limits.maxAttachments) return "too-many";
  const chars = d.items.reduce((sum, i) => sum + i.chars, 0);
  return chars + item.chars > deps.limits.maxTextChars ? "too-long" : null;
}

/**
 * A reader's message while a draft is open joins the tip (acknowledged on the status message), or
 * is held back with a question when it may not be meant for the tip; false when no draft is open.
 */
export async function addToDraft(deps: TipDeps, ctx: NewsdeskContext, o: TipIntakeOptions & { ask?: boolean } = {}): Promise<boolean> {
  const msg = ctx.message;
  const chatId = ctx.chat?.id;
  if (!msg || chatId === undefined) return false;
  const item = tipItemOf(msg);
  const now = deps.clock.now();
  const outcome = await deps.repo.updateDraft(chatId, (d): Promise<{ draft?: Draft; result: AddOutcome }> => {
    if (!d) return Promise.resolve({ result: "none" });
    // Refuse an album once, not once per picture.
    const refuse = (why: AddOutcome): { draft?: Draft; result: AddOutcome } =>
      item?.album === undefined
        ? { result: why }
        : d.ackedAlbums.includes(item.album)
          ? { result: "quiet" }
          : { draft: { ...d, ackedAlbums: [...d.ackedAlbums, item.album] }, result: why };
    if (!item) return Promise.resolve(refuse("unsupported"));
    const why = o.ask === false ? null : questionFor(d, msg, ctx.from?.id, o);
    if (why) {
      // Kept until answered (a few at most): the reader decides, nothing joins the tip unseen.
      const pending = [...(d.pending ?? []).filter((p) => p.id !== item.id), { ...item, why }].slice(-5);
      return Promise.resolve({ draft: { ...d, pending }, result: why === "query" ? "ask-query" : "ask-contact" });
    }
    const over = overLimit(deps, d, item);
    if (over) return Promise.resolve(refuse(over));
    const draft = { ...d, items: [...d.items, item], expiresAt: now + deps.limits.draftHours * HOUR_MS };
    return Promise.resolve({ draft, result: "added" });
  });
  const m = ctx.m;
  const max = outcome === "too-long" ? deps.limits.maxTextChars : deps.limits.maxAttachments;
  const quote = { reply_parameters: { message_id: msg.message_id, allow_sending_without_reply: true } };
  if (outcome === "none") return false;
  if (outcome === "added") await showDraftStatus(deps, ctx, chatId);
  else if (outcome === "ask-query" && "text" in msg)
    await ctx.reply(m.tipAskQuery({ text: msg.text.trim() }), { ...quote, reply_markup: queryKeyboard(m, msg.message_id) });
  else if (outcome === "ask-contact") await ctx.reply(m.tipAskOwnContact(), { ...quote, parse_mode: "HTML", reply_markup: contactKeyboard(m, msg.message_id) });
  else if (outcome === "unsupported") await ctx.reply(m.tipUnsupported());
  else if (outcome === "too-many") await ctx.reply(m.tipTooMany({ max }));
  else if (outcome === "too-long") await ctx.reply(m.tipTooLong({ max }));
  return true;
}

/** The reader's answer to a held-back message: it joins the tip, or it is left out (a search runs instead). */
export async function answerPending(
  deps: TipDeps,
  ctx: NewsdeskContext,
  choice: { add: boolean; search: boolean; messageId: number },
  o: TipIntakeOptions = {},
): Promise<void> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) {
    await ctx.answerCbQuery(ctx.m.tipBadButton());
    return;
  }
  const now = deps.clock.now();
  const outcome = await deps.repo.updateDraft(chatId, (d): Promise<{ draft?: Draft; result: "gone" | "too-many" | "too-long" | PendingItem }> => {
    const held = d?.pending?.find((p) => p.id === choice.messageId);
    if (!d || !held) return Promise.resolve({ result: "gone" });
    const pending = (d.pending ?? []).filter((p) => p.id !== held.id);
    if (!choice.add) return Promise.resolve({ draft: { ...d, pending }, result: held });
    const { why, ...item } = held;
    const over = overLimit(deps, d, item);
    if (over) return Promise.resolve({ draft: { ...d, pending }, result: over });
    const added: TipItem = why === "own-contact" ? { ...item, ownContact: true } : item;
    const items = [...d.items, added].sort((a, b) => a.id - b.id);
    const trust = why === "query" ? { shortLinesAreTip: true } : {};
    return Promise.resolve({ draft: { ...d, ...trust, pending, items, expiresAt: now + deps.limits.draftHours * HOUR_MS }, result: held });
  });
  const m = ctx.m;
  if (outcome === "gone") {
    await ctx.answerCbQuery(m.tipQuestionGone());
    await ctx.editMessageReplyMarkup(undefined).catch(() => undefined);
    return;
  }
  if (outcome === "too-many" || outcome === "too-long") {
    await ctx.answerCbQuery();
    await ctx.editMessageReplyMarkup(undefined).catch(() => undefined);
    await ctx.reply(outcome === "too-many" ? m.tipTooMany({ max: deps.limits.maxAttachments }) : m.tipTooLong({ max: deps.limits.maxTextChars }));
    return;
  }
  await ctx.answerCbQuery();
  if (choice.add) {
    await ctx.editMessageText(m.tipAddedToTip()).catch(() => undefined);
    await showDraftStatus(deps, ctx, chatId);
    return;
  }
  if (outcome.why === "own-contact") {
    await ctx.editMessageText(m.tipContactLeftOut()).catch(() => undefined);
    return;
  }
  const text = quotedText(ctx, choice.messageId);
  if (text && o.search) {
    await ctx.editMessageText(m.tipSearchingInstead({ text }), { parse_mode: "HTML" }).catch(() => undefined);
    await o.search(ctx, text);
  } else {
    await ctx.editMessageText(m.tipSearchHint({ text: text ?? "…" }), { parse_mode: "HTML" }).catch(() => undefined);
  }
}

/** The text of the reader's message the question quotes (Telegram sends it along with the button's message). */
function quotedText(ctx: NewsdeskContext, messageId: number): string | undefined {
  const question = ctx.callbackQuery?.message;
  const quoted = question && "reply_to_message" in question ? question.reply_to_message : undefined;
  return quoted && quoted.message_id === messageId && "text" in quoted ? quoted.text.trim() : undefined;
}

/** `/done`: stores the tip and queues it for the newsroom, then thanks the reader with the reference. */
export async function finishTip(deps: TipDeps, ctx: NewsdeskContext): Promise<void> {
  const chat = ctx.chat;
  const from = ctx.from;
  if (!chat || chat.type !== "private" || !from) return;
  if (await blockedGate(deps, ctx)) return;
  await noticeExpired(deps, ctx);
  let leftOut = 0;
  const sent = await deps.repo.updateDraft(chat.id, async (d): Promise<{ draft?: null; result: TipRecord | string }> => {
    if (!d) return { result: "no-draft" };
    if (d.items.length === 0) return { result: "empty" };
    if ((await deps.repo.sentLastHour(chat.id)) >= deps.limits.maxPerHour) return { result: "rate" };
    const now = deps.clock.now();
    const ref = await newTipRef((r) => deps.repo.refExists(r));
    const name = [from.first_name, from.last_name].filter(Boolean).join(" ");
    const tip: TipRecord = {
      ref,
      readerChatId: chat.id,
      lang: ctx.lang,
      anonymous: d.anonymous,
      ...(d.anonymous ? {} : { readerName: name, ...(from.username ? { readerUsername: from.username } : {}) }),
      createdAt: now,
      expiresAt: now + deps.limits.retentionDays * DAY_MS,
      items: d.items,
      status: "new",
      links: [],
      delivery: { copiedBatches: 0, done: false },
    };
    // Stored and queued before the reader hears "thank you": from here on a restart still delivers it.
    await deps.repo.createTip(tip);
    await deps.repo.enqueue({ ref, kind: "tip" });
    await deps.repo.recordSent(chat.id);
    if (ctx.message) await deps.repo.markSent(chat.id, { ref, doneMessageId: ctx.message.message_id, expiresAt: now + 10 * 60_000 });
    leftOut = d.pending?.length ?? 0;
    return { draft: null, result: tip };
  });
  if (sent === "no-draft") await ctx.reply(ctx.m.tipNoDraft());
  else if (sent === "empty") await ctx.reply(ctx.m.tipEmpty());
  else if (sent === "rate") await ctx.reply(ctx.m.tipRateLimited({ max: deps.limits.maxPerHour }));
  else if (typeof sent !== "string") {
    deps.kick();
    deps.logger.info(
      { ref: sent.ref, messages: sent.items.length, kinds: Object.fromEntries(kindCounts(sent.items)), anonymous: sent.anonymous },
      "tip stored",
    );
    const note = leftOut > 0 ? `\n\n${ctx.m.tipUnconfirmedLeftOut({ count: leftOut })}` : "";
    await ctx.reply(ctx.m.tipThanks({ ref: sent.ref, anonymous: sent.anonymous }) + note, { parse_mode: "HTML" });
  }
}

/** `/cancel`: drops the open draft. */
export async function cancelTip(deps: TipDeps, ctx: NewsdeskContext): Promise<void> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) return;
  const had = await deps.repo.updateDraft(chatId, (d) => Promise.resolve({ draft: null, result: d !== undefined }));
  await ctx.reply(had ? ctx.m.tipCancelled() : ctx.m.tipNoDraft());
}

/**
 * A reader's answer under an existing reference: `messageId` (a reply to a relayed message, copied
 * as is) or `text` (`/tip <ref> text`). Only the tip's own reader may answer; others learn nothing.
 */
export async function answerTip(
  deps: TipDeps,
  ctx: NewsdeskContext,
  ref: string,
  answer: { messageId: number } | { text: string },
): Promise<void> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) return;
  if (await blockedGate(deps, ctx)) return;
  const tip = await deps.repo.getTip(ref);
  if (!tip || tip.readerChatId !== chatId) {
    await ctx.reply(ctx.m.tipUnknownRef());
    return;
  }
  if ("text" in answer && answer.text.trim() === "") {
    await ctx.reply(ctx.m.tipAnswerUsage({ ref }));
    return;
  }
  if ("text" in answer && [...answer.text].length > deps.limits.maxTextChars) {
    await ctx.reply(ctx.m.tipTooLong({ max: deps.limits.maxTextChars }));
    return;
  }
  await deps.repo.enqueue(
    "text" in answer
      ? { ref, kind: "answer-text", text: answer.text }
      : { ref, kind: "answer", fromChatId: chatId, messageId: answer.messageId },
  );
  deps.kick();
  deps.logger.info({ ref }, "reader answer queued");
  await ctx.reply(ctx.m.tipAnswerSent({ ref }));
}

/** `/privacy`: what is kept and for how long. */
export async function privacy(deps: TipDeps, ctx: NewsdeskContext): Promise<void> {
  await ctx.reply(ctx.m.tipPrivacy({ retentionDays: deps.limits.retentionDays, draftHours: deps.limits.draftHours }), {
    parse_mode: "HTML",
  });
}
