import type { AppConfig } from "../../config/load.js";
import type { Library } from "../articles/library.js";
import { formatDateTime } from "../delivery/text.js";
import type { Distribution } from "../distribution/distribution.js";
import { FeedRegistry } from "../feeds/registry.js";
import { FeedScheduler } from "../feeds/scheduler.js";
import { messages } from "../i18n/index.js";
import type { Logger } from "../log.js";
import type { Metrics } from "../metrics.js";
import type { DeliveryQueue, Runtime } from "../runtime/types.js";
import type { StaffPolicy } from "../bot/staff.js";
import { newsroomNotifier } from "../newsroom/notify.js";
import type Keyv from "keyv";
import type { Store } from "../store/index.js";

/** The live feed list: the YAML `feeds[]` seeds it, staff change it from chat (kept in the store). */
export function createFeedRegistry(config: AppConfig, store: Store, runtime: Pick<Runtime, "lock">, now: () => number): FeedRegistry {
  const seed = config.feeds.map((f) => ({ id: f.id, url: f.url, name: f.name ?? "", topics: f.topics }));
  return new FeedRegistry(store, seed, { now, lock: runtime.lock });
}

/** What the feed side needs: where articles go, and whom to tell when a feed is down. */
export interface FeedDeps {
  config: AppConfig;
  state: Keyv;
  /** Read at every round: feeds added or paused from chat apply at the next one. */
  registry: FeedRegistry;
  library: Library;
  distribution: Distribution;
  delivery: Pick<DeliveryQueue, "enqueue">;
  runtime: Pick<Runtime, "scheduleCron" | "publish" | "pollSucceeded">;
  metrics: Metrics;
  newsroom: StaffPolicy;
  logger: Logger;
  now: () => number;
}

/**
 * The poller and its one hand-off: archived articles join the library (and other instances hear
 * of them), new ones go to distribution, feed health goes to metrics and the newsroom.
 */
export function createFeedScheduler(d: FeedDeps): FeedScheduler {
  const { config, library, runtime, metrics, now } = d;
  const lang = config.locale;
  const feedName = (feed: { id: string; name: string }) => feed.name || feed.id;
  const tellNewsroom = newsroomNotifier(d.delivery, d.newsroom);
  return new FeedScheduler({
    feeds: d.registry,
    poll: config.poll,
    timeZone: config.timezone,
    store: d.state,
    archive: library.archive,
    now,
    logger: d.logger,
    ...(runtime.scheduleCron ? { scheduleCron: runtime.scheduleCron } : {}),
    onArchived: (articles) => {
      library.archived(articles);
      if (articles.length > 0) runtime.publish({ kind: "articles", ids: articles.map((a) => a.id) });
    },
    onPolled: (_id, result) => metrics.feedPolled(result),
    onRunFinished: (s) => {
      const ok = s.polled === 0 || s.failed < s.polled;
      metrics.pollRoundFinished((s.finishedAt - s.startedAt) / 1000, ok);
      if (ok) runtime.pollSucceeded(s.finishedAt);
    },
    classify: (feed, articles) => d.distribution.classify(articles, feed.topics),
    onNewArticles: async (_feed, articles) => {
      // Related links are chosen at hand-off: not before the space trained on the backlog serves.
      await library.relatedReady();
      await d.distribution.distribute(articles);
    },
    onFeedDown: (feed, health) =>
      tellNewsroom(
        messages(lang).feedDown({
          feed: feedName(feed),
          since: formatDateTime(health.failingSince ?? now(), config.timezone, lang),
          kind: health.lastErrorKind ?? "error",
          failures: health.consecutiveFailures,
        }),
      ),
    onFeedRecovered: (feed) => tellNewsroom(messages(lang).feedRecovered({ feed: feedName(feed) })),
  });
}
