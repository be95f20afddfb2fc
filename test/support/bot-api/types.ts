import type { Message } from "telegraf/types";

/** Parameters of one Bot API call, after JSON / form / multipart decoding. */
export type Params = Record<string, unknown>;

/** One call the double answered, in the order the answers went out. */
export interface ApiCall {
  method: string;
  params: Params;
  /** Time the request arrived, in ms from the double's clock. */
  at: number;
  ok: boolean;
  errorCode?: number;
  description?: string;
  result?: unknown;
}

/** A message entity as Telegram returns it. */
export interface Entity {
  type: string;
  offset: number;
  length: number;
  url?: string;
}

/** The kind of content a sent message carries. */
export type SentKind =
  | "text"
  | "photo"
  | "video"
  | "voice"
  | "audio"
  | "animation"
  | "document"
  | "location"
  | "contact"
  | "other";

/** A message the bot sent successfully; edits and deletions update it in place. */
export interface SentMessage {
  /** The Bot API method that produced it (copyMessage, sendMediaGroup, …). */
  method: string;
  chatId: number;
  messageId: number;
  kind: SentKind;
  /** Plain text (message text or caption) after HTML parsing; "" when there is none. */
  text: string;
  entities: Entity[];
  /** The text or caption as the bot sent it (HTML source when parse_mode was HTML). */
  source: string | undefined;
  replyMarkup: unknown;
  mediaGroupId: string | undefined;
  params: Params;
  /** The Message object that was returned to the bot (kept current on edits). */
  message: Message;
  edited: boolean;
  deleted: boolean;
}

/** Rate limits, Telegram's published figures by default. */
export interface Limits {
  /** Messages per second over all chats (default 30). */
  globalPerSecond: number;
  /** Messages per second into one private chat (default 1). */
  privatePerSecond: number;
  /** Messages a private chat may take at once before privatePerSecond applies (default 3). */
  privateBurst: number;
  /** Messages per minute into one group, supergroup or channel (default 20). */
  groupPerMinute: number;
  /** Whether any limit applies (default true). */
  enabled: boolean;
}

/** An error the double answers with. */
export interface InjectedError {
  code: number;
  description: string;
  retryAfterSeconds?: number;
  migrateToChatId?: number;
}

/** Counters over the double's lifetime. */
export interface DoubleStats {
  /** Calls answered with ok:true. */
  accepted: number;
  /** Calls answered with ok:false (any code). */
  rejected: number;
  rejected429: number;
  /** Messages created by sending methods (one per media group item). */
  messagesSent: number;
  /** Messages sent with allow_paid_broadcast (each costs 0.1 Star on Telegram). */
  paidMessages: number;
  /** Updates handed out by getUpdates or accepted by the webhook. */
  updatesDelivered: number;
}
