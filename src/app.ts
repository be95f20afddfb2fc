import type { Telegraf } from "telegraf";
import type { AppConfig } from "../config/load.js";
import { helpCommand } from "../commands/help.js";
import { langCommand } from "../commands/lang.js";
import { startCommand } from "../commands/start.js";
import { createBot } from "./bot/bot.js";
import type { NewsdeskContext } from "./bot/context.js";
import { keyvLangStore } from "./bot/lang-store.js";
import { COMMAND_MENU } from "./i18n/commands.js";
import type { Logger } from "./log.js";
import { openStore, type Store } from "./store/index.js";

export interface AppDeps {
  config: AppConfig;
  logger: Logger;
  /** An already open store (tests); otherwise opened from `config.storeUrl`. */
  store?: Store;
}

export interface App {
  bot: Telegraf<NewsdeskContext>;
  store: Store;
  /** Registers commands, then long-polls (or serves the webhook) until stop(). */
  start(): Promise<void>;
  /** Stops taking updates, finishes in-flight work, closes the store. */
  stop(): Promise<void>;
}

/** The composition root: builds the real application, for `npm start` and for end-to-end tests alike. */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, logger } = deps;
  const store = deps.store ?? (await openStore(config.storeUrl));
  const langs = keyvLangStore(store.namespace("lang"));

  const bot = createBot({
    token: config.botToken,
    apiRoot: config.apiRoot,
    defaultLang: config.locale,
    langs,
    logger,
    features: [startCommand({ outletName: config.name }), helpCommand(), langCommand(langs)],
  });

  let polling: Promise<void> | null = null;
  return {
    bot,
    store,
    async start() {
      await registerCommands(bot, config.locale);
      logger.info({ mode: config.mode.kind, store: store.kind, feeds: config.feeds.length }, "starting");
      // launch() resolves only when polling stops; keep the promise to surface a fatal polling error.
      polling = bot.launch({ dropPendingUpdates: false }, () => {
        logger.info({ bot: bot.botInfo?.username }, "long polling started");
      });
      polling.catch((err: unknown) => logger.fatal({ err }, "polling stopped with an error"));
    },
    async stop() {
      if (polling) {
        bot.stop("shutdown");
        await polling.catch(() => undefined);
      }
      await store.close();
    },
  };
}

/** setMyCommands for the default language and for each language code. */
async function registerCommands(bot: Telegraf<NewsdeskContext>, defaultLang: "zh-CN" | "en"): Promise<void> {
  await bot.telegram.setMyCommands(COMMAND_MENU[defaultLang]);
  await bot.telegram.setMyCommands(COMMAND_MENU["zh-CN"], { language_code: "zh" });
  await bot.telegram.setMyCommands(COMMAND_MENU.en, { language_code: "en" });
}
