import { topicName, type TopicDef } from "../articles/topics.js";
import { messages, type Lang } from "../i18n/index.js";
import type { ChatRecord, ThreadRef } from "./record.js";

/**
 * Forum groups: which thread (`message_thread_id`) a subscription goes to. A message sent in a
 * forum topic carries `is_topic_message` and the thread's id; one sent in the General topic carries
 * neither. Other groups' reply chains carry a `message_thread_id` too, but no `is_topic_message`,
 * so they never count as a thread.
 */

/** What this module reads of a Telegram Message. */
interface MessageLike {
  message_thread_id?: unknown;
  is_topic_message?: unknown;
  reply_to_message?: unknown;
}

/** The forum thread a message was sent in, with its name when the message shows it; undefined for General or a non-forum chat. */
export function threadOfMessage(message: unknown): ThreadRef | undefined {
  if (typeof message !== "object" || message === null) return undefined;
  const m = message as MessageLike;
  if (m.is_topic_message !== true || typeof m.message_thread_id !== "number" || !Number.isInteger(m.message_thread_id) || m.message_thread_id <= 0) return undefined;
  // A message in a topic that answers nothing else replies to the topic's "created" service message.
  const created = (m.reply_to_message as { forum_topic_created?: { name?: unknown } } | undefined)?.forum_topic_created;
  const name = typeof created?.name === "string" && created.name.length > 0 ? created.name.slice(0, 128) : undefined;
  return { id: m.message_thread_id, ...(name !== undefined ? { name } : {}) };
}

/**
 * The thread an article goes to in a chat: that of the first of the article's topics the chat
 * follows (the article's own order: feed topics, then keyword matches); undefined = General.
 */
export function threadForTopics(record: Pick<ChatRecord, "topics" | "threads">, articleTopics: readonly string[]): number | undefined {
  if (!record.threads) return undefined;
  const first = articleTopics.find((t) => record.topics.includes(t));
  return first === undefined ? undefined : record.threads[first]?.id;
}

/** True for a forum supergroup (a chat object from an update). */
export function isForumChat(chat: unknown): boolean {
  const c = chat as { type?: unknown; is_forum?: unknown } | undefined;
  return c?.type === "supergroup" && c.is_forum === true;
}

/**
 * For /topics in a forum group: one line per subscribed topic saying which thread it goes to
 * (its name and a link when known) or that it goes to General; "" when the chat follows nothing.
 */
export function routeLines(record: Pick<ChatRecord, "id" | "topics" | "threads">, topics: ReadonlyArray<Pick<TopicDef, "id" | "name">>, lang: Lang): string {
  if (record.topics.length === 0) return "";
  const m = messages(lang);
  const lines = record.topics.map((id) => {
    const def = topics.find((t) => t.id === id);
    const topic = def ? topicName(def, lang) : id;
    const thread = record.threads?.[id];
    if (!thread) return m.routeGeneral({ topic });
    const link = threadLink(record.id, thread.id);
    return m.routeThread({ topic, thread: thread.name ?? m.threadNumber({ n: thread.id }), ...(link ? { link } : {}) });
  });
  return [m.routesHeader(), ...lines].join("\n");
}

/** Topic ids routed to thread `threadId`. */
export function topicsInThread(record: Pick<ChatRecord, "threads">, threadId: number): string[] {
  return Object.entries(record.threads ?? {})
    .filter(([, thread]) => thread.id === threadId)
    .map(([topic]) => topic);
}

/** A t.me link that opens a thread of a supergroup for its members; undefined for other chat ids. */
export function threadLink(chatId: number, threadId: number): string | undefined {
  const internal = -chatId - 1_000_000_000_000;
  return internal > 0 ? `https://t.me/c/${internal}/${threadId}` : undefined;
}

const THREAD_GONE = /message thread not found|TOPIC_CLOSED|TOPIC_DELETED|TOPIC_ID_INVALID/i;

/** True when Telegram refused a send because its forum thread is closed or gone (400 TOPIC_CLOSED, "message thread not found"). */
export function isThreadGone(errorCode: number | undefined, description: string | undefined): boolean {
  return errorCode === 400 && THREAD_GONE.test(description ?? "");
}
