import type Keyv from "keyv";
import type { IndexedArticle } from "../articles/article.js";
import type { ArticleIndex } from "../articles/search.js";
import type { ChatRepo } from "../chats/repo.js";
import { formatArticleList } from "../delivery/format.js";
import { formatDate } from "../delivery/text.js";
import type { DeliveryQueue } from "../runtime/types.js";
import { messages, type Lang } from "../i18n/index.js";
import type { Logger } from "../log.js";
import { formatHhMm, localTime } from "../schedule/local-time.js";

export interface DigestOptions {
  chats: ChatRepo;
  index: ArticleIndex;
  outbox: Pick<DeliveryQueue, "enqueue">;
  /** Per chat: the local date of its last digest and when it was made. */
  state: Keyv<{ date: string; at: number }>;
  timeZone: string;
  defaultLang: Lang;
  logger: Logger;
  now: () => number;
  /** Articles in one digest. Default 15. */
  maxArticles?: number;
  /** Whether an article was new (distributed), not a new feed's backlog. Default: every article is. */
  wasDistributed?: (articleId: string) => Promise<boolean>;
}

const DAY_MS = 86_400_000;
/** Minutes looked back on start, so a digest due during a short restart is still sent. */
const CATCH_UP_MINUTES = 30;

/**
 * Daily digests: once a minute, every chat whose digest time has come (including minutes missed
 * while the process was busy or briefly down) gets one message listing the articles of its topics
 * since its last digest, through the outbox like any bulk delivery. In a forum group the digest
 * goes to the General topic (no `message_thread_id`): it mixes every topic the group follows, so no
 * one topic's thread is its place, and General is never closed the way a thread can be.
 */
export class DigestRunner {
  private lastTick: number;

  constructor(private readonly o: DigestOptions) {
    this.lastTick = o.now() - CATCH_UP_MINUTES * 60_000;
  }

  /** Marks today's digest as done for a chat (a newly chosen time already past today starts tomorrow). */
  async markDone(chatId: number, localDate: string): Promise<void> {
    await this.o.state.set(String(chatId), { date: localDate, at: this.o.now() }, 2 * DAY_MS);
  }

  /** Sends the digests that are due; returns how many were enqueued. */
  async tick(): Promise<number> {
    const now = this.o.now();
    // chat → local date of its due slot: a slot missed before midnight is that day's digest, not today's.
    const due = new Map<number, string>();
    // Every minute since the last tick (at most a day), so none is skipped.
    for (let t = this.lastTick + 60_000; t <= now; t += 60_000) {
      if (now - t > DAY_MS) continue;
      const local = localTime(t, this.o.timeZone);
      for (const id of this.o.chats.digestChatsAt(formatHhMm(local.minutes))) due.set(id, local.date);
    }
    this.lastTick = now - (now % 60_000);
    let sent = 0;
    for (const [chatId, date] of due) if (await this.sendDigest(chatId, now, date)) sent++;
    return sent;
  }

  private async sendDigest(chatId: number, now: number, slotDate: string): Promise<boolean> {
    const last = await this.o.state.get(String(chatId));
    if (last?.date === slotDate) return false;
    const chat = await this.o.chats.get(chatId);
    if (!chat?.active || !chat.digestAt || chat.topics.length === 0) return false;
    const since = Math.max(last?.at ?? 0, now - DAY_MS);
    const articles = await this.articlesSince(chat.topics, since);
    await this.markDone(chatId, slotDate);
    if (articles.length === 0) return false;
    const lang = chat.lang ?? this.o.defaultLang;
    const m = messages(lang);
    const list = formatArticleList(articles, { timeZone: this.o.timeZone, locale: lang, maxUnits: 3800 });
    await this.o.outbox.enqueue({
      chatId,
      priority: "bulk",
      payload: {
        kind: "call",
        method: "sendMessage",
        params: {
          text: `${m.digestHeader({ date: formatDate(now, this.o.timeZone, lang) })}\n${list}`,
          parse_mode: "HTML",
          link_preview_options: { is_disabled: true },
        },
      },
    });
    this.o.logger.info({ articles: articles.length }, "digest enqueued");
    return true;
  }

  private async articlesSince(topics: readonly string[], since: number): Promise<IndexedArticle[]> {
    const byId = new Map<string, IndexedArticle>();
    for (const topicId of topics)
      for (const a of this.o.index.latest({ topicId, limit: 50 })) if (a.firstSeenAt >= since) byId.set(a.id, a);
    // A newly added feed's backlog is archived, never pushed: a digest leaves it out too.
    const all = [...byId.values()];
    const isNew = this.o.wasDistributed;
    const keep = isNew ? await Promise.all(all.map((a) => isNew(a.id))) : all.map(() => true);
    return all
      .filter((_, i) => keep[i])
      .sort((a, b) => b.publishedAt - a.publishedAt)
      .slice(0, this.o.maxArticles ?? 15);
  }
}
