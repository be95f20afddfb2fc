import type Keyv from "keyv";
import type { TopicConfig } from "../../config/schema.js";
import type { ArticleArchive } from "../articles/archive.js";
import type { Article } from "../articles/article.js";
import type { ArticleIndex } from "../articles/search.js";
import { matchTopics } from "../articles/topics.js";
import type { ChatRepo } from "../chats/repo.js";
import { formatArticle, type FormattedArticle } from "../delivery/format.js";
import type { Outbox } from "../delivery/outbox.js";
import type { DeliveryPayload, RenderResult, TelegramCall, TelegramSender } from "../delivery/types.js";
import { messages, type Lang } from "../i18n/index.js";
import type { Logger } from "../log.js";
import { inQuietHours, quietEndsAt } from "../schedule/local-time.js";

export interface DistributionOptions {
  topics: readonly TopicConfig[];
  timeZone: string;
  defaultLang: Lang;
  relatedCount: number;
  summaryChars: number;
  archive: ArticleArchive;
  index: ArticleIndex;
  chats: ChatRepo;
  outbox: Outbox;
  /** Remembers which articles were handed to the outbox, so a repeat hand-off is a no-op. */
  handedOff: Keyv;
  logger: Logger;
  now: () => number;
}

/**
 * The main loop's middle: new articles from the feeds get their topics, join the archive and the
 * search index, and become one durable fan-out job each (recipients snapshotted now); each message
 * is rendered at send time in the chat's language and settings (quiet hours hold it, a digest chat
 * skips it, an unsubscribed chat skips it).
 */
export class Distribution {
  private readonly topicTags = new Map<string, string>();
  /** Image URLs Telegram could not fetch (hotlink protection, 404…): those articles go as text. */
  private readonly failedPhotos = new Set<string>();
  /** Numeric id of the channel that receives every article (resolved from @name at start). */
  channelId: number | undefined;
  /** A channel is configured but its id is not known yet: its queued posts wait instead of being dropped. */
  channelPending = false;

  constructor(private readonly o: DistributionOptions) {
    for (const t of o.topics) this.topicTags.set(t.id, t.name);
  }

  /** Adds topic matches to articles of a feed (before they are archived). */
  classify(articles: readonly Article[], feedTopics: readonly string[]): Article[] {
    return articles.map((a) => ({ ...a, topics: matchTopics(a, this.o.topics, [...feedTopics, ...a.topics]) }));
  }

  /** Hands new articles to the outbox, oldest first, once each. */
  async distribute(articles: readonly Article[]): Promise<number> {
    const sorted = [...articles].sort((a, b) => a.publishedAt - b.publishedAt);
    let jobs = 0;
    for (const article of sorted) {
      if (!this.o.index.has(article.id)) this.o.index.add(article);
      if (await this.o.handedOff.get(article.id)) continue;
      const subscribers = await this.o.chats.subscribersFor(article.topics, { instantOnly: true });
      const recipients = this.channelId !== undefined ? [this.channelId, ...subscribers] : subscribers;
      if (recipients.length > 0) {
        await this.o.outbox.fanOut({
          id: `article:${article.id}`,
          priority: "bulk",
          // Related links are chosen once per article (it costs ~100 ms at 100k articles), not per chat.
          payload: { kind: "render", type: "article", data: { articleId: article.id, related: this.relatedIds(article) } },
          recipients,
        });
        jobs++;
      }
      await this.o.handedOff.set(article.id, 1, 7 * 86_400_000);
      this.o.logger.info({ articleId: article.id, recipients: recipients.length }, "article handed to the outbox");
    }
    return jobs;
  }

  /** True when the article went through distribute() (new, not a first poll's backlog); remembered 7 days. */
  async wasDistributed(articleId: string): Promise<boolean> {
    return (await this.o.handedOff.get(articleId)) !== undefined;
  }

  /** The sender's render callback. */
  readonly render = async (chatId: number, payload: Extract<DeliveryPayload, { kind: "render" }>): Promise<RenderResult> => {
    if (payload.type !== "article") return { action: "skip", reason: `unknown render type ${payload.type}` };
    const articleId = typeof payload.data.articleId === "string" ? payload.data.articleId : "";
    const article = this.o.index.get(articleId) ?? (await this.o.archive.get(articleId));
    if (!article) return { action: "skip", reason: "article no longer archived" };

    let lang = this.o.defaultLang;
    if (chatId !== this.channelId) {
      const chat = await this.o.chats.get(chatId);
      // A post queued for the channel in an earlier run (channels have no chat record).
      if (!chat && chatId < 0 && this.channelPending) return { action: "hold", untilMs: this.o.now() + 60_000 };
      if (!chat || !chat.active) return { action: "skip", reason: "chat inactive" };
      if (!article.topics.some((t) => chat.topics.includes(t))) return { action: "skip", reason: "unsubscribed" };
      if (chat.digestAt) return { action: "skip", reason: "digest chat" };
      const now = this.o.now();
      if (chat.quiet && inQuietHours(now, this.o.timeZone, chat.quiet))
        return { action: "hold", untilMs: quietEndsAt(now, this.o.timeZone, chat.quiet) };
      lang = chat.lang ?? this.o.defaultLang;
    }
    const related = await this.relatedOf(article, payload.data.related);
    return { action: "send", call: this.articleCall(chatId, article, lang, related) };
  };

  private relatedIds(article: Article): string[] {
    return this.o.relatedCount > 0 ? this.o.index.related(article, this.o.relatedCount).map((a) => a.id) : [];
  }

  private async relatedOf(article: Article, ids: unknown): Promise<Article[]> {
    if (!Array.isArray(ids)) return this.o.relatedCount > 0 ? this.o.index.related(article, this.o.relatedCount) : [];
    const out: Article[] = [];
    for (const id of ids) {
      if (typeof id !== "string") continue;
      const a = this.o.index.get(id) ?? (await this.o.archive.get(id));
      if (a) out.push(a);
    }
    return out;
  }

  /**
   * Wraps the sender's Telegram seam: when Telegram refuses an article photo (it fetches the URL
   * itself and many news sites block that), the retry renders the article as text instead of
   * failing the same way until the delivery is dead-lettered.
   */
  watchPhotos(telegram: TelegramSender): TelegramSender {
    return {
      call: async (method, payload) => {
        try {
          return await telegram.call(method, payload);
        } catch (err) {
          const code = (err as { response?: { error_code?: number } }).response?.error_code;
          if (method === "sendPhoto" && code === 400 && typeof payload.photo === "string") {
            if (this.failedPhotos.size > 10_000) this.failedPhotos.clear();
            this.failedPhotos.add(payload.photo);
          }
          throw err;
        }
      },
    };
  }

  /** The Bot API call that shows one article in one chat. */
  articleCall(chatId: number, article: Article, lang: Lang, related: Article[]): TelegramCall {
    const m = messages(lang);
    const usable = article.imageUrl && !this.failedPhotos.has(article.imageUrl) ? article : { ...article, imageUrl: undefined };
    const formatted: FormattedArticle = formatArticle(usable, related, {
      labels: { readMore: m.readMore(), related: m.related() },
      timeZone: this.o.timeZone,
      locale: lang,
      summaryChars: this.o.summaryChars,
      topicTags: article.topics.map((t) => this.topicTags.get(t) ?? t),
    });
    return formatted.kind === "photo"
      ? { method: "sendPhoto", params: { chat_id: chatId, photo: formatted.photoUrl, caption: formatted.caption, parse_mode: "HTML" } }
      : {
          method: "sendMessage",
          params: {
            chat_id: chatId,
            text: formatted.text,
            parse_mode: "HTML",
            link_preview_options: { is_disabled: formatted.disablePreview },
          },
        };
  }
}
