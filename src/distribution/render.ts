import type { ArticleArchive } from "../articles/archive.js";
import { articleShortId, type Article, type IndexedArticle } from "../articles/article.js";
import type { ArticleIndex } from "../articles/search.js";
import { topicName, type TopicDef } from "../articles/topics.js";
import type { ChatRepo } from "../chats/repo.js";
import { isThreadGone, threadForTopics } from "../chats/threads.js";
import { formatArticle, formatBundle, type FormattedArticle } from "../delivery/format.js";
import { sanitizeHashtag } from "../delivery/text.js";
import { RENDER_SCHEMAS, renderRegistry, type RenderData } from "../delivery/render-payloads.js";
import type { BundleRenderFn, RenderFn, RenderResult, TelegramCall } from "../delivery/types.js";
import { messages, type Lang } from "../i18n/index.js";
import type { DeliveryQueue } from "../runtime/types.js";
import { inQuietHours, quietEndsAt } from "../schedule/local-time.js";
import { telegramErrorCode } from "../telegram/errors.js";
import type { Transformer } from "../telegram/client.js";

export interface ArticleRendererOptions {
  /** The live topics, read at every render, so topics changed while running show in the hashtags. */
  topics: () => readonly TopicDef[];
  timeZone: string;
  defaultLang: Lang;
  relatedCount: number;
  summaryChars: number;
  archive: ArticleArchive;
  index: ArticleIndex;
  chats: Pick<ChatRepo, "get" | "forgetThread">;
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
  /** Where the notice that a forum thread is gone is queued (the delivery queue, built after the renderer); none: no notice. */
  notices: Pick<DeliveryQueue, "enqueue"> | undefined;

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
    return { action: "send", call: inThread(chat.threadOf(article), paidIf(data.paid, this.articleCall(chatId, article, chat.lang, related))) };
  }

  /**
   * Several new articles for one chat (a busy hour) as one message that lists them, newest first,
   * each with a link to the article and a deep link to it with its related articles; one that is
   * left alone after the checks goes in the full format. In a forum group one message goes to one
   * thread: articles bound for another thread than the first one's are `left` for their own bundle.
   */
  readonly renderBundle: BundleRenderFn = async (chatId, payloads) => {
    const chat = await this.chatView(chatId);
    if ("action" in chat) return chat;
    const skipped: number[] = [];
    const elsewhere: number[] = [];
    const wanted: Array<{ i: number; article: Article; related: string[] | undefined; paid: boolean }> = [];
    let thread: { id: number | undefined } | undefined;
    for (const [i, payload] of payloads.entries()) {
      const parsed = payload.kind === "render" && payload.type === "article" ? RENDER_SCHEMAS.article.safeParse(payload.data) : undefined;
      const article = parsed?.success ? await this.article(parsed.data.articleId) : undefined;
      if (!parsed?.success || !article || (chat.topics && !article.topics.some((t) => chat.topics?.includes(t)))) {
        skipped.push(i);
        continue;
      }
      const threadId = chat.threadOf(article);
      thread ??= { id: threadId };
      if (threadId !== thread.id) elsewhere.push(i);
      else wanted.push({ i, article, related: parsed.data.related, paid: parsed.data.paid === true });
    }
    const only = wanted.length === 1 ? wanted[0] : undefined;
    if (only) {
      const related = await this.relatedOf(only.article, only.related);
      const call = inThread(thread?.id, paidIf(only.paid, this.articleCall(chatId, only.article, chat.lang, related)));
      return { action: "send", call, included: [only.i], skipped, left: elsewhere };
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
      call: inThread(
        thread?.id,
        paidIf(wanted[0]?.paid, { method: "sendMessage", params: { chat_id: chatId, text: html, parse_mode: "HTML", link_preview_options: { is_disabled: true } } }),
      ),
      included: wanted.filter((w) => inBundle.has(w.article.id)).map((w) => w.i),
      skipped,
      left: [...wanted.filter((w) => !inBundle.has(w.article.id)).map((w) => w.i), ...elsewhere],
    };
  };

  /** The whole article (the index holds no summaries). */
  private async article(id: string): Promise<Article | undefined> {
    return this.o.archive.get(id);
  }

  /**
   * The chat's language, topics and the forum thread an article goes to (undefined: the chat itself,
   * a forum's General topic), or why nothing goes to it now (the channel takes everything, in the
   * default language).
   */
  private async chatView(
    chatId: number,
  ): Promise<{ lang: Lang; topics?: readonly string[]; threadOf: (article: Article) => number | undefined } | { action: "skip"; reason: string } | { action: "hold"; untilMs: number }> {
    if (chatId === this.channelId) return { lang: this.o.defaultLang, threadOf: () => undefined };
    const chat = await this.o.chats.get(chatId);
    // A post queued for the channel in an earlier run (channels have no chat record).
    if (!chat && chatId < 0 && this.channelPending) return { action: "hold", untilMs: this.o.now() + 60_000 };
    if (!chat || !chat.active) return { action: "skip", reason: "chat inactive" };
    if (chat.digestAt) return { action: "skip", reason: "digest chat" };
    const now = this.o.now();
    if (chat.quiet && inQuietHours(now, this.o.timeZone, chat.quiet)) return { action: "hold", untilMs: quietEndsAt(now, this.o.timeZone, chat.quiet) };
    return { lang: chat.lang ?? this.o.defaultLang, topics: chat.topics, threadOf: (article) => threadForTopics(chat, article.topics) };
  }

  private async relatedOf(article: Article, ids: readonly string[] | undefined): Promise<IndexedArticle[]> {
    if (!ids) return this.o.relatedCount > 0 ? this.o.index.related(article, this.o.relatedCount) : [];
    const out: IndexedArticle[] = [];
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

  /**
   * A transformer for the bulk client: a send into a forum thread that Telegram refuses because the
   * thread is closed or deleted goes to the General topic at once instead, and stays there: the
   * chat's topics routed to that thread are moved to General, and the group is told once (through
   * `notices`) how an admin picks a thread again. Nothing waits on a thread that may never reopen.
   */
  readonly threadWatch: Transformer = (next) => async (method, payload, signal) => {
    try {
      return await next(method, payload, signal);
    } catch (err) {
      const threadId = payload.message_thread_id;
      const chatId = payload.chat_id;
      if (typeof threadId !== "number" || typeof chatId !== "number" || !isThreadGone(telegramErrorCode(err), telegramErrorDescription(err))) throw err;
      const moved = await this.o.chats.forgetThread(chatId, threadId);
      const { message_thread_id: _gone, ...general } = payload;
      const result = await next(method, general, signal);
      if (moved.length > 0) await this.noticeThreadGone(chatId, moved);
      return result;
    }
  };

  /** Queues the message that tells a group its topics moved from a closed thread to General. */
  private async noticeThreadGone(chatId: number, topicIds: readonly string[]): Promise<void> {
    if (!this.notices) return;
    const chat = await this.o.chats.get(chatId);
    const lang = chat?.lang ?? this.o.defaultLang;
    const names = topicIds.map((id) => {
      const topic = this.o.topics().find((t) => t.id === id);
      return topic ? topicName(topic, lang) : id;
    });
    const text = messages(lang).threadGone({ topics: names, commands: topicIds.map((id) => `/subscribe ${id}`) });
    await this.notices.enqueue({ chatId, priority: "bulk", payload: { kind: "call", method: "sendMessage", params: { text, parse_mode: "HTML" } } });
  }

  /** The Bot API call that shows one article in one chat. */
  articleCall(chatId: number, article: Article, lang: Lang, related: readonly IndexedArticle[]): TelegramCall {
    const m = messages(lang);
    const usable = article.imageUrl && !this.failedPhotos.has(article.imageUrl) ? article : { ...article, imageUrl: undefined };
    const formatted: FormattedArticle = formatArticle(usable, related, {
      labels: { readMore: m.readMore(), related: m.related() },
      timeZone: this.o.timeZone,
      locale: lang,
      summaryChars: this.o.summaryChars,
      // Only live topics: one removed from chat since the article was classified has no tag.
      topicTags: article.topics.flatMap((id) => {
        const topic = this.o.topics().find((t) => t.id === id);
        return topic ? [topicHashtag(topic, lang)] : [];
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

/** Sends a call into a forum thread when there is one (undefined: the chat itself, a forum's General topic). */
function inThread(threadId: number | undefined, call: TelegramCall): TelegramCall {
  return threadId === undefined ? call : { ...call, params: { ...call.params, message_thread_id: threadId } };
}

/** The description of a failed Bot API call, if it has one. */
function telegramErrorDescription(err: unknown): string | undefined {
  const description = (err as { response?: { description?: unknown } } | null)?.response?.description;
  return typeof description === "string" ? description : undefined;
}

/** Marks a call as a paid broadcast (`allow_paid_broadcast`) when `paid`. */
function paidIf(paid: boolean | undefined, call: TelegramCall): TelegramCall {
  return paid ? { ...call, params: { ...call.params, allow_paid_broadcast: true } } : call;
}
