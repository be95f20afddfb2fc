import type { Composer } from "telegraf";
import type { AppConfig } from "../config/load.js";
import { fallback, helpCommand } from "../commands/help.js";
import { langCommand } from "../commands/lang.js";
import { newsroomCommands } from "../commands/newsroom.js";
import { plainTextSearch, queryCommands } from "../commands/queries.js";
import { settingsCommands } from "../commands/settings.js";
import { startCommand } from "../commands/start.js";
import { subscribeTo, subscriptionCommands } from "../commands/subscriptions.js";
import { tipCountsByStatus } from "./app-support.js";
import type { ArticleIndex } from "./articles/search.js";
import type { LangStore } from "./bot/bot.js";
import type { NewsdeskContext } from "./bot/context.js";
import type { StaffPolicy } from "./bot/staff.js";
import type { ChatRepo } from "./chats/repo.js";
import type { Outbox } from "./delivery/outbox.js";
import type { DeliveryStats } from "./delivery/sender.js";
import type { DigestRunner } from "./distribution/digest.js";
import type { Distribution } from "./distribution/distribution.js";
import type { FeedScheduler } from "./feeds/scheduler.js";
import type { Logger } from "./log.js";
import type { Store } from "./store/index.js";
import type { TipLine } from "./tips/index.js";

export interface FeatureDeps {
  config: AppConfig;
  logger: Logger;
  store: Store;
  chats: ChatRepo;
  langs: LangStore;
  index: ArticleIndex;
  outbox: Outbox;
  scheduler: FeedScheduler;
  digests: DigestRunner;
  tipLine: TipLine;
  distribution: Distribution;
  deliveryStats: () => DeliveryStats;
  /** Shared, mutable: follows the newsroom group to a new id after a migration. */
  newsroomPolicy: StaffPolicy;
  now: () => number;
}

/**
 * The bot's features in the order they see an update: staff actions first (they only take what is
 * theirs), the tip line before anything that reads plain text, search on plain text last but one,
 * and a hint for whatever nobody took.
 */
export function botFeatures(d: FeatureDeps): Array<Composer<NewsdeskContext>> {
  const { config, logger, store, chats, langs, index, outbox, scheduler, digests, tipLine, distribution, now } = d;
  const subscriptionDeps = { chats, topics: config.topics };
  const queryDeps = { index, topics: config.topics, timeZone: config.timezone, queries: store.namespace<string>("queries") };
  return [
  tipLine.staff,
  newsroomCommands({
    policy: d.newsroomPolicy,
    topics: config.topics,
    feeds: config.feeds,
    chats,
    index,
    outbox,
    deliveryStats: d.deliveryStats,
    tipCounts: () => tipCountsByStatus(store),
    feedHealth: () => scheduler.health(),
    pollAll: () => scheduler.pollAll(),
    broadcasts: store.namespace("broadcasts"),
    channelId: () => distribution.channelId,
    timeZone: config.timezone,
    logger,
    now,
  }),
  startCommand({
    outletName: config.name,
    onTip: tipLine.startTip,
    onSubscribe: (ctx, topic) => subscribeTo(subscriptionDeps, ctx, topic),
    onStarted: async (ctx) => {
      if (!ctx.chat) return;
      const record = await chats.ensure(ctx.chat.id, ctx.chat.type);
      if (!record.active) await chats.reactivate(record.id);
    },
  }),
  tipLine.commands,
  helpCommand(),
  langCommand(langs),
  subscriptionCommands(subscriptionDeps),
  settingsCommands({
    chats,
    timeZone: config.timezone,
    markDigestDone: (id, date) => digests.markDone(id, date),
    now,
  }),
  queryCommands(queryDeps),
  plainTextSearch(queryDeps),
  fallback(),
  ];
}
