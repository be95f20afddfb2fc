/** Every keyv namespace the app uses, in one place (a typo here cannot split one record set in two). */
export const NS = {
  articles: "articles",
  broadcasts: "broadcasts",
  chats: "chats",
  digests: "digests",
  /** Feed confirmations waiting for their button (/addfeed, an OPML import). */
  feedDrafts: "feed_drafts",
  /** Feeds added, paused or removed from chat (the YAML feeds are the seed). */
  feedRegistry: "feed_registry",
  feeds: "feeds",
  handedOff: "handed_off",
  outbox: "outbox",
  queries: "queries",
  settings: "settings",
  tips: "tips",
  tipBlocks: "tip_blocks",
  tipDrafts: "tip_drafts",
  tipLinks: "tip_links",
  tipQueue: "tip_queue",
  tipRates: "tip_rates",
  tipReaders: "tip_readers",
  /** Topic confirmations waiting for their button (/addtopic, /removetopic). */
  topicDrafts: "topic_drafts",
  /** Topics added, edited or removed from chat (the YAML topics are the seed). */
  topicRegistry: "topic_registry",
  webhookUpdates: "webhook_updates",
} as const;

/** A namespace name. */
export type Namespace = (typeof NS)[keyof typeof NS];
