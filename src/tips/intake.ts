import type { InlineKeyboardMarkup } from "telegraf/types";
import { z } from "zod";
import type { NewsdeskContext } from "../bot/context.js";
import type { Messages } from "../i18n/index.js";
import { DAY_MS, HOUR_MS, type TipDeps } from "./deps.js";
import { kindCounts, tipItemOf } from "./message.js";
import type { Draft, TipRecord } from "./records.js";
import { newTipRef } from "./ref.js";

/** Callback data of the anonymity buttons: `tip:anon:1` (stay anonymous) or `tip:anon:0` (show name). */
export const AnonChoiceSchema = z
  .string()
  .regex(/^tip:anon:[01]$/)
  .transform((s) => ({ anonymous: s.endsWith("1") }));

function anonKeyboard(m: Messages, anonymous: boolean): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      [
        { text: m.tipButtonAnonymous({ selected: anonymous }), callback_data: "tip:anon:1" },
        { text: m.tipButtonNamed({ selected: !anonymous }), callback_data: "tip:anon:0" },
      ],
    ],
  };
}

/** True (and the reader told once) when the reader is blocked from the tip line. */
export async function blockedGate(deps: TipDeps, ctx: NewsdeskContext): Promise<boolean> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) return true;
  const block = await deps.repo.getBlock(chatId);
  if (!block) return false;
  if (!block.told) {
    await deps.repo.setBlock(chatId, { ...block, told: true });
    await ctx.reply(ctx.m.tipBlocked());
  }
  return true;
}

/** `/tip`, `/tips`, `/start tip`: opens a draft (or reminds of the open one) and explains the line. */
export async function startTip(deps: TipDeps, ctx: NewsdeskContext): Promise<void> {
  const chat = ctx.chat;
  if (!chat || chat.type !== "private") {
    await ctx.reply(ctx.m.notInGroup());
    return;
  }
  if (await blockedGate(deps, ctx)) return;
  const now = deps.clock.now();
  const draft = await deps.repo.updateDraft(chat.id, (d) =>
    Promise.resolve(
      d
        ? { result: d }
        : {
            draft: { startedAt: now, expiresAt: now + deps.limits.draftHours * HOUR_MS, anonymous: true, items: [], ackedAlbums: [] },
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
export async function chooseAnonymity(deps: TipDeps, ctx: NewsdeskContext, data: string): Promise<void> {
  const parsed = AnonChoiceSchema.safeParse(data);
  const chatId = ctx.chat?.id;
  if (!parsed.success || chatId === undefined) {
    await ctx.answerCbQuery();
    return;
  }
  const { anonymous } = parsed.data;
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

type AddOutcome = "none" | "added-first" | "added" | "unsupported" | "too-many" | "too-long" | "quiet";

/** A reader's message while a draft is open joins the tip; returns false when no draft is open. */
export async function addToDraft(deps: TipDeps, ctx: NewsdeskContext): Promise<boolean> {
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
    if (d.items.length >= deps.limits.maxAttachments) return Promise.resolve(refuse("too-many"));
    const chars = d.items.reduce((sum, i) => sum + i.chars, 0);
    if (chars + item.chars > deps.limits.maxTextChars) return Promise.resolve(refuse("too-long"));
    const draft = { ...d, items: [...d.items, item], expiresAt: now + deps.limits.draftHours * HOUR_MS };
    return Promise.resolve({ draft, result: d.items.length === 0 ? "added-first" : "added" });
  });
  const m = ctx.m;
  const max = outcome === "too-long" ? deps.limits.maxTextChars : deps.limits.maxAttachments;
  if (outcome === "none") return false;
  if (outcome === "added-first") await ctx.reply(m.tipReceived());
  else if (outcome === "unsupported") await ctx.reply(m.tipUnsupported());
  else if (outcome === "too-many") await ctx.reply(m.tipTooMany({ max }));
  else if (outcome === "too-long") await ctx.reply(m.tipTooLong({ max }));
  return true;
}

/** `/done`: stores the tip and queues it for the newsroom, then thanks the reader with the reference. */
export async function finishTip(deps: TipDeps, ctx: NewsdeskContext): Promise<void> {
  const chat = ctx.chat;
  const from = ctx.from;
  if (!chat || chat.type !== "private" || !from) return;
  if (await blockedGate(deps, ctx)) return;
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
    await ctx.reply(ctx.m.tipThanks({ ref: sent.ref, anonymous: sent.anonymous }), { parse_mode: "HTML" });
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

/** `/forget`: deletes the reader's tips, links and draft now (newsroom copies stay; the reader is told). */
export async function forget(deps: TipDeps, ctx: NewsdeskContext): Promise<void> {
  const chatId = ctx.chat?.id;
  if (chatId === undefined) return;
  const count = await deps.repo.forgetReader(chatId);
  await deps.onForget?.(chatId);
  deps.logger.info({ tips: count }, "reader data forgotten on request");
  await ctx.reply(ctx.m.tipForgotten({ count }));
}
