import type { Context } from "telegraf";
import type { Lang, Messages } from "../i18n/index.js";

/** The context every handler sees: telegraf's, plus the chat's language and its messages. */
export interface NewsdeskContext extends Context {
  lang: Lang;
  m: Messages;
}
