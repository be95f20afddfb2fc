import type { Telegraf } from "telegraf";
import type { Sleep } from "../delivery/time.js";
import { COMMAND_MENU } from "../i18n/commands.js";
import type { Lang } from "../i18n/index.js";
import type { Logger } from "../log.js";
import { telegramErrorCode } from "../telegram/errors.js";
import type { NewsdeskContext } from "./context.js";

/** getMe until Telegram answers (it may be briefly unreachable at boot); the token is never logged. */
export async function waitForTelegram(bot: Telegraf<NewsdeskContext>, logger: Logger, sleep: Sleep, signal: AbortSignal): Promise<void> {
  for (let delayMs = 1000; !signal.aborted; delayMs = Math.min(delayMs * 2, 60_000)) {
    try {
      bot.botInfo = await bot.telegram.getMe();
      return;
    } catch (err) {
      const code = telegramErrorCode(err);
      if (code === 401 || code === 404) throw new Error("Telegram refused the bot token (401/404): check BOT_TOKEN");
      logger.warn({ err, retryInMs: delayMs }, "Telegram unreachable; retrying");
      await sleep(delayMs, signal);
    }
  }
}

/** setMyCommands for the default language and for each language code. */
export async function registerCommands(bot: Telegraf<NewsdeskContext>, defaultLang: Lang): Promise<void> {
  await bot.telegram.setMyCommands(COMMAND_MENU[defaultLang]);
  await bot.telegram.setMyCommands(COMMAND_MENU["zh-CN"], { language_code: "zh" });
  await bot.telegram.setMyCommands(COMMAND_MENU.en, { language_code: "en" });
}
