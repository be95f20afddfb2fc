import type { Telegraf } from "telegraf";
import type { AppConfig } from "../config/load.js";
import { helpCommand } from "../commands/help.js";
import { langCommand } from "../commands/lang.js";
import { startCommand } from "../commands/start.js";
import { createBot } from "./bot/bot.js";
import type { NewsdeskContext } from "./bot/context.js";
import { keyvLangStore } from "./bot/lang-store.js";
import { serveHttp } from "./http/serve.js";
import type { HttpServer } from "./http/server.js";
import { COMMAND_MENU } from "./i18n/commands.js";
import type { Logger } from "./log.js";
import { createMetrics, type Metrics } from "./metrics.js";
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
  /** Prometheus metrics served on /metrics; hand it to the poller, sender and tip intake. */
  metrics: Metrics;
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
  const metrics = createMetrics();

  const bot = createBot({
    token: config.botToken,
    apiRoot: config.apiRoot,
    defaultLang: config.locale,
    langs,
    logger,
    onUpdate: (kind, ok) => metrics.updateHandled(kind, ok),
    features: [startCommand({ outletName: config.name }), helpCommand(), langCommand(langs)],
  });

  let polling: Promise<void> | null = null;
  let http: HttpServer | null = null;
  return {
    bot,
    store,
    metrics,
    async start() {
      await registerCommands(bot, config.locale);
      logger.info({ mode: config.mode.kind, store: store.kind, feeds: config.feeds.length }, "starting");
      // /healthz and /metrics in both modes; in webhook mode the same server takes the updates.
      http = await serveHttp({
        mode: config.mode,
        port: config.httpPort,
        host: config.http.host,
        store,
        metrics,
        logger,
        bot,
      });
      if (config.mode.kind === "webhook") return;
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
      await http?.close();
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
