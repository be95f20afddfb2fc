import type { InlineKeyboardMarkup } from "telegraf/types";
import { z } from "zod";
import type { Messages } from "../i18n/index.js";

/**
 * Callback data of every tip-line button (`tip:…`), parsed by one schema: `anon:1|0` (anonymity),
 * `send` / `cancel` (the draft), `q:add|search:<message id>` (a short line: tip or search?),
 * `ct:add|skip:<message id>` (the reader's own contact), `forget:tips|all|no` (/forget).
 */
export const TipButtonSchema = z
  .string()
  .regex(/^tip:(anon:[01]|send|cancel|q:(add|search):\d{1,12}|ct:(add|skip):\d{1,12}|forget:(tips|all|no))$/)
  .transform((s) => {
    const [, kind = "", arg = "", id = ""] = s.split(":");
    switch (kind) {
      case "anon":
        return { kind: "anon" as const, anonymous: arg === "1" };
      case "send":
      case "cancel":
        return { kind };
      case "q":
      case "ct":
        return { kind: "pending" as const, add: arg === "add", search: arg === "search", messageId: Number(id) };
      default:
        return { kind: "forget" as const, scope: arg as "tips" | "all" | "no" };
    }
  });
export type TipButton = z.infer<typeof TipButtonSchema>;

export function anonKeyboard(m: Messages, anonymous: boolean): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      [
        { text: m.tipButtonAnonymous({ selected: anonymous }), callback_data: "tip:anon:1" },
        { text: m.tipButtonNamed({ selected: !anonymous }), callback_data: "tip:anon:0" },
      ],
    ],
  };
}

/** "Send it now" / "Drop it": on the running status message and on the reminder. */
export function draftKeyboard(m: Messages): InlineKeyboardMarkup {
  return {
    inline_keyboard: [[{ text: m.tipButtonSend(), callback_data: "tip:send" }, { text: m.tipButtonCancel(), callback_data: "tip:cancel" }]],
  };
}

export function queryKeyboard(m: Messages, messageId: number): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      [
        { text: m.tipButtonAddToTip(), callback_data: `tip:q:add:${messageId}` },
        { text: m.tipButtonSearchInstead(), callback_data: `tip:q:search:${messageId}` },
      ],
    ],
  };
}

export function contactKeyboard(m: Messages, messageId: number): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      [
        { text: m.tipButtonAddContact(), callback_data: `tip:ct:add:${messageId}` },
        { text: m.tipButtonSkipContact(), callback_data: `tip:ct:skip:${messageId}` },
      ],
    ],
  };
}

export function forgetKeyboard(m: Messages): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      [
        { text: m.tipButtonForgetTips(), callback_data: "tip:forget:tips" },
        { text: m.tipButtonForgetAll(), callback_data: "tip:forget:all" },
      ],
      [{ text: m.tipButtonForgetNo(), callback_data: "tip:forget:no" }],
    ],
  };
}
