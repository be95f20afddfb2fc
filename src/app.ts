import type { AppConfig } from "../config/load.js";
import { botFeatures } from "../commands/index.js";
import { Library } from "./articles/library.js";
import { TopicRegistry } from "./articles/topic-registry.js";
import { createBot } from "./bot/bot.js";
import { chatLangs } from "./bot/lang-store.js";
import { ChatRepo } from "./chats/repo.js";
import { deliveryEventLogger } from "./delivery/sender-options.js";
import { realSleep, systemClock, type Clock, type Sleep } from "./delivery/time.js";
import { DigestRunner } from "./distribution/digest.js";
import { Distribution } from "./distribution/distribution.js";
import { ArticleRenderer } from "./distribution/render.js";
import type { Logger } from "./log.js";
import { createMetrics, meteredSends } from "./metrics.js";
import { loadNewsroom } from "./newsroom/policy.js";
import { openRuntime } from "./runtime/index.js";
import { NS } from "./store/keys.js";
import { openStore, type Store } from "./store/index.js";
import { telegramClients } from "./telegram/clients.js";
import { createTipLine } from "./tips/index.js";
import { chatDataEraser } from "./tips/chat-data.js";
import { createFeedRegistry, createFeedScheduler } from "./app/feeds.js";
import { runApp, type App } from "./app/run.js";

export type { App } from "./app/run.js";

export interface AppDeps {
  config: AppConfig;
  logger: Logger;
  /** An already open store (tests); otherwise opened from `config.storeUrl`. */
  store?: Store;
  /** Time and sleep (tests inject fakes). Default: the real ones. */
  clock?: Clock;
  sleep?: Sleep;
  /** Knobs of several instances (NEWSDESK_LEASE_MS…, docs/cluster.md); main passes process.env. Default none. */
  env?: NodeJS.ProcessEnv;
  /** Called when the app cannot go on (polling refused for good); main exits. */
  onFatal?: (err: unknown) => void;
}

/** The composition root: builds the real application, for `npm start` and for end-to-end tests alike. */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const sleep = deps.sleep ?? realSleep;
  const now = () => clock.now();
  const store = deps.store ?? (await openStore(config.storeUrl, { onError: (err) => logger.error({ err }, "store error") }));
  const runtime = await openRuntime(config, store, { logger, clock, sleep, env: deps.env ?? {} });
  const metrics = createMetrics();
  const newsroom = await loadNewsroom(config.newsroom, store.namespace(NS.settings), logger);
  const onChanged = (id: number) => runtime.publish({ kind: "chats", ids: [id] });
  const chats = new ChatRepo(store.namespace(NS.chats), { clock, onChanged, onMigrated: newsroom.chatMigrated });
  const langs = chatLangs(chats);
  const telegram = telegramClients(config.botToken, config.apiRoot, { pacing: runtime.pacing, clock, sleep, logger, metered: meteredSends(metrics) });
  const library = new Library(store.namespace(NS.articles), config.archive.retentionDays, now);
  // The live topic list: the YAML seeds it, staff change it from chat; other instances re-read on "topics".
  const topicRegistry = new TopicRegistry(store, config.topics, { now, lock: runtime.lock, onChanged: () => runtime.publish({ kind: "topics" }) });
  await topicRegistry.refresh();
  const topics = () => topicRegistry.list();
  const { relatedCount, summaryChars, retry } = config.delivery;
  const renderer = new ArticleRenderer({ topics, timeZone: config.timezone, defaultLang: config.locale, relatedCount, summaryChars, archive: library.archive, index: library.index, chats, now });
  const delivery = runtime.createDeliveryQueue({
    kv: store.namespace(NS.outbox),
    call: telegram.bulk([renderer.photoWatch, renderer.threadWatch]).call,
    chats,
    render: renderer.render,
    bundle: config.delivery.bundle.enabled ? { ...config.delivery.bundle, render: renderer.renderBundle } : undefined,
    retry,
    paidBroadcasts: config.delivery.paidBroadcast.broadcast || config.delivery.paidBroadcast.topics.length > 0,
    neverDrop: (id) => id === newsroom.policy.newsroomChatId,
    onEvent: deliveryEventLogger(logger),
  });
  // A forum group whose thread was closed is told so through the queue like any message to it.
  renderer.notices = delivery;
  metrics.setOutboxDepthSource(() => delivery.pendingCount());
  metrics.setBudgetSource(() => delivery.stats());
  const distribution = new Distribution({ topics, paidTopics: config.delivery.paidBroadcast.topics, relatedCount, index: library.index, chats, outbox: delivery, channel: renderer, handedOff: store.namespace(NS.handedOff), logger });
  const feedRegistry = createFeedRegistry(config, store, runtime, now);
  const scheduler = createFeedScheduler({ config, state: store.namespace(NS.feeds), registry: feedRegistry, library, distribution, delivery, runtime, metrics, newsroom: newsroom.policy, logger, now });
  const digests = new DigestRunner({ chats, index: library.index, outbox: delivery, state: store.namespace(NS.digests), timeZone: config.timezone, defaultLang: config.locale, logger, now, wasDistributed: (id) => distribution.wasDistributed(id) });
  const tipLine = createTipLine({
    store, telegram: telegram.tips, limits: config.tips, newsroom: config.newsroom, newsroomLang: config.locale, timezone: config.timezone, logger, clock, sleep,
    langOf: (id) => langs.get(id),
    forgetEverything: chatDataEraser({ chats, digests: store.namespace(NS.digests), outbox: store.namespace(NS.outbox), topics }),
    lock: runtime.lock,
    policy: newsroom.policy,
    onNewsroomMigrated: (id) => void newsroom.migrated(id).catch((err: unknown) => logger.error({ err }, "could not remember the newsroom migration")),
    onQueued: () => runtime.publish({ kind: "tips" }),
  });
  const features = botFeatures({ config, logger, store, chats, langs, index: library.index, library, renderer, delivery, scheduler, digests, tipLine, distribution, feedRegistry, topicRegistry, newsroomPolicy: newsroom.policy, now });
  const bot = createBot({ token: config.botToken, apiRoot: config.apiRoot, defaultLang: config.locale, langs, logger, makeTelegram: telegram.replies, onUpdate: (kind, ok) => metrics.updateHandled(kind, ok), features });
  return runApp({ config, logger, sleep, store, runtime, metrics, chats, library, renderer, delivery, scheduler, feedRegistry, topicRegistry, digests, tipLine, bot, newsroom: newsroom.policy, onFatal: deps.onFatal });
}
