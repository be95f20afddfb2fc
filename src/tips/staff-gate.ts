import type { Message } from "telegraf/types";
import type { NewsdeskContext } from "../bot/context.js";
import { staffVerdict } from "../bot/staff.js";
import { messages, type Lang, type Messages } from "../i18n/index.js";
import type { TipDeps } from "./deps.js";
import type { TipRecord } from "./records.js";

/** The message of a group message or channel post update. */
export function postOf(ctx: NewsdeskContext): Message | undefined {
  return ctx.message ?? ctx.channelPost;
}

/** The reader's messages: their chosen language, else the one stored with the tip. */
export async function readerMessages(deps: TipDeps, tip: TipRecord): Promise<Messages> {
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

/** The same check for a button press: refused with an alert, logged without the button's data. */
export async function refusePressUnlessStaff(deps: TipDeps, ctx: NewsdeskContext, action: string): Promise<boolean> {
  const verdict = staffVerdict(ctx, deps.policy);
  if (verdict.staff) return false;
  deps.logger.warn({ action, reason: verdict.reason, chatType: ctx.chat?.type }, "staff action refused");
  await ctx.answerCbQuery(ctx.m.tipStaffOnly(), { show_alert: true });
  return true;
}
