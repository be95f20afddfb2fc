import type { Clock } from "../delivery/time.js";
import type { Logger } from "../log.js";
import { classifyTelegramError } from "../telegram/errors.js";
import type { TipRecord } from "./records.js";

/** One Bot API call (the dispatcher's paced client). */
type Call = (method: string, params: Record<string, unknown>) => Promise<unknown>;

/** How long the newsroom's "is it a forum" answer is trusted before getChat is asked again. */
const FORUM_CHECK_MS = 5 * 60_000;

/** The Bot API's description of a failed call ("" for network errors). */
export function telegramDescription(err: unknown): string {
  if (typeof err !== "object" || err === null) return "";
  const response = (err as { response?: { description?: unknown } }).response;
  if (typeof response?.description === "string") return response.description;
  const description = (err as { description?: unknown }).description;
  return typeof description === "string" ? description : "";
}

/** Telegram's answer for a forum topic that was deleted (or never existed). */
export const isThreadGone = (err: unknown): boolean => /message thread not found|TOPIC_ID_INVALID|TOPIC_DELETED/i.test(telegramDescription(err));
/** Telegram's answer for a send into a closed forum topic. */
export const isTopicClosed = (err: unknown): boolean => /TOPIC_CLOSED/i.test(telegramDescription(err));
/** Telegram's answer when a topic already is as asked (closing a closed one). */
export const isTopicNotModified = (err: unknown): boolean => /TOPIC_NOT_MODIFIED/i.test(telegramDescription(err));

/** `message_thread_id` for a send about this tip: its forum topic, when it has one. */
export function threadParams(tip: TipRecord): { message_thread_id?: number } {
  const threadId = tip.delivery.threadId;
  return threadId !== undefined && threadId > 0 ? { message_thread_id: threadId } : {};
}

/**
 * The newsroom as a forum supergroup: whether it is one (getChat, re-asked every few minutes, so
 * turning topics on or off is noticed) and a topic per tip. A topic name never holds the reader's
 * name: only the reference and a neutral label.
 */
export class NewsroomForum {
  private known: { chatId: number; forum: boolean; atMs: number } | undefined;

  constructor(
    private readonly call: Call,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  private async isForum(chatId: number): Promise<boolean> {
    const now = this.clock.now();
    if (this.known && this.known.chatId === chatId && now - this.known.atMs < FORUM_CHECK_MS) return this.known.forum;
    const chat = (await this.call("getChat", { chat_id: chatId })) as { is_forum?: unknown } | undefined;
    const forum = chat?.is_forum === true;
    this.known = { chatId, forum, atMs: now };
    return forum;
  }

  /**
   * Opens the tip's topic and answers its thread id, or 0 when the newsroom is no forum or
   * Telegram refuses (say, the bot lacks can_manage_topics): then the tip goes to the main chat.
   * 5xx, 429 and network errors throw, and the dispatcher retries.
   */
  async openTopic(chatId: number, name: string): Promise<number> {
    if (!(await this.isForum(chatId))) return 0;
    try {
      const topic = (await this.call("createForumTopic", { chat_id: chatId, name })) as { message_thread_id?: unknown } | undefined;
      const threadId = topic?.message_thread_id;
      if (typeof threadId !== "number") throw new Error("Telegram answered createForumTopic without a message_thread_id");
      return threadId;
    } catch (err) {
      const failure = classifyTelegramError(err, chatId);
      if (failure.kind !== "bad-request") throw err;
      this.logger.warn({ err: failure }, "could not open a forum topic for a tip; it goes to the main chat");
      // A refusal may mean topics were just turned off: ask again next time.
      this.known = undefined;
      return 0;
    }
  }

  /** Forgets the answer about the chat (after a migration, or when a thread turned out to be gone). */
  reset(): void {
    this.known = undefined;
  }
}
