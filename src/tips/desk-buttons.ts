import type { InlineKeyboardMarkup } from "telegraf/types";
import { z } from "zod";
import type { Messages } from "../i18n/index.js";
import { TIP_REF_ALPHABET } from "./ref.js";
import { TIP_STATUSES, type TipStatus } from "./records.js";

const REF = `T-[${TIP_REF_ALPHABET}]{4,6}`;
const STATUS_CODES: Record<string, TipStatus> = { n: "new", c: "checking", p: "published", d: "declined" };
const codeOf = (status: TipStatus): string => status[0]!;

/**
 * Callback data of the newsroom's tip desk (`desk:…`), parsed by one schema:
 * `s:<ref>:<n|c|p|d>` sets a tip's status, `b:<ref>` blocks its reader (both on a tip card),
 * `p:<page>:<listed at, unix seconds in base 36>` turns a page of `/tips`.
 */
export const DeskButtonSchema = z
  .string()
  .max(64)
  .regex(new RegExp(`^desk:(s:${REF}:[ncpd]|b:${REF}|p:\\d{1,4}:[0-9a-z]{1,10})$`))
  .transform((s) => {
    const [, kind = "", a = "", b = ""] = s.split(":");
    switch (kind) {
      case "s":
        return { kind: "status" as const, ref: a, status: STATUS_CODES[b]! };
      case "b":
        return { kind: "block" as const, ref: a };
      default:
        return { kind: "page" as const, page: Number(a), listedAtMs: parseInt(b, 36) * 1000 };
    }
  });
export type DeskButton = z.infer<typeof DeskButtonSchema>;

/** The status and block buttons under a tip card, the current status marked (in the newsroom's language). */
export function cardKeyboard(m: Messages, ref: string, status: TipStatus, blocked: boolean): InlineKeyboardMarkup {
  const button = (s: TipStatus) => ({ text: m.tipDeskStatusButton({ status: s, current: s === status }), callback_data: `desk:s:${ref}:${codeOf(s)}` });
  const [fresh, checking, published, declined] = TIP_STATUSES;
  return {
    inline_keyboard: [
      [button(fresh), button(checking)],
      [button(published), button(declined)],
      [{ text: m.tipDeskBlockButton({ blocked }), callback_data: `desk:b:${ref}` }],
    ],
  };
}

/** Prev / next under a page of `/tips`; none when everything fits on one page. */
export function pageKeyboard(m: Messages, page: number, pages: number, listedAtMs: number): InlineKeyboardMarkup | undefined {
  if (pages <= 1) return undefined;
  const stamp = Math.floor(listedAtMs / 1000).toString(36);
  const row = [
    ...(page > 1 ? [{ text: m.tipListPrev(), callback_data: `desk:p:${page - 1}:${stamp}` }] : []),
    ...(page < pages ? [{ text: m.tipListNext(), callback_data: `desk:p:${page + 1}:${stamp}` }] : []),
  ];
  return { inline_keyboard: [row] };
}
