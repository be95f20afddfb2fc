import type { TopicConfig } from "../../config/schema.js";
import type { ArticleArchive } from "../articles/archive.js";
import { articleShortId, type Article } from "../articles/article.js";
import type { ArticleIndex } from "../articles/search.js";
import { topicName, type TopicDef } from "../articles/topics.js";
import type { ChatRepo } from "../chats/repo.js";
import { formatArticle, formatBundle, type FormattedArticle } from "../delivery/format.js";
import { sanitizeHashtag } from "../delivery/text.js";
import { RENDER_SCHEMAS, renderRegistry, type RenderData } from "../delivery/render-payloads.js";
import type { BundleRenderFn, RenderFn, RenderResult, TelegramCall } from "../delivery/types.js";
import { messages, type Lang } from "../i18n/index.js";
import { inQuietHours, quietEndsAt } from "../schedule/local-time.js";
import { telegramErrorCode } from "../telegram/errors.js";
import type { Transformer } from "../telegram/client.js";

export interface ArticleRendererOptions {
  /** Read at every render (not copied), so topics changed while running show in the hashtags. */
  topics: readonly TopicConfig[];
  timeZone: string;
  defaultLang: Lang;
  relatedCount: number;
  summaryChars: number;
  archive: ArticleArchive;
  index: ArticleIndex;
  chats: Pick<ChatRepo, "get">;
  now: () => number;
}

/**
 * Renders an article delivery for one chat at send time, in the chat's language and settings:
 * quiet hours hold it, a digest chat or an unsubscribed chat skips it; an article whose photo
 * Telegram could not fetch goes as text.
 */
export class ArticleRenderer {
  /** Image URLs Telegram could not fetch (hotlink protection, 404…): those articles go as text. */
  private readonly failedPhotos = new Set<string>();
  /** Numeric id of the channel that receives every article (resolved from @name at start). */
  channelId: number | undefined;
  /** A channel is configured but its id is not known yet: its queued posts wait instead of being dropped. */
  channelPending = false;
  /** The bot's @username (known after getMe), for deep links in bundles. */
  botUsername: string | undefined;

  constructor(private readonly o: ArticleRendererOptions) {}

  /** The delivery queue's render function (every render type, validated). */
  readonly render: RenderFn = renderRegistry({ article: (chatId, data) => this.renderArticle(chatId, data) });

  private async renderArticle(chatId: number, data: RenderData<"article">): Promise<RenderResult> {
    const article = await this.article(data.articleId);
    if (!article) return { action: "skip", reason: "article no longer archived" };
    const chat = await this.chatView(chatId);
    if ("action" in chat) return chat;
    if (chat.topics && !article.topics.some((t) => chat.topics?.includes(t))) return { action: "skip", reason: "unsubscribed" };
    const related = await this.relatedOf(article, data.related);
    return { action: "send", call: paidIf(data.paid, this.articleCall(chatId, article, chat.lang, related)) };
  }

  /**
   * Several new articles for one chat (a busy hour) as one message that lists them, newest first,
   * each with a link to the article and a deep link to it with its related articles; one that is
   * left alone after the checks goes in the full format.
   */
  readonly renderBundle: BundleRenderFn = async (chatId, payloads) => {
    const chat = await this.chatView(chatId);
    if ("action" in chat) return chat;
    const skipped: number[] = [];
    const wanted: Array<{ i: number; article: Article; related: string[] | undefined; paid: boolean }> = [];
    for (const [i, payload] of payloads.entries()) {
      const parsed = payload.kind === "render" && payload.type === "article" ? RENDER_SCHEMAS.article.safeParse(payload.data) : undefined;
      const article = parsed?.success ? await this.article(parsed.data.articleId) : undefined;
      if (!parsed?.success || !article || (chat.topics && !article.topics.some((t) => chat.topics?.includes(t)))) skipped.push(i);
      else wanted.push({ i, article, related: parsed.data.related, paid: parsed.data.paid === true });
    }
    const only = wanted.length === 1 ? wanted[0] : undefined;
    if (only) {
      const related = await this.relatedOf(only.article, only.related);
      return { action: "send", call: paidIf(only.paid, this.articleCall(chatId, only.article, chat.lang, related)), included: [only.i], skipped, left: [] };
    }
    if (wanted.length === 0) return { action: "skip", reason: "nothing left to send" };
    const m = messages(chat.lang);
    const bot = this.botUsername;
    const { html, included } = formatBundle(
      wanted.map((w) => w.article),
      {
        timeZone: this.o.timeZone,
        locale: chat.lang,
        header: m.bundleHeader({ count: wanted.length }),
        relatedLabel: m.related(),
        relatedUrl: (a) => (bot ? `https://t.me/${bot}?start=a_${articleShortId(a.id)}` : null),
      },
    );
    const inBundle = new Set(included.map((a) => a.id));
    return {
      action: "send",
      // The outbox bundles paid with paid only.
      call: paidIf(wanted[0]?.paid, { method: "sendMessage", params: { chat_id: chatId, text: html, parse_mode: "HTML", link_preview_options: { is_disabled: true } } }),
      included: wanted.filter((w) => inBundle.has(w.article.id)).map((w) => w.i),
      skipped,
      left: wanted.filter((w) => !inBundle.has(w.article.id)).map((w) => w.i),
    };
  };

  private async article(id: string): Promise<Article | undefined> {
    return this.o.index.get(id) ?? (await this.o.archive.get(id));
  }

  /** The chat's language and topics, or why nothing goes to it now (the channel takes everything, in the default language). */
  private async chatView(chatId: number): Promise<{ lang: Lang; topics?: readonly string[] } | { action: "skip"; reason: string } | { action: "hold"; untilMs: number }> {
    if (chatId === this.channelId) return { lang: this.o.defaultLang };
    const chat = await this.o.chats.get(chatId);
    // A post queued for the channel in an earlier run (channels have no chat record).
    if (!chat && chatId < 0 && this.channelPending) return { action: "hold", untilMs: this.o.now() + 60_000 };
    if (!chat || !chat.active) return { action: "skip", reason: "chat inactive" };
    if (chat.digestAt) return { action: "skip", reason: "digest chat" };
    const now = this.o.now();
    if (chat.quiet && inQuietHours(now, this.o.timeZone, chat.quiet)) return { action: "hold", untilMs: quietEndsAt(now, this.o.timeZone, chat.quiet) };
    return { lang: chat.lang ?? this.o.defaultLang, topics: chat.topics };
  }

  private async relatedOf(article: Article, ids: readonly string[] | undefined): Promise<Article[]> {
    if (!ids) return this.o.relatedCount > 0 ? this.o.index.related(article, this.o.relatedCount) : [];
    const out: Article[] = [];
    for (const id of ids) {
      const a = this.o.index.get(id) ?? (await this.o.archive.get(id));
      if (a) out.push(a);
    }
    return out;
  }

  /**
   * A transformer for the bulk client: when Telegram refuses an article photo (it fetches the URL
   * itself and many news sites block that), the retry renders the article as text instead of
   * failing the same way until the delivery is dead-lettered.
   */
  readonly photoWatch: Transformer = (next) => async (method, payload, signal) => {
    try {
      return await next(method, payload, signal);
    } catch (err) {
      if (method === "sendPhoto" && telegramErrorCode(err) === 400 && typeof payload.photo === "string") {
        if (this.failedPhotos.size > 10_000) this.failedPhotos.clear();
        this.failedPhotos.add(payload.photo);
      }
      throw err;
    }
  };

  /** The Bot API call that shows one article in one chat. */
  articleCall(chatId: number, article: Article, lang: Lang, related: Article[]): TelegramCall {
    const m = messages(lang);
    const usable = article.imageUrl && !this.failedPhotos.has(article.imageUrl) ? article : { ...article, imageUrl: undefined };
    const formatted: FormattedArticle = formatArticle(usable, related, {
      labels: { readMore: m.readMore(), related: m.related() },
      timeZone: this.o.timeZone,
      locale: lang,
      summaryChars: this.o.summaryChars,
      topicTags: article.topics.map((id) => {
        const topic = this.o.topics.find((t) => t.id === id);
        return topic ? topicHashtag(topic, lang) : id;
      }),
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

/** A topic's hashtag (without `#`) for a chat in `lang`: its name in that language, or its id when the name makes no hashtag. */
export function topicHashtag(topic: Pick<TopicDef, "id" | "name">, lang: Lang): string {
  return sanitizeHashtag(topicName(topic, lang)) ?? topic.id;
}

/** Marks a call as a paid broadcast (`allow_paid_broadcast`) when `paid`. */
function paidIf(paid: boolean | undefined, call: TelegramCall): TelegramCall {
  return paid ? { ...call, params: { ...call.params, allow_paid_broadcast: true } } : call;
}
