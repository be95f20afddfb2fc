import type { AppConfig } from "../../config/load.js";
import type { Library } from "../articles/library.js";
import type { TopicRegistry } from "../articles/topic-registry.js";
import type { StaffPolicy } from "../bot/staff.js";
import { messages } from "../i18n/index.js";
import { BacklogWatch, newsroomNotifier } from "../newsroom/notify.js";
import type { NewsdeskBot } from "../bot/bot.js";
import { registerCommands, waitForTelegram } from "../bot/launch.js";
import type { ChatRepo } from "../chats/repo.js";
import type { Sleep } from "../delivery/time.js";
import { resolveChannel } from "../distribution/channel.js";
import type { DigestRunner } from "../distribution/digest.js";
import type { ArticleRenderer } from "../distribution/render.js";
import type { FeedRegistry } from "../feeds/registry.js";
import type { FeedScheduler } from "../feeds/scheduler.js";
import { serveHttp } from "../http/serve.js";
import type { HttpServer } from "../http/server.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { DeliveryQueue, Runtime } from "../runtime/types.js";
import type { Store } from "../store/index.js";
import type { TipLine } from "../tips/index.js";

/** The running application, as main and the end-to-end tests use it. */
export interface App {
  bot: NewsdeskBot;
  store: Store;
  /** Prometheus metrics served on /metrics. */
  metrics: Metrics;
  scheduler: FeedScheduler;
  /** The live feed list (the YAML seed plus what staff changed from chat). */
  feedRegistry: FeedRegistry;
  /** The live topic list (the YAML seed plus what staff changed from chat). */
  topics: TopicRegistry;
  /** The delivery queue (stats, whenIdle for tests). */
  delivery: DeliveryQueue;
  /** Tip line (whenIdle for tests). */
  tipLine: TipLine;
  /** Registers commands, then long-polls (or serves the webhook) until stop(). */
  start(): Promise<void>;
  /** Stops taking updates, finishes in-flight work, closes the store. */
  stop(): Promise<void>;
  /** Runs one digest round now (a timer does it every 30 s); returns the digests enqueued. For tests. */
  tickDigests(): Promise<number>;
  /** Checks the delivery backlog against `delivery.backlogAlertMinutes` now (the same timer does it). For tests. */
  checkBacklog(): Promise<void>;
}

/** The built parts, handed from createApp. */
export interface AppParts {
  config: AppConfig;
  logger: Logger;
  sleep: Sleep;
  store: Store;
  runtime: Runtime;
  metrics: Metrics;
  chats: ChatRepo;
  library: Library;
  renderer: ArticleRenderer;
  delivery: DeliveryQueue;
  scheduler: FeedScheduler;
  feedRegistry: FeedRegistry;
  topicRegistry: TopicRegistry;
  digests: DigestRunner;
  tipLine: TipLine;
  bot: NewsdeskBot;
  newsroom: StaffPolicy;
  onFatal?: ((err: unknown) => void) | undefined;
}

const DIGEST_TICK_MS = 30_000;

/**
 * Starts and stops the parts in one declared order. Start: state from the store (chats, the
 * outbox, the search index), the delivery queue, leadership (the tip queue runs on the leader),
 * Telegram, the channel's id (before the first poll, so no article misses the channel), the
 * poller with one poll at once, digests, the command menu, HTTP, then updates. Stop: the reverse.
 */
export function runApp(p: AppParts): App {
  const { config, logger, store, runtime, bot, scheduler, tipLine, delivery, digests } = p;
  let polling: Promise<void> | null = null;
  let http: HttpServer | null = null;
  let digestTimer: NodeJS.Timeout | undefined;
  const stopCtl = new AbortController();
  // The tip queue is one stored list: it runs on the leader only (one process always leads).
  runtime.whileLeader(() => {
    tipLine.start();
    return () => tipLine.stop();
  });
  const refreshTopics = () => void p.topicRegistry.refresh().catch((err: unknown) => logger.warn({ err }, "could not re-read the topics"));
  runtime.onChange((event) => {
    if (event.kind === "tips") tipLine.kick();
    if (event.kind === "topics") refreshTopics();
  });
  runtime.follow({ chats: p.chats, index: p.library, archive: p.library.archive });
  const tell = newsroomNotifier(delivery, p.newsroom);
  const staffWords = messages(config.locale);
  const backlog = new BacklogWatch({
    stats: () => delivery.stats(),
    boundSeconds: config.delivery.backlogAlertMinutes * 60,
    alert: (x) => tell(staffWords.backlogAlert(x)),
    recovered: () => tell(staffWords.backlogRecovered()),
  });

  async function start(): Promise<void> {
    const chats = await p.chats.load();
    const activeFeeds = (await p.feedRegistry.active()).length;
    logger.info({ mode: config.mode.kind, store: store.kind, runtime: runtime.kind, feeds: activeFeeds, chats: chats.loaded }, "starting");
    // 100k archived articles take tens of seconds to index on a small machine: the bot answers
    // meanwhile (searches see what is indexed so far), and new articles wait for it before their
    // related links are chosen (Library.relatedReady). Then the related-articles space trains in
    // the background, in slices; word matches serve until then.
    p.library.load().then(
      (articles) => {
        logger.info({ articles }, "archive indexed");
        p.library.index.prepareRelated().catch((err: unknown) => logger.error({ err }, "related-articles training failed"));
      },
      (err: unknown) => logger.error({ err }, "could not index the archive; searches see new articles only"),
    );
    p.renderer.channelPending = config.channel !== undefined;
    await delivery.start();
    logger.info({ pending: delivery.pendingCount() }, "delivery queue started");
    await runtime.start();
    await waitForTelegram(bot, logger, p.sleep, stopCtl.signal);
    p.renderer.botUsername = bot.botInfo?.username;
    p.renderer.channelId = await resolveChannel(config.channel?.chatId, bot.telegram, logger, p.sleep, stopCtl.signal);
    p.renderer.channelPending = false;
    if (stopCtl.signal.aborted) return;
    scheduler.start();
    // One round at once: news that came in while the bot was down does not wait for the next tick.
    // It waits for the archive to be indexed: both at once compete for the main thread and memory
    // (10,000 feeds beside 100k articles being indexed: 10 feeds timed out, and the peaks add up).
    if (config.poll.atStart && runtime.isLeader)
      void p.library
        .load()
        .catch(() => 0)
        .then(() => (stopCtl.signal.aborted ? undefined : scheduler.pollAll()))
        .catch((err: unknown) => logger.error({ err }, "first poll failed"));
    digestTimer = setInterval(() => {
      p.library.prune();
      // Pub/sub may lose a message: every instance re-reads the topics now and then.
      refreshTopics();
      if (!runtime.isLeader) return;
      digests.tick().catch((err: unknown) => logger.error({ err }, "digest tick failed"));
      backlog.check().catch((err: unknown) => logger.error({ err }, "backlog check failed"));
    }, DIGEST_TICK_MS);
    digestTimer.unref();
    registerCommands(bot, { defaultLang: config.locale, staff: p.newsroom, logger }).catch((err: unknown) => logger.warn({ err }, "setMyCommands failed"));
    // /healthz and /metrics in both modes; in webhook mode the same server takes the updates.
    http = await serveHttp({
      mode: config.mode,
      port: config.httpPort,
      host: config.http.host,
      store,
      metrics: p.metrics,
      logger,
      bot,
      deduper: runtime.deduper,
      health: {
        // Checked while feeds exist (YAML or added from chat); a bot with none is not "stale".
        lastPollSuccessAtMs: () => (p.feedRegistry.activeCount > 0 ? runtime.lastPollSuccessAtMs() : null),
        maxPollAgeMs: 3 * 3600_000,
        outboxDepth: () => delivery.pendingCount(),
      },
    });
    if (config.mode.kind === "webhook") return;
    // launch() resolves only when polling stops; it also deletes a stale webhook first. Updates are
    // queued per chat, so the next batch is fetched without waiting for this one's slowest update.
    bot.detached = true;
    polling = bot.launch({ dropPendingUpdates: false }, () => {
      logger.info({ bot: bot.botInfo?.username }, "long polling started");
    });
    polling.catch((err: unknown) => {
      logger.fatal({ err }, "polling stopped with an error");
      p.onFatal?.(err);
    });
  }

  async function stop(): Promise<void> {
    stopCtl.abort();
    if (polling) {
      bot.stop("shutdown");
      await polling.catch(() => undefined);
    }
    await bot.runner.whenIdle();
    clearInterval(digestTimer);
    // In parallel: a feed round being cut short must not delay recording the sends in flight.
    await Promise.all([scheduler.stop(), delivery.stop()]);
    await p.library.archive.flush().catch((err: unknown) => logger.warn({ err }, "could not write the archive's recent index"));
    // After the queue: the Redis runtime closes the connection the shared queue works on.
    await runtime.stop();
    await http?.close();
    await store.close();
  }

  return { bot, store, metrics: p.metrics, scheduler, feedRegistry: p.feedRegistry, topics: p.topicRegistry, delivery, tipLine, start, stop, tickDigests: () => digests.tick(), checkBacklog: () => backlog.check() };
}
