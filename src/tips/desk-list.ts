import type { InlineKeyboardMarkup } from "telegraf/types";
import type { NewsdeskContext } from "../bot/context.js";
import type { Messages } from "../i18n/index.js";
import { pageKeyboard } from "./desk-buttons.js";
import type { TipDeps } from "./deps.js";
import { telegramDescription } from "./forum.js";
import type { TipRecord } from "./records.js";
import { refuseUnlessStaff } from "./staff-gate.js";

/** Tips on one page of `/tips` (short enough for a phone screen). */
export const TIPS_PER_PAGE = 5;
/** A page button older than this answers "out of date" (the list has moved on). */
const LIST_VALID_MS = 24 * 3_600_000;

/** `https://t.me/c/<id>/<msg>`: a link staff can open to the card, in a (private) supergroup only. */
function cardLink(chatId: number | undefined, tip: TipRecord): string | undefined {
  const cardId = tip.delivery.cardMessageId;
  if (chatId === undefined || !cardId || !String(chatId).startsWith("-100")) return undefined;
  return `https://t.me/c/${String(chatId).slice(4)}/${cardId}`;
}

/** One page of open tips: the HTML and its prev / next buttons (`page` is clamped to the pages there are). */
export function renderTipPage(
  m: Messages,
  tips: readonly TipRecord[],
  page: number,
  o: { nowMs: number; listedAtMs: number; newsroomChatId: number | undefined },
): { text: string; keyboard: InlineKeyboardMarkup | undefined } {
  if (tips.length === 0) return { text: m.tipListEmpty(), keyboard: undefined };
  const pages = Math.ceil(tips.length / TIPS_PER_PAGE);
  const current = Math.min(Math.max(1, page), pages);
  const lines = tips.slice((current - 1) * TIPS_PER_PAGE, current * TIPS_PER_PAGE).map((tip) =>
    m.tipListLine({
      ref: tip.ref,
      link: cardLink(o.newsroomChatId, tip),
      age: m.tipAge({ minutes: Math.floor(Math.max(0, o.nowMs - tip.createdAt) / 60_000) }),
      status: tip.status,
      parts: tip.items.length,
    }),
  );
  const text = [m.tipListTitle({ count: tips.length, page: current, pages }), "", ...lines, "", m.tipListHint()].join("\n");
  return { text, keyboard: pageKeyboard(m, current, pages, o.listedAtMs) };
}

/** `/tips` in the newsroom: the first page of open tips, newest first (staff only). */
export async function listTips(deps: TipDeps, ctx: NewsdeskContext): Promise<void> {
  if (await refuseUnlessStaff(deps, ctx, "tips")) return;
  const now = deps.clock.now();
  const page = renderTipPage(ctx.m, await deps.repo.openTips(), 1, { nowMs: now, listedAtMs: now, newsroomChatId: deps.policy.newsroomChatId });
  await ctx.reply(page.text, { parse_mode: "HTML", link_preview_options: { is_disabled: true }, ...(page.keyboard ? { reply_markup: page.keyboard } : {}) });
}

/** A page button of `/tips` (the staff check is done): the list as it is now, on that page. */
export async function showTipPage(deps: TipDeps, ctx: NewsdeskContext, page: number, listedAtMs: number): Promise<void> {
  const now = deps.clock.now();
  // From the future or long ago: not a list this bot showed lately.
  if (listedAtMs > now + 60_000 || now - listedAtMs > LIST_VALID_MS) {
    await ctx.answerCbQuery(ctx.m.tipListExpired(), { show_alert: true });
    return;
  }
  const rendered = renderTipPage(ctx.m, await deps.repo.openTips(), page, { nowMs: now, listedAtMs, newsroomChatId: deps.policy.newsroomChatId });
  try {
    await ctx.editMessageText(rendered.text, {
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
      ...(rendered.keyboard ? { reply_markup: rendered.keyboard } : {}),
    });
  } catch (err) {
    if (!telegramDescription(err).includes("message is not modified")) throw err;
  }
  await ctx.answerCbQuery();
}
