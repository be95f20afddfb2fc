import { Telegram, type Telegraf } from "telegraf";
import type { AppConfig } from "../config/load.js";
import { ArticleArchive } from "./articles/archive.js";
import { ArticleIndex } from "./articles/search.js";
import { createBot, type LangStore } from "./bot/bot.js";
import type { NewsdeskContext } from "./bot/context.js";
import { pacedTelegram } from "./bot/paced-telegram.js";
import type { ChatType } from "./chats/record.js";
import { ChatRepo } from "./chats/repo.js";
import { Cluster, clusterSettingsFromEnv } from "./cluster/index.js";
import { Outbox } from "./delivery/outbox.js";
import { Pacer } from "./delivery/pacer.js";
import { Sender } from "./delivery/sender.js";
import { telegrafSender } from "./delivery/telegraf.js";
import { realSleep, systemClock, type Clock, type Sleep } from "./delivery/time.js";
import type { RenderResult } from "./delivery/types.js";
import { DigestRunner } from "./distribution/digest.js";
import { Distribution } from "./distribution/distribution.js";
import { FeedScheduler } from "./feeds/scheduler.js";
import { serveHttp } from "./http/serve.js";
import type { HttpServer } from "./http/server.js";
import { messages } from "./i18n/index.js";
import type { Logger } from "./log.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { formatDateTime } from "./delivery/text.js";
import { openStore, type Store } from "./store/index.js";
import { botFeatures } from "./features.js";
import {
  followNewsroomMigration,
  metered,
  newsroomPolicy,
  registerCommands,
  resolveChannel,
  waitForTelegram,
} from "./app-support.js";
import { createTipLine, type TipLineOptions } from "./tips/index.js";

export interface AppDeps {
  config: AppConfig;
  logger: Logger;
  /** An already open store (tests); otherwise opened from `config.storeUrl`. */
  store?: Store;
  /** Time and sleep (tests inject fakes). Default: the real ones. */
  clock?: Clock;
  sleep?: Sleep;
  /** Called when the app cannot go on (polling refused for good); main exits. */
  onFatal?: (err: unknown) => void;
}

export interface App {
  bot: Telegraf<NewsdeskContext>;
  store: Store;
  /** Prometheus metrics served on /metrics. */
  metrics: Metrics;
  scheduler: FeedScheduler;
  sender: Sender;
  /** Registers commands, then long-polls (or serves the webhook) until stop(). */
  start(): Promise<void>;
  /** Stops taking updates, finishes in-flight work, closes the store. */
  stop(): Promise<void>;
  /** Runs one digest round now (a timer does it every 30 s); returns the digests enqueued. For tests. */
  tickDigests(): Promise<number>;
}

const DIGEST_TICK_MS = 30_000;

/** The composition root: builds the real application, for `npm start` and for end-to-end tests alike. */
export async function createApp(deps: AppDeps): Promise<App> {
  const { config, logger } = deps;
  const clock = deps.clock ?? systemClock;
  const sleep = deps.sleep ?? realSleep;
  const now = () => clock.now();
  const store = deps.store ?? (await openStore(config.storeUrl, { onError: (err) => logger.error({ err }, "store error") }));
  const metrics = createMetrics();
  // Several instances on one Redis (docs/cluster.md): update claims, one poller, a shared outbox.
  const cluster = store.kind === "redis" ? await Cluster.open(config.storeUrl, clusterSettingsFromEnv(process.env), logger) : undefined;

  const chatRepo = new ChatRepo(store.namespace("chats"), { clock, onChanged: (id) => cluster?.chatChanged(id) });
  // The newsroom chat and staff, shared by every staff check; a group that Telegram upgrades to a
  // supergroup gets a new id, which is remembered and followed everywhere.
  const newsroom = await newsroomPolicy(config, store.namespace("settings"), logger);
  const chats = followNewsroomMigration(chatRepo, newsroom.policy, newsroom.migrated);
  const langs: LangStore = {
    get: async (id) => (await chats.get(id))?.lang,
    set: async (chat, lang) => {
      await chats.ensure(chat.id, chat.type as ChatType);
      await chats.update(chat.id, (r) => {
        r.lang = lang;
      });
    },
  };
  const pacer = new Pacer(clock, {
    globalPerSecond: config.delivery.maxMessagesPerSecond,
    perChatIntervalMs: 1000 / config.delivery.privateChatPerSecond,
    groupPerMinute: config.delivery.groupPerMinute,
  });
  const outbox: Outbox = cluster
    ? cluster.createOutbox({
        kv: store.namespace("outbox"),
        telegram: { call: (method, payload) => bulkSender.call(method, payload) },
        chats,
        render: (chatId, payload): Promise<RenderResult> => distribution.render(chatId, payload),
        globalPerSecond: config.delivery.maxMessagesPerSecond,
        perChatIntervalMs: 1000 / config.delivery.privateChatPerSecond,
        groupPerMinute: config.delivery.groupPerMinute,
        retry: config.delivery.retry,
        neverDrop: (id) => id === newsroom.policy.newsroomChatId,
        onEvent: (e) => logger.info({ event: e.type, method: e.method, detail: e.detail }, "delivery event"),
        clock,
      })
    : new Outbox(store.namespace("outbox"), { clock });
  const archive = new ArticleArchive(store.namespace("articles"), { retentionDays: config.archive.retentionDays, now });
  const index = new ArticleIndex();
  const distribution = new Distribution({
    topics: config.topics,
    timeZone: config.timezone,
    defaultLang: config.locale,
    relatedCount: config.delivery.relatedCount,
    summaryChars: config.delivery.summaryChars,
    archive,
    index,
    chats,
    outbox,
    handedOff: store.namespace("handed_off"),
    logger,
    now,
  });

  // Bulk deliveries use their own client: the sender paces them itself.
  const bulkTelegram = new Telegram(config.botToken, { apiRoot: config.apiRoot });
  const bulkSender = metered(distribution.watchPhotos(telegrafSender(bulkTelegram)), metrics);
  const sender = new Sender({
    outbox,
    telegram: bulkSender,
    chats,
    render: distribution.render,
    pacer,
    clock,
    sleep,
    retry: config.delivery.retry,
    // A 403 from the newsroom chat (bot removed by mistake) must not drop waiting tips or alerts.
    neverDrop: (id) => id === newsroom.policy.newsroomChatId,
    onEvent: (e) =>
      (e.type === "transient" || e.type === "store-error" || e.type === "dead-letter" ? logger.warn : logger.info).call(
        logger,
        { event: e.type, method: e.method, chatType: e.chatId === undefined ? undefined : e.chatId > 0 ? "private" : "group", detail: e.detail },
        "delivery event",
      ),
  });
  metrics.setOutboxDepthSource(() => outbox.pendingCount());

  const newsroomLang = config.locale;
  const notifyNewsroom = async (text: string) => {
    const newsroomChatId = newsroom.policy.newsroomChatId;
    if (newsroomChatId === undefined) return;
    await outbox.enqueue({
      chatId: newsroomChatId,
      priority: "broadcast",
      payload: { kind: "call", method: "sendMessage", params: { text, parse_mode: "HTML" } },
    });
  };
  const feeds = config.feeds.map((f) => ({ id: f.id, url: f.url, name: f.name ?? "", topics: f.topics }));
  const feedName = (id: string) => config.feeds.find((f) => f.id === id)?.name ?? id;
  const scheduler = new FeedScheduler({
    feeds,
    poll: config.poll,
    timeZone: config.timezone,
    store: store.namespace("feeds"),
    archive,
    now,
    logger,
    // Every instance keeps its cron; node-cron's run coordinator lets only the lease holder poll.
    ...(cluster ? { scheduleCron: cluster.scheduleCron } : {}),
    onArchived: (articles) => {
      for (const a of articles) if (!index.has(a.id)) index.add(a);
      cluster?.articlesArchived(articles);
    },
    onPolled: (_id, result) => metrics.feedPolled(result),
    onRunFinished: (s) => {
      const ok = s.polled === 0 || s.failed < s.polled;
      metrics.pollRoundFinished((s.finishedAt - s.startedAt) / 1000, ok);
      // Only the poller polls: /healthz on every instance reads the shared time.
      if (ok) cluster?.pollSucceeded(s.finishedAt);
    },
    classify: (feed, articles) => distribution.classify(articles, feed.topics),
    onNewArticles: async (_feed, articles) => {
      await distribution.distribute(articles);
    },
    onFeedDown: (feed, health) =>
      notifyNewsroom(
        messages(newsroomLang).feedDown({
          feed: feedName(feed.id),
          since: formatDateTime(health.failingSince ?? now(), config.timezone, newsroomLang),
          kind: health.lastErrorKind ?? "error",
          failures: health.consecutiveFailures,
        }),
      ),
    onFeedRecovered: (feed) => notifyNewsroom(messages(newsroomLang).feedRecovered({ feed: feedName(feed.id) })),
  });
  const digests = new DigestRunner({
    chats,
    index,
    outbox,
    state: store.namespace("digests"),
    timeZone: config.timezone,
    defaultLang: config.locale,
    logger,
    now,
    wasDistributed: (id) => distribution.wasDistributed(id),
  });

  const tipOptions: TipLineOptions = {
    store,
    telegram: telegrafSender(bulkTelegram),
    limits: config.tips,
    newsroom: config.newsroom,
    newsroomLang,
    timezone: config.timezone,
    logger,
    langOf: (id) => langs.get(id),
    onForget: async (chatId) => {
      await chats.delete(chatId);
    },
    clock,
    sleep,
    pacer,
    ...(cluster ? { lock: cluster.keyedLock() } : {}),
    policy: newsroom.policy,
    onNewsroomMigrated: (id) => {
      newsroom.migrated(id).catch((err: unknown) => logger.error({ err }, "could not remember the newsroom migration"));
    },
  };
  const tipLine = createTipLine(tipOptions);
  cluster?.shareTips(tipLine.dispatcher, () => createTipLine(tipOptions).dispatcher, tipLine.repo);
  cluster?.follow({ chats, index, archive });

  const bot = createBot({
    token: config.botToken,
    apiRoot: config.apiRoot,
    defaultLang: config.locale,
    langs,
    logger,
    wrapTelegram: (t) => pacedTelegram(t, { pacer, clock, sleep, logger }),
    onUpdate: (kind, ok) => metrics.updateHandled(kind, ok),
    features: botFeatures({
      config,
      logger,
      store,
      chats,
      langs,
      index,
      outbox,
      scheduler,
      digests,
      tipLine,
      distribution,
      deliveryStats: () => cluster?.deliveryStats() ?? sender.stats(),
      newsroomPolicy: newsroom.policy,
      now,
    }),
  });
  // The bot's own client (getMe, setMyCommands, polling) waits out 429s like the handlers' clients.
  pacedTelegram(bot.telegram, { pacer, clock, sleep, logger });

  let polling: Promise<void> | null = null;
  let http: HttpServer | null = null;
  let digestTimer: NodeJS.Timeout | undefined;
  const stopCtl = new AbortController();
  return {
    bot,
    store,
    metrics,
    scheduler,
    sender,
    tickDigests: () => digests.tick(),
    async start() {
      const loadedChats = await chats.load();
      const loadedOutbox = await outbox.load();
      let articles = 0;
      const cutoff = now() - config.archive.retentionDays * 86_400_000;
      for await (const a of archive.all()) {
        if (a.firstSeenAt >= cutoff) {
          index.add(a);
          articles++;
        }
      }
      logger.info(
        { mode: config.mode.kind, store: store.kind, feeds: feeds.length, chats: loadedChats.loaded, pending: loadedOutbox, articles },
        "starting",
      );
      // The related-articles space trains in the background, in slices; word matches serve until then.
      index.prepareRelated().catch((err: unknown) => logger.error({ err }, "related-articles training failed"));
      distribution.channelPending = config.channel !== undefined;
      // With a cluster, the shared queue's worker replaces the sender and tips run on the leader only.
      if (cluster) await cluster.start();
      else {
        sender.start();
        tipLine.start();
      }
      await waitForTelegram(bot, logger, sleep, stopCtl.signal);
      // The channel's id is known before the first poll, so no new article misses the channel.
      distribution.channelId = await resolveChannel(config, bulkTelegram, logger, sleep, stopCtl.signal);
      distribution.channelPending = false;
      if (stopCtl.signal.aborted) return;
      scheduler.start();
      digestTimer = setInterval(() => {
        index.prune(now() - config.archive.retentionDays * 86_400_000);
        if (!cluster || cluster.isLeader) digests.tick().catch((err: unknown) => logger.error({ err }, "digest tick failed"));
      }, DIGEST_TICK_MS);
      digestTimer.unref();

      registerCommands(bot, config.locale).catch((err: unknown) => logger.warn({ err }, "setMyCommands failed"));
      // /healthz and /metrics in both modes; in webhook mode the same server takes the updates.
      http = await serveHttp({
        mode: config.mode,
        port: config.httpPort,
        host: config.http.host,
        store,
        metrics,
        logger,
        bot,
        ...(cluster ? { deduper: cluster.deduper } : {}),
        health: {
          lastPollSuccessAtMs: feeds.length > 0 ? () => cluster?.lastPollSuccessAtMs() ?? metrics.lastSuccessfulPollAtMs() : undefined,
          maxPollAgeMs: 3 * 3600_000,
          outboxDepth: () => outbox.pendingCount(),
        },
      });
      if (config.mode.kind === "webhook") return;
      // launch() resolves only when polling stops; it also deletes a stale webhook first.
      polling = bot.launch({ dropPendingUpdates: false }, () => {
        logger.info({ bot: bot.botInfo?.username }, "long polling started");
      });
      polling.catch((err: unknown) => {
        logger.fatal({ err }, "polling stopped with an error");
        deps.onFatal?.(err);
      });
    },
    async stop() {
      stopCtl.abort();
      if (polling) {
        bot.stop("shutdown");
        await polling.catch(() => undefined);
      }
      clearInterval(digestTimer);
      // In parallel: a feed round being cut short must not delay recording the sends in flight.
      await Promise.all([scheduler.stop(), sender.stop(), tipLine.stop()]);
      await http?.close();
      await cluster?.stop();
      await store.close();
    },
  };
}
