import { createHash } from "node:crypto";
import { ApiFailure, badRequest } from "./errors.js";
import type { Update, User } from "telegraf/types";
import { ForumState } from "./forum.js";
import type { SentMessage } from "./types.js";

/** A chat as Telegram describes it inside a Message. */
export interface ChatInfo {
  id: number;
  type: "private" | "group" | "supergroup" | "channel";
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
  /** A supergroup with topics (see forum.ts). */
  is_forum?: true;
}

/** A Message object as a plain record (the double builds them field by field). */
export type Msg = Record<string, unknown> & { message_id: number; date: number; chat: ChatInfo };

/** A message the double knows about: sent by the bot, or seen in a pushed update. */
export interface StoredMessage {
  message: Msg;
  fromBot: boolean;
  deleted: boolean;
  sent?: SentMessage;
}

const SUPERGROUP_ID_BELOW = -1_000_000_000_000;

/** Chats, their messages and fault flags: everything the methods read and write. */
export class ChatStore {
  private readonly chats = new Map<number, ChatInfo>();
  private readonly idByUsername = new Map<string, number>();
  private readonly messages = new Map<number, Map<number, StoredMessage>>();
  private readonly lastMessageId = new Map<number, number>();
  private nextSyntheticChannelId = -1_009_000_000_000;
  readonly sent: SentMessage[] = [];
  /** chat id → the 403 description its sends get */
  readonly blocked = new Map<number, string>();
  /** old group id → supergroup id */
  readonly migrated = new Map<number, number>();
  readonly admins = new Map<number, number[]>();
  readonly users = new Map<number, User>();
  /** ids of callback / inline queries pushed and not yet answered */
  readonly callbackQueries = new Set<string>();
  readonly inlineQueries = new Set<string>();
  /** bot commands by scope and language */
  readonly commands = new Map<string, unknown[]>();
  /** forum topics (forum.ts) */
  readonly forum = new ForumState();

  /** Learns chats, users, messages and query ids from an update, so later calls can refer to them. */
  learn(update: Update): void {
    const record = update as unknown as Record<string, unknown>;
    for (const key of ["message", "channel_post", "business_message"]) {
      const message = record[key] as Msg | undefined;
      if (!message?.chat) continue;
      // ids in a chat are shared by everyone and only grow: renumber (in place, so the test's
      // object agrees) a builder's id that the bot's own messages already passed
      if (message.message_id <= (this.lastMessageId.get(message.chat.id) ?? 0)) {
        message.message_id = this.nextMessageId(message.chat.id);
      }
      this.learnMessage(message);
    }
    for (const key of ["edited_message", "edited_channel_post"]) {
      const message = record[key] as Msg | undefined;
      if (message?.chat) this.learnMessage(message);
    }
    const callback = record.callback_query as { id: string; from: User; message?: Msg } | undefined;
    if (callback) {
      this.callbackQueries.add(callback.id);
      this.users.set(callback.from.id, callback.from);
      // the bot's own message the button sat on is already known; only learn others
      if (callback.message?.chat && !this.find(callback.message.chat.id, callback.message.message_id)) {
        this.learnMessage(callback.message);
      }
    }
    const inline = record.inline_query as { id: string; from: User } | undefined;
    if (inline) {
      this.inlineQueries.add(inline.id);
      this.users.set(inline.from.id, inline.from);
    }
  }

  private learnMessage(message: Msg): void {
    // an update's chat may omit is_forum; a test's registerChat({ is_forum: true }) still holds
    const known = this.chats.get(message.chat.id);
    this.registerChat(known?.is_forum && message.chat.is_forum === undefined ? { ...message.chat, is_forum: true } : message.chat);
    const from = message.from as User | undefined;
    if (from) this.users.set(from.id, from);
    const reply = message.reply_to_message as Msg | undefined;
    if (reply?.chat && !this.find(reply.chat.id, reply.message_id)) this.put(reply, false);
    this.put(message, from?.is_bot === true && from.id === this.botId);
  }

  /** The bot's user id, so messages in updates that the bot itself wrote stay editable. */
  botId = 0;

  /** Turns a chat_id parameter into a numeric id (Telegram's errors for empty or unknown ids). */
  resolveChatId(raw: unknown, field = "chat_id"): number {
    if (raw === undefined || raw === null || raw === "") throw badRequest(`${field} is empty`);
    if (typeof raw === "number" && Number.isInteger(raw)) return raw;
    if (typeof raw === "string" && /^-?\d+$/.test(raw)) return Number(raw);
    if (typeof raw === "string" && /^@\w{4,}$/.test(raw)) {
      const username = raw.slice(1).toLowerCase();
      const known = this.idByUsername.get(username);
      if (known !== undefined) return known;
      // a public channel the tests address by @username: give it a stable made-up id
      const id = this.nextSyntheticChannelId--;
      this.registerChat({ id, type: "channel", title: raw.slice(1), username: raw.slice(1) });
      return id;
    }
    throw badRequest("chat not found");
  }

  /** The chat with this id; unknown ids get a type inferred from the id's sign and size. */
  chat(id: number): ChatInfo {
    const known = this.chats.get(id);
    if (known) return known;
    const inferred: ChatInfo =
      id > 0
        ? { id, type: "private", first_name: `User ${id}` }
        : { id, type: id < SUPERGROUP_ID_BELOW ? "supergroup" : "group", title: `Chat ${id}` };
    this.chats.set(id, inferred);
    this.inferred.add(id);
    return inferred;
  }

  /** Ids the double made a chat up for (sends are lenient); methods that need a real chat check knows(). */
  private readonly inferred = new Set<number>();

  /** True for a chat seen in a pushed update or declared with registerChat (one Telegram would find). */
  knows(id: number): boolean {
    return this.chats.has(id) && !this.inferred.has(id);
  }

  /** Records what a pushed update told us about a chat. */
  registerChat(chat: ChatInfo): void {
    this.inferred.delete(chat.id);
    this.chats.set(chat.id, { ...chat });
    if (chat.username) this.idByUsername.set(chat.username.toLowerCase(), chat.id);
  }

  /** Throws the 400 / 403 that Telegram gives for writing to a migrated or blocked chat. */
  checkWritable(chatId: number): void {
    const migrateTo = this.migrated.get(chatId);
    if (migrateTo !== undefined) {
      throw new ApiFailure(400, "Bad Request: group chat was upgraded to a supergroup chat", {
        migrate_to_chat_id: migrateTo,
      });
    }
    const blocked = this.blocked.get(chatId);
    if (blocked !== undefined) throw new ApiFailure(403, blocked);
  }

  /** The next message id in a chat (ids are per chat and shared by the bot and the people in it). */
  nextMessageId(chatId: number): number {
    const id = (this.lastMessageId.get(chatId) ?? 0) + 1;
    this.lastMessageId.set(chatId, id);
    return id;
  }

  /** Stores a message (bot's own or from a pushed update); a later one with the same id replaces it. */
  put(message: Msg, fromBot: boolean, sent?: SentMessage): StoredMessage {
    const chatId = message.chat.id;
    let inChat = this.messages.get(chatId);
    if (!inChat) {
      inChat = new Map();
      this.messages.set(chatId, inChat);
    }
    const stored: StoredMessage = { message, fromBot, deleted: false };
    if (sent) stored.sent = sent;
    inChat.set(message.message_id, stored);
    if (message.message_id > (this.lastMessageId.get(chatId) ?? 0)) {
      this.lastMessageId.set(chatId, message.message_id);
    }
    return stored;
  }

  /** Marks every message of a forum topic deleted (deleteForumTopic). */
  deleteThread(chatId: number, messageThreadId: number): void {
    for (const stored of this.messages.get(chatId)?.values() ?? []) {
      if (stored.message.message_thread_id !== messageThreadId || stored.message.is_topic_message !== true) continue;
      stored.deleted = true;
      if (stored.sent) stored.sent.deleted = true;
    }
  }

  /** A message that exists and was not deleted. */
  find(chatId: number, messageId: unknown): StoredMessage | undefined {
    const id = typeof messageId === "string" ? Number(messageId) : messageId;
    if (typeof id !== "number") return undefined;
    const stored = this.messages.get(chatId)?.get(id);
    return stored && !stored.deleted ? stored : undefined;
  }
}

/** Short stable hash, for made-up file ids. */
export function shortHash(value: string): string {
  return createHash("sha256").update(value).digest("base64url").slice(0, 16);
}
