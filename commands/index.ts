import type { Composer } from "telegraf";
import type { AppConfig } from "../config/load.js";
import type { Library } from "../src/articles/library.js";
import type { TopicRegistry } from "../src/articles/topic-registry.js";
import type { ArticleIndex } from "../src/articles/search.js";
import type { ArticleRenderer } from "../src/distribution/render.js";
import type { LangStore } from "../src/bot/bot.js";
import type { NewsdeskContext } from "../src/bot/context.js";
import { registerAdminMenu } from "../src/bot/launch.js";
import type { StaffPolicy } from "../src/bot/staff.js";
import type { ChatRepo } from "../src/chats/repo.js";
import type { DigestRunner } from "../src/distribution/digest.js";
import type { Distribution } from "../src/distribution/distribution.js";
import { retireTopic } from "../src/distribution/topic-removal.js";
import type { FeedRegistry } from "../src/feeds/registry.js";
import type { FeedScheduler } from "../src/feeds/scheduler.js";
import type { Logger } from "../src/log.js";
import type { DeliveryQueue } from "../src/runtime/types.js";
import { NS } from "../src/store/keys.js";
import type { Store } from "../src/store/index.js";
import type { TipLine } from "../src/tips/index.js";
import { fileDownloader } from "../src/telegram/files.js";
import { tipCountsByStatus } from "../src/tips/stats.js";
import { feedAdminCommands } from "./feeds-admin.js";
import { fallback, helpCommand, idCommand } from "./help.js";
import { langCommand } from "./lang.js";
import { newsroomCommands } from "./newsroom.js";
import { plainTextSearch, queryCommands, replyQuery } from "./queries.js";
import { settingsCommands } from "./settings.js";
import { startCommand } from "./start.js";
import { subscribeTo, subscriptionCommands } from "./subscriptions.js";
import { startTipHandler, tipCommands, topicWordMatcher } from "./tip.js";
import { tipStaffCommands } from "./tip-staff.js";
import { topicAdminCommands } from "./topics-admin.js";

/** What the commands work with; the composition root (src/app.ts) hands it in. */
export interface FeatureDeps {
  config: AppConfig;
  logger: Logger;
  store: Store;
  chats: ChatRepo;
  langs: LangStore;
  index: ArticleIndex;
  library: Library;
  renderer: ArticleRenderer;
  delivery: DeliveryQueue;
  scheduler: FeedScheduler;
  /** The live feed list (YAML seed plus chat edits). */
  feedRegistry: FeedRegistry;
  /** The live topic list (YAML seed plus chat edits): every feature reads topics here, never config.topics. */
  topicRegistry: TopicRegistry;
  digests: DigestRunner;
  tipLine: TipLine;
  distribution: Distribution;
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
  const { config, logger, store, chats, langs, index, delivery, scheduler, digests, tipLine, distribution, now } = d;
  const topics = () => d.topicRegistry.list();
  const subscriptionDeps = { chats, topics };
  const queryDeps = { index, archive: d.library.archive, topics, timeZone: config.timezone, queries: store.namespace<string>(NS.queries) };
  return [
    tipStaffCommands(tipLine.deps),
    newsroomCommands({
      policy: d.newsroomPolicy,
      topics,
      feeds: () => d.feedRegistry.list(),
      chats,
      index,
      outbox: delivery,
      paidBroadcast: config.delivery.paidBroadcast.broadcast,
      deliveryStats: () => delivery.stats(),
      tipCounts: () => tipCountsByStatus(store),
      feedHealth: () => scheduler.health(),
      pollAll: () => scheduler.pollAll(),
      broadcasts: store.namespace(NS.broadcasts),
      channelId: () => distribution.channelId,
      timeZone: config.timezone,
      logger,
      now,
    }),
    feedAdminCommands({
      policy: d.newsroomPolicy,
      registry: d.feedRegistry,
      probe: (url) => scheduler.probe(url),
      checkUrl: (url) => scheduler.checkUrl(url),
      forget: (id) => scheduler.forget(id),
      pollNow: () => scheduler.pollAll(),
      topics,
      drafts: store.namespace(NS.feedDrafts),
      downloadFile: fileDownloader(),
      outletName: config.name,
      logger,
      now,
    }),
    topicAdminCommands({
      policy: d.newsroomPolicy,
      registry: d.topicRegistry,
      counts: () => chats.counts(),
      feeds: () => d.feedRegistry.list(),
      retire: (topic, fanOutId) => retireTopic({ chats, outbox: delivery, defaultLang: config.locale }, topic, fanOutId),
      drafts: store.namespace(NS.topicDrafts),
      logger,
    }),
    // Before the tip line: /id answers even while a tip is open.
    idCommand(),
    startCommand({
      outletName: config.name,
      onTip: startTipHandler(tipLine.deps),
      onSubscribe: (ctx, topic) => subscribeTo(subscriptionDeps, ctx, topic),
      onArticle: async (ctx, shortId) => {
        const article = await d.library.byShortId(shortId);
        if (!article || !ctx.chat) return void (await ctx.reply(ctx.m.articleGone()));
        const call = d.renderer.articleCall(ctx.chat.id, article, ctx.lang, await d.library.index.related(article, config.delivery.relatedCount));
        await ctx.telegram.callApi(call.method as "sendMessage", call.params as never);
      },
      onStarted: async (ctx) => {
        if (!ctx.chat) return;
        const record = await chats.ensure(ctx.chat.id, ctx.chat.type);
        if (!record.active) await chats.reactivate(record.id);
        // An admin's private chat exists only once they start the bot: their staff menu follows now (in the background; failures are logged).
        if (ctx.chat.type === "private" && ctx.from)
          void registerAdminMenu(ctx.telegram, ctx.from.id, { defaultLang: config.locale, staff: d.newsroomPolicy, logger });
      },
    }),
    tipCommands(tipLine.deps, { search: (ctx, text) => replyQuery(queryDeps, ctx, text), looksLikeQuery: (text) => topicWordMatcher(topics())(text) }),
    helpCommand({ policy: d.newsroomPolicy }),
    langCommand(langs),
    subscriptionCommands(subscriptionDeps),
    settingsCommands({
      chats,
      timeZone: config.timezone,
      markDigestDone: (id, date) => digests.markDone(id, date),
      releaseHeld: (id) => delivery.releaseHeld(id),
      now,
    }),
    queryCommands(queryDeps),
    plainTextSearch(queryDeps),
    fallback(),
  ];
}
