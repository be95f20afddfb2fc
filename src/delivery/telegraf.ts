import type { Telegram } from "telegraf";
import type { TelegramSender } from "./types.js";

/** Adapts telegraf's `Telegram` (e.g. `new Telegram(token, { apiRoot })` or `bot.telegram`) to the sender's seam. */
export function telegrafSender(telegram: Telegram): TelegramSender {
  return {
    // telegraf types callApi per method; the outbox carries methods as data, checked by Telegram itself.
    call: (method, payload) => telegram.callApi(method as never, payload as never),
  };
}
