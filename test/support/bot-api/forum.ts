/**
 * Forum supergroups (chats with `is_forum: true`) and their topics, after the Bot API docs:
 * createForumTopic / editForumTopic / closeForumTopic / reopenForumTopic / deleteForumTopic, and
 * `message_thread_id` on every sending method (checked in send.ts through `threadOf`).
 *
 * How tests use it (see test/support/bot-api-forum.test.ts):
 * - `double.registerChat({ id, type: "supergroup", title, is_forum: true })` declares a forum
 *   (the `supergroup({ is_forum: true })` builder in test/support/updates.ts gives a matching chat);
 * - the bot manages topics only as an admin: `double.setChatAdmins(chatId, [ownerId, double.botUser.id])`;
 *   `double.setCanManageTopics(chatId, false)` takes the can_manage_topics right away again;
 * - `double.addForumTopic(chatId, name)` opens a topic as a member would (returns its ForumTopic);
 * - `double.forumTopics(chatId)` lists the topics with their state (closed, deleted);
 * - `groupText(chat, from, text, { message_thread_id })` is a member's message inside a topic.
 *
 * Modelled strictly on purpose: any send into a closed topic fails with TOPIC_CLOSED, even from
 * an admin bot (Telegram lets admins post there), so a bot that forgets to reopen shows up in tests.
 */
import { badRequest } from "./errors.js";
import { numberParam } from "./context.js";
import type { Handler, MethodContext } from "./context.js";
import type { ChatStore, Msg } from "./state.js";
import type { Params } from "./types.js";

/** Telegram's six colours for a topic icon (RGB); the first is the default. */
export const TOPIC_ICON_COLORS = [0x6fb9f0, 0xffd67e, 0xcb86db, 0x8eee98, 0xff93b2, 0xfb6f5f] as const;

/** A ForumTopic as the Bot API returns it. */
export interface ForumTopic {
  message_thread_id: number;
  name: string;
  icon_color: number;
  icon_custom_emoji_id?: string;
}

/** One topic and what happened to it. */
export interface ForumTopicState {
  chatId: number;
  messageThreadId: number;
  name: string;
  iconColor: number;
  iconCustomEmojiId?: string;
  /** User id of whoever created it (the bot's id for createForumTopic). */
  createdBy: number;
  closed: boolean;
  deleted: boolean;
}

/** Topics per chat, and which bots lost the can_manage_topics right. */
export class ForumState {
  private readonly topics = new Map<number, Map<number, ForumTopicState>>();
  /** chats where the bot is an admin without can_manage_topics */
  readonly topicRightsDenied = new Set<number>();

  /** Creates a topic: the thread id is the id of its "topic created" service message, as on Telegram. */
  create(store: ChatStore, chatId: number, name: string, iconColor: number, createdBy: number, dateSeconds: number, iconCustomEmojiId?: string): ForumTopicState {
    const messageThreadId = store.nextMessageId(chatId);
    const topic: ForumTopicState = { chatId, messageThreadId, name, iconColor, createdBy, closed: false, deleted: false };
    if (iconCustomEmojiId !== undefined) topic.iconCustomEmojiId = iconCustomEmojiId;
    let inChat = this.topics.get(chatId);
    if (!inChat) {
      inChat = new Map();
      this.topics.set(chatId, inChat);
    }
    inChat.set(messageThreadId, topic);
    const service: Msg = {
      message_id: messageThreadId,
      message_thread_id: messageThreadId,
      is_topic_message: true,
      chat: store.chat(chatId),
      date: dateSeconds,
      ...(store.users.get(createdBy) ? { from: store.users.get(createdBy) } : {}),
      forum_topic_created: { name, icon_color: iconColor, ...(iconCustomEmojiId !== undefined ? { icon_custom_emoji_id: iconCustomEmojiId } : {}) },
    };
    store.put(service, createdBy === store.botId);
    return topic;
  }

  /** A topic that exists (deleted ones included: callers decide). */
  get(chatId: number, messageThreadId: number): ForumTopicState | undefined {
    return this.topics.get(chatId)?.get(messageThreadId);
  }

  /** Every topic of a chat, in creation order. */
  list(chatId: number): ForumTopicState[] {
    return [...(this.topics.get(chatId)?.values() ?? [])].map((t) => ({ ...t }));
  }
}

/** The ForumTopic object of a topic. */
export function forumTopicOf(topic: ForumTopicState): ForumTopic {
  return {
    message_thread_id: topic.messageThreadId,
    name: topic.name,
    icon_color: topic.iconColor,
    ...(topic.iconCustomEmojiId !== undefined ? { icon_custom_emoji_id: topic.iconCustomEmojiId } : {}),
  };
}

/** True for a supergroup declared with is_forum. */
export function isForum(store: ChatStore, chatId: number): boolean {
  const chat = store.chat(chatId);
  return chat.type === "supergroup" && chat.is_forum === true;
}

/**
 * The thread a new message goes into, or undefined for the chat itself (a forum's General topic).
 * An explicit message_thread_id must name an open topic (forum) or an existing message (other
 * groups' reply threads); without one, a reply lands in the thread of the message it answers.
 * Returns whether it is a forum topic message (`is_topic_message`).
 */
export function threadOf(store: ChatStore, chatId: number, params: Params, replyTo: Msg | undefined): { messageThreadId: number; isTopicMessage: boolean } | undefined {
  const forum = isForum(store, chatId);
  const explicit = numberParam(params.message_thread_id);
  if (explicit === undefined) {
    const inherited = numberParam(replyTo?.message_thread_id);
    if (inherited === undefined || replyTo?.is_topic_message !== true || !forum) return undefined;
    checkOpen(store, chatId, inherited);
    return { messageThreadId: inherited, isTopicMessage: true };
  }
  if (forum) {
    checkOpen(store, chatId, explicit);
    return { messageThreadId: explicit, isTopicMessage: true };
  }
  if (store.chat(chatId).type === "private" || !store.find(chatId, explicit)) throw badRequest("message thread not found");
  return { messageThreadId: explicit, isTopicMessage: false };
}

function checkOpen(store: ChatStore, chatId: number, messageThreadId: number): void {
  const topic = store.forum.get(chatId, messageThreadId);
  if (!topic || topic.deleted) throw badRequest("message thread not found");
  if (topic.closed) throw badRequest("TOPIC_CLOSED");
}

/** The forum chat named by chat_id, after the checks every topic method makes. */
function forumChat(ctx: MethodContext, params: Params): number {
  const chatId = ctx.store.resolveChatId(params.chat_id);
  ctx.store.checkWritable(chatId);
  if (!isForum(ctx.store, chatId)) throw badRequest("the chat is not a forum");
  return chatId;
}

function botCanManageTopics(ctx: MethodContext, chatId: number): boolean {
  const admins = ctx.store.admins.get(chatId) ?? [];
  return admins.includes(ctx.botUser.id) && !ctx.store.forum.topicRightsDenied.has(chatId);
}

/** The topic named by message_thread_id that the bot may edit, close or reopen (its own, or any with the right). */
function manageableTopic(ctx: MethodContext, params: Params): ForumTopicState {
  const chatId = forumChat(ctx, params);
  const id = numberParam(params.message_thread_id);
  const topic = id === undefined ? undefined : ctx.store.forum.get(chatId, id);
  if (!topic || topic.deleted) throw badRequest("TOPIC_ID_INVALID");
  if (topic.createdBy !== ctx.botUser.id && !botCanManageTopics(ctx, chatId)) throw badRequest("CHAT_ADMIN_REQUIRED");
  return topic;
}

function topicName(value: unknown, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== "string" || value.length === 0) throw badRequest(required ? "topic name is empty" : "TOPIC_NOT_MODIFIED");
  if ([...value].length > 128) throw badRequest("TOPIC_TITLE_TOO_LONG");
  return value;
}

const createForumTopic: Handler = (params, ctx) => {
  const chatId = forumChat(ctx, params);
  if (!botCanManageTopics(ctx, chatId)) throw badRequest("not enough rights to create a topic");
  const name = topicName(params.name, true)!;
  const color = params.icon_color === undefined ? TOPIC_ICON_COLORS[0] : numberParam(params.icon_color);
  if (color === undefined || !(TOPIC_ICON_COLORS as readonly number[]).includes(color)) throw badRequest("TOPIC_ICON_COLOR_INVALID");
  const emoji = typeof params.icon_custom_emoji_id === "string" && params.icon_custom_emoji_id !== "" ? params.icon_custom_emoji_id : undefined;
  const topic = ctx.store.forum.create(ctx.store, chatId, name, color, ctx.botUser.id, Math.floor(ctx.nowMs() / 1000), emoji);
  return forumTopicOf(topic);
};

const editForumTopic: Handler = (params, ctx) => {
  const topic = manageableTopic(ctx, params);
  const name = topicName(params.name, false);
  const emoji = typeof params.icon_custom_emoji_id === "string" ? params.icon_custom_emoji_id : undefined;
  const changesName = name !== undefined && name !== topic.name;
  const changesEmoji = emoji !== undefined && emoji !== (topic.iconCustomEmojiId ?? "");
  if (!changesName && !changesEmoji) throw badRequest("TOPIC_NOT_MODIFIED");
  if (changesName) topic.name = name;
  if (changesEmoji) {
    if (emoji === "") delete topic.iconCustomEmojiId;
    else topic.iconCustomEmojiId = emoji;
  }
  return true;
};

function setClosed(closed: boolean): Handler {
  return (params, ctx) => {
    const topic = manageableTopic(ctx, params);
    if (topic.closed === closed) throw badRequest("TOPIC_NOT_MODIFIED");
    topic.closed = closed;
    return true;
  };
}

const deleteForumTopic: Handler = (params, ctx) => {
  const chatId = forumChat(ctx, params);
  const id = numberParam(params.message_thread_id);
  const topic = id === undefined ? undefined : ctx.store.forum.get(chatId, id);
  if (!topic || topic.deleted) throw badRequest("TOPIC_ID_INVALID");
  if (!botCanManageTopics(ctx, chatId)) throw badRequest("CHAT_ADMIN_REQUIRED");
  topic.deleted = true;
  ctx.store.deleteThread(chatId, topic.messageThreadId);
  return true;
};

/** The topic methods, registered in bot-api-double.ts. */
export const forumHandlers: Record<string, Handler> = {
  createForumTopic,
  editForumTopic,
  closeForumTopic: setClosed(true),
  reopenForumTopic: setClosed(false),
  deleteForumTopic,
};
