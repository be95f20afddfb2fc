import type { Telegraf, Telegram } from "telegraf";
import type { BotCommand, BotCommandScope } from "telegraf/types";
import type { Sleep } from "../delivery/time.js";
import { COMMAND_MENU, staffMenu, type MenuCommand } from "../i18n/commands.js";
import type { Lang } from "../i18n/index.js";
import type { Logger } from "../log.js";
import { telegramErrorCode } from "../telegram/errors.js";
import type { NewsdeskContext } from "./context.js";
import type { StaffPolicy } from "./staff.js";

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

/** What registerCommands needs besides the bot. */
export interface CommandMenuOptions {
  /** Language of the menus set without a language_code (clients in other languages). */
  defaultLang: Lang;
  /** The newsroom chat and the admins get the staff menu (read when called: a migrated newsroom's new id). */
  staff: Pick<StaffPolicy, "newsroomChatId" | "admins">;
  logger: Logger;
}

/** The menus per language_code: "" (every other language) in the default language, then zh and en. */
function byLanguage(defaultLang: Lang, menu: (lang: Lang) => MenuCommand[]): Array<{ languageCode: string; commands: BotCommand[] }> {
  const plain = (lang: Lang) => menu(lang).map(({ command, description }) => ({ command, description }));
  return [
    { languageCode: "", commands: plain(defaultLang) },
    { languageCode: "zh", commands: plain("zh-CN") },
    { languageCode: "en", commands: plain("en") },
  ];
}

/** One menu target: a scope (none: the default scope), how logs name it, and its list per language. */
interface MenuTarget {
  scope?: BotCommandScope;
  what: string;
  menu: (lang: Lang) => MenuCommand[];
}

/** Sets one target's lists (default language, zh, en); each failure is logged and counted, the rest still go. */
async function setMenus(telegram: Pick<Telegram, "setMyCommands">, target: MenuTarget, defaultLang: Lang, logger: Logger): Promise<number> {
  let failed = 0;
  for (const { languageCode, commands } of byLanguage(defaultLang, target.menu)) {
    try {
      await telegram.setMyCommands(commands, {
        ...(target.scope ? { scope: target.scope } : {}),
        ...(languageCode ? { language_code: languageCode } : {}),
      });
    } catch (err) {
      failed++;
      const hint = target.what.startsWith("newsroom.admins")
        ? "the admin must start a private chat with the bot; the menu is set when they send /start"
        : target.what === "newsroom"
          ? "check newsroom.chatId and that the bot is a member of that chat"
          : undefined;
      logger.warn({ err, menu: target.what, languageCode: languageCode || "default", ...(hint ? { hint } : {}) }, "setMyCommands failed");
    }
  }
  return failed;
}

/**
 * setMyCommands: the reader menu for everyone (default scope), and the staff menu (staff commands,
 * then reader ones) in the newsroom chat and in each admin's private chat, each in the default
 * language and in zh and en. One scope failing (an admin who never started the bot: "chat not
 * found") is logged and the others still go; resolves with the number of lists that failed.
 */
export async function registerCommands(bot: Telegraf<NewsdeskContext>, o: CommandMenuOptions): Promise<number> {
  const targets: MenuTarget[] = [{ what: "readers", menu: (lang) => COMMAND_MENU[lang] }];
  if (o.staff.newsroomChatId !== undefined)
    targets.push({ scope: { type: "chat", chat_id: o.staff.newsroomChatId }, what: "newsroom", menu: staffMenu });
  // Admin ids are not logged: an index says which entry of newsroom.admins to check.
  o.staff.admins.forEach((adminId, i) => targets.push(adminTarget(adminId, i)));
  let failed = 0;
  for (const target of targets) failed += await setMenus(bot.telegram, target, o.defaultLang, o.logger);
  return failed;
}

function adminTarget(adminId: number, index: number): MenuTarget {
  return { scope: { type: "chat", chat_id: adminId }, what: `newsroom.admins[${index}]`, menu: staffMenu };
}

/**
 * The staff menu in one admin's private chat, for when they start the bot after it registered its
 * menus (Telegram has no private chat with a user who never started the bot). No-op for non-admins.
 */
export async function registerAdminMenu(telegram: Pick<Telegram, "setMyCommands">, userId: number, o: CommandMenuOptions): Promise<void> {
  const index = o.staff.admins.indexOf(userId);
  if (index >= 0) await setMenus(telegram, adminTarget(userId, index), o.defaultLang, o.logger);
}
