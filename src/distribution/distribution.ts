import type Keyv from "keyv";
import type { Article } from "../articles/article.js";
import type { ArticleIndex } from "../articles/search.js";
import { matchTopics, type TopicDef } from "../articles/topics.js";
import type { ChatRepo } from "../chats/repo.js";
import type { Logger } from "../log.js";
import { renderPayload } from "../delivery/render-payloads.js";
import type { FanOutInput } from "../delivery/outbox.js";
import type { DeliveryQueue } from "../runtime/types.js";

export interface DistributionOptions {
  /** The live topics, read for every batch (keywords edited from chat apply from the next poll). */
  topics: () => readonly TopicDef[];
  /** Articles of these topics go as paid broadcasts (config delivery.paidBroadcast.topics). */
  paidTopics?: readonly string[];
  relatedCount: number;
  index: ArticleIndex;
  chats: Pick<ChatRepo, "subscribersFor">;
  outbox: Pick<DeliveryQueue, "fanOutAll" | "enqueue">;
  /** Where the channel's id is known (the renderer resolves it at start). */
  channel: { readonly channelId: number | undefined };
  /** Remembers which articles were handed to the outbox, so a repeat hand-off is a no-op. */
  handedOff: Keyv;
  logger: Logger;
}

/**
 * The main loop's middle: new articles from the feeds get their topics and become one durable
 * fan-out job each (recipients snapshotted now); each message is rendered at send time by the
 * ArticleRenderer (render.ts).
 */
export class Distribution {
  constructor(private readonly o: DistributionOptions) {}

  /** Numeric id of the channel that receives every article (resolved from @name at start). */
  get channelId(): number | undefined {
    return this.o.channel.channelId;
  }

  /** Adds topic matches to articles of a feed (before they are archived). */
  classify(articles: readonly Article[], feedTopics: readonly string[]): Article[] {
    const topics = this.o.topics();
    // A feed's default topic that was removed since (from chat) is no topic any more.
    const live = new Set(topics.map((t) => t.id));
    return articles.map((a) => ({ ...a, topics: matchTopics(a, topics, [...feedTopics, ...a.topics].filter((id) => live.has(id))) }));
  }

  /** Hands new articles to the outbox, oldest first, once each. */
  async distribute(articles: readonly Article[]): Promise<number> {
    const sorted = [...articles].sort((a, b) => a.publishedAt - b.publishedAt);
    const fanOuts: FanOutInput[] = [];
    const handed: Array<{ article: Article; recipients: number }> = [];
    for (const article of sorted) {
      if (await this.o.handedOff.get(article.id)) continue;
      const recipients = await this.o.chats.subscribersFor(article.topics, { instantOnly: true });
      const channelId = this.o.channel.channelId;
      // Related links are chosen once per article (it costs ~100 ms at 100k articles), not per chat.
      const paid = article.topics.some((t) => this.o.paidTopics?.includes(t));
      const payload = renderPayload("article", { articleId: article.id, related: await this.relatedIds(article), ...(paid ? { paid } : {}) });
      // The channel's post goes first and always in the full format; readers may get a bundle.
      if (channelId !== undefined) await this.o.outbox.enqueue({ chatId: channelId, priority: "broadcast", payload });
      if (recipients.length > 0) fanOuts.push({ id: `article:${article.id}`, priority: "bulk", payload, recipients });
      handed.push({ article, recipients: recipients.length });
    }
    // One hand-off: a reader with several of these articles gets them as one bundle.
    await this.o.outbox.fanOutAll(fanOuts);
    for (const { article, recipients } of handed) {
      await this.o.handedOff.set(article.id, 1, 7 * 86_400_000);
      this.o.logger.info({ articleId: article.id, recipients, channel: this.o.channel.channelId !== undefined }, "article handed to the outbox");
    }
    return fanOuts.length;
  }

  /** True when the article went through distribute() (new, not a first poll's backlog); remembered 7 days. */
  async wasDistributed(articleId: string): Promise<boolean> {
    return (await this.o.handedOff.get(articleId)) !== undefined;
  }

  private async relatedIds(article: Article): Promise<string[]> {
    return this.o.relatedCount > 0 ? (await this.o.index.related(article, this.o.relatedCount)).map((a) => a.id) : [];
  }

}
