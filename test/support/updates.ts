/**
 * Builders for well-formed Telegram updates, for bot.handleUpdate() and BotApiDouble.pushUpdate().
 * update_id, message_id, query and file ids increase across one test file (module state).
 */
import type { CallbackQuery, Chat, InlineQuery, Message, MessageEntity, Update, User } from "telegraf/types";

type MessageOrigin = NonNullable<Message.CommonMessage["forward_origin"]>;

let lastUpdateId = 0;
let lastMessageId = 0;
let lastUserId = 1000;
let lastChatNumber = 0;
let lastQueryId = 0;
let lastFileNumber = 0;

/** The username of BotApiDouble's default bot, for "/cmd@newsdesk_test_bot". */
export const BOT_USERNAME = "newsdesk_test_bot";

type Human = Pick<User, "id" | "first_name"> & Partial<User>;

/** A human user; id, first_name default to fresh values ("Reader 1001"). */
export function user(fields: Partial<User> = {}): User {
  const id = fields.id ?? ++lastUserId;
  return { is_bot: false, first_name: `Reader ${id}`, ...fields, id };
}

/** The private chat with a user. */
export function privateChat(from: Human): Chat.PrivateChat {
  return {
    id: from.id,
    type: "private",
    first_name: from.first_name,
    ...(from.last_name !== undefined ? { last_name: from.last_name } : {}),
    ...(from.username !== undefined ? { username: from.username } : {}),
  };
}

/** A basic group (small negative id). */
export function group(fields: Partial<Omit<Chat.GroupChat, "type">> = {}): Chat.GroupChat {
  const n = ++lastChatNumber;
  return { id: -(400_000_000 + n), title: `Group ${n}`, ...fields, type: "group" };
}

/** A supergroup (-100… id), e.g. the newsroom chat; `supergroup({ is_forum: true })` is one with topics. */
export function supergroup(fields: Partial<Omit<Chat.SupergroupChat, "type">> = {}): Chat.SupergroupChat {
  const n = ++lastChatNumber;
  return { id: -(1_002_000_000_000 + n), title: `Supergroup ${n}`, ...fields, type: "supergroup" };
}

/** A channel (-100… id). */
export function channel(fields: Partial<Omit<Chat.ChannelChat, "type">> = {}): Chat.ChannelChat {
  const n = ++lastChatNumber;
  return { id: -(1_003_000_000_000 + n), title: `Channel ${n}`, ...fields, type: "channel" };
}

/** Options every message builder takes. */
export interface MessageOptions {
  /** Chat the message is in (default: the sender's private chat). */
  chat?: Chat;
  /** Unix seconds (default now). */
  date?: number;
  /** A forum topic the message is in (sets message_thread_id and is_topic_message: true). */
  message_thread_id?: number;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** bot_command entities, as Telegram marks them: "/cmd" or "/cmd@bot" at a word start. */
export function commandEntities(text: string): MessageEntity[] {
  const entities: MessageEntity[] = [];
  for (const match of text.matchAll(/(^|\s)(\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?)(?=$|\s)/g)) {
    const offset = (match.index ?? 0) + (match[1]?.length ?? 0);
    entities.push({ type: "bot_command", offset, length: match[2]!.length });
  }
  return entities;
}

function base(from: Human, opts: MessageOptions) {
  return {
    message_id: ++lastMessageId,
    from: user(from),
    chat: opts.chat ?? privateChat(from),
    date: opts.date ?? nowSeconds(),
    ...(opts.message_thread_id !== undefined ? { message_thread_id: opts.message_thread_id, is_topic_message: true as const } : {}),
  };
}

function textMessage(from: Human, text: string, opts: MessageOptions): Update.MessageUpdate<Message.TextMessage> {
  const entities = commandEntities(text);
  const message = { ...base(from, opts), text, ...(entities.length > 0 ? { entities } : {}) };
  return { update_id: ++lastUpdateId, message } as Update.MessageUpdate<Message.TextMessage>;
}

/** A text message in the sender's private chat (a leading "/cmd" gets its bot_command entity). */
export function privateText(from: Human, text: string, opts: Omit<MessageOptions, "chat"> = {}): Update.MessageUpdate<Message.TextMessage> {
  return textMessage(from, text, opts);
}

/** A command in a private chat, e.g. command(u, "/start tip") or "/help@newsdesk_test_bot". */
export function command(from: Human, text: string, opts: Omit<MessageOptions, "chat"> = {}): Update.MessageUpdate<Message.TextMessage> {
  if (!text.startsWith("/")) throw new Error(`command() needs text starting with "/", got ${JSON.stringify(text)}`);
  return textMessage(from, text, opts);
}

/** A text message in a group, supergroup or other chat. */
export function groupText(chat: Chat, from: Human, text: string, opts: Omit<MessageOptions, "chat"> = {}): Update.MessageUpdate<Message.TextMessage> {
  return textMessage(from, text, { ...opts, chat });
}

/** A command in a group; pass "/cmd@newsdesk_test_bot" to address the bot explicitly. */
export function groupCommand(chat: Chat, from: Human, text: string, opts: Omit<MessageOptions, "chat"> = {}): Update.MessageUpdate<Message.TextMessage> {
  if (!text.startsWith("/")) throw new Error(`groupCommand() needs text starting with "/", got ${JSON.stringify(text)}`);
  return textMessage(from, text, { ...opts, chat });
}

/** Options for media messages. */
export interface MediaOptions extends MessageOptions {
  media_group_id?: string;
  /** Reuse a file id (default: a fresh one). */
  fileId?: string;
}

function fileIds(prefix: string, fileId?: string): { file_id: string; file_unique_id: string } {
  const n = ++lastFileNumber;
  const id = fileId ?? `${prefix}-file-${n}`;
  return { file_id: id, file_unique_id: `u-${id}` };
}

function mediaUpdate<M extends Message>(from: Human, opts: MediaOptions, caption: string | undefined, fields: object): Update.MessageUpdate<M> {
  const message = {
    ...base(from, opts),
    ...(opts.media_group_id !== undefined ? { media_group_id: opts.media_group_id } : {}),
    ...(caption !== undefined ? { caption } : {}),
    ...fields,
  };
  return { update_id: ++lastUpdateId, message } as Update.MessageUpdate<M>;
}

/** A photo (two sizes), with an optional caption; set opts.media_group_id for albums. */
export function photo(from: Human, caption?: string, opts: MediaOptions = {}): Update.MessageUpdate<Message.PhotoMessage> {
  const ids = fileIds("photo", opts.fileId);
  const sizes = [
    { ...ids, file_unique_id: `${ids.file_unique_id}-s`, width: 90, height: 67, file_size: 1_200 },
    { ...ids, width: 1280, height: 960, file_size: 96_000 },
  ];
  return mediaUpdate(from, opts, caption, { photo: sizes });
}

/** A video with an optional caption. */
export function video(from: Human, caption?: string, opts: MediaOptions = {}): Update.MessageUpdate<Message.VideoMessage> {
  const file = { ...fileIds("video", opts.fileId), width: 1280, height: 720, duration: 12, mime_type: "video/mp4", file_size: 2_400_000 };
  return mediaUpdate(from, opts, caption, { video: file });
}

/** A voice note (no caption, as readers usually send them). */
export function voice(from: Human, opts: MediaOptions & { durationSeconds?: number } = {}): Update.MessageUpdate<Message.VoiceMessage> {
  const file = { ...fileIds("voice", opts.fileId), duration: opts.durationSeconds ?? 7, mime_type: "audio/ogg", file_size: 30_000 };
  return mediaUpdate(from, opts, undefined, { voice: file });
}

/** A document (file), with optional caption and file name. */
export function document(
  from: Human,
  opts: MediaOptions & { caption?: string; file_name?: string; mime_type?: string; file_size?: number } = {},
): Update.MessageUpdate<Message.DocumentMessage> {
  const file = { ...fileIds("document", opts.fileId), file_name: opts.file_name ?? "notes.pdf", mime_type: opts.mime_type ?? "application/pdf", file_size: opts.file_size ?? 52_000 };
  return mediaUpdate(from, opts, opts.caption, { document: file });
}

/** A shared location. */
export function location(from: Human, latitude: number, longitude: number, opts: MessageOptions = {}): Update.MessageUpdate<Message.LocationMessage> {
  return { update_id: ++lastUpdateId, message: { ...base(from, opts), location: { latitude, longitude } } } as Update.MessageUpdate<Message.LocationMessage>;
}

/** A shared contact (default: the sender's own, as the "share my phone" button sends it). */
export function contact(
  from: Human,
  phone_number: string,
  opts: MessageOptions & { first_name?: string; user_id?: number } = {},
): Update.MessageUpdate<Message.ContactMessage> {
  const shared = { phone_number, first_name: opts.first_name ?? from.first_name, user_id: opts.user_id ?? from.id };
  return { update_id: ++lastUpdateId, message: { ...base(from, opts), contact: shared } } as Update.MessageUpdate<Message.ContactMessage>;
}

/** A text reply to a message, in that message's chat and forum topic (e.g. staff answering a tip card). */
export function reply(from: Human, text: string, replyTo: Message, opts: Omit<MessageOptions, "chat"> = {}): Update.MessageUpdate<Message.TextMessage> {
  const inTopic = replyTo.is_topic_message === true && replyTo.message_thread_id !== undefined;
  const thread = opts.message_thread_id ?? (inTopic ? replyTo.message_thread_id : undefined);
  const update = textMessage(from, text, { ...opts, chat: replyTo.chat, ...(thread !== undefined ? { message_thread_id: thread } : {}) });
  // Telegram does not nest replies inside reply_to_message
  const { reply_to_message: _nested, ...quoted } = replyTo as Message & { reply_to_message?: unknown };
  (update.message as Message.TextMessage).reply_to_message = quoted as Message.TextMessage["reply_to_message"];
  return update;
}

/** A callback query from a button on `message` (normally a message the bot sent). */
export function callbackQuery(from: Human, data: string, message: Message): Update.CallbackQueryUpdate<CallbackQuery.DataQuery> {
  const id = `${++lastQueryId}00${from.id}`;
  const query: CallbackQuery.DataQuery = { id, from: user(from), message, chat_instance: `ci${message.chat.id}`.replace("-", "n"), data };
  return { update_id: ++lastUpdateId, callback_query: query };
}

/** An inline query ("@newsdesk_test_bot words"). */
export function inlineQuery(from: Human, query: string, offset = "", chatType: InlineQuery["chat_type"] = "sender"): Update.InlineQueryUpdate {
  const inline: InlineQuery = { id: `${++lastQueryId}11${from.id}`, from: user(from), query, offset, ...(chatType ? { chat_type: chatType } : {}) };
  return { update_id: ++lastUpdateId, inline_query: inline };
}

/** A post in a channel: no `from`, sender_chat is the channel. */
export function channelPost(chat: Chat.ChannelChat, text: string, opts: { date?: number; author_signature?: string } = {}): Update.ChannelPostUpdate<Message.TextMessage> {
  const entities = commandEntities(text);
  const post = {
    message_id: ++lastMessageId,
    sender_chat: chat,
    chat,
    date: opts.date ?? nowSeconds(),
    text,
    ...(entities.length > 0 ? { entities } : {}),
    ...(opts.author_signature !== undefined ? { author_signature: opts.author_signature } : {}),
  };
  return { update_id: ++lastUpdateId, channel_post: post };
}

/**
 * A text the sender forwarded: origin is a User (visible), a channel (with its post id),
 * or a string (a user who hides their account: "hidden_user").
 */
export function forwarded(
  from: Human,
  text: string,
  origin: User | Chat.ChannelChat | string,
  opts: MessageOptions & { originDate?: number; originMessageId?: number } = {},
): Update.MessageUpdate<Message.TextMessage> {
  const date = opts.originDate ?? nowSeconds() - 3600;
  // typegram's MessageOrigin types omit `date`, which Telegram always sends
  let forwardOrigin: Record<string, unknown>;
  if (typeof origin === "string") forwardOrigin = { type: "hidden_user", sender_user_name: origin, date };
  else if ("type" in origin) forwardOrigin = { type: "channel", chat: origin, message_id: opts.originMessageId ?? 1, date };
  else forwardOrigin = { type: "user", sender_user: origin, date };
  const update = textMessage(from, text, opts);
  update.message.forward_origin = forwardOrigin as unknown as MessageOrigin;
  return update;
}

/** The message inside a message or channel-post update (handy for reply() and callbackQuery()). */
export function messageOf(update: Update): Message {
  if ("message" in update) return update.message;
  if ("channel_post" in update) return update.channel_post;
  throw new Error("update carries no message");
}
