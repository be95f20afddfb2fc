/**
 * Typed Telegram errors. Failures arrive as telegraf's `TelegramError` shape
 * (`{ response: { error_code, description, parameters } }`) or as network errors; every sender
 * (bulk delivery, the tip queue, replies) reasons only about the classes below, through the one
 * failure policy in ./policy.ts.
 */

/** Where a pause applies: one chat's own limit, or the bot's global 30/s budget. */
export type RateLimitScope = "chat" | "global";

/** Base class of every error the sender reasons about; `kind` makes switches exhaustive. */
export abstract class DeliveryError extends Error {
  abstract readonly kind: "rate-limited" | "chat-gone" | "chat-migrated" | "bad-request" | "transient";
}

/** 429 Too Many Requests: wait `retryAfterSeconds`, then retry (does not count as an attempt). */
export class RateLimited extends DeliveryError {
  readonly kind = "rate-limited" as const;
  constructor(
    readonly retryAfterSeconds: number,
    readonly scope: RateLimitScope,
  ) {
    super(`rate limited (${scope}) for ${retryAfterSeconds}s`);
    this.name = "RateLimited";
  }
}

/** The chat can no longer receive messages (403 blocked/kicked/deactivated, 400 chat not found). */
export class ChatGone extends DeliveryError {
  readonly kind = "chat-gone" as const;
  constructor(
    readonly chatId: number,
    readonly reason: string,
  ) {
    // The id stays a field, not in the message: a private chat id is a reader's Telegram id.
    super(`chat gone: ${reason}`);
    this.name = "ChatGone";
  }
}

/** A group became a supergroup; resend to `newChatId`. */
export class ChatMigrated extends DeliveryError {
  readonly kind = "chat-migrated" as const;
  constructor(readonly newChatId: number) {
    super(`chat migrated to ${newChatId}`);
    this.name = "ChatMigrated";
  }
}

/** Telegram rejected the request itself (e.g. can't parse entities): retried a bounded number of times. */
export class BadRequest extends DeliveryError {
  readonly kind = "bad-request" as const;
  constructor(
    readonly description: string,
    readonly errorCode = 400,
  ) {
    super(`${errorCode}: ${description}`);
    this.name = "BadRequest";
  }
}

/** Worth retrying without limit: 5xx, network failures, timeouts, store errors, bad token/config. */
export class Transient extends DeliveryError {
  readonly kind = "transient" as const;
  constructor(
    readonly description: string,
    options?: { cause?: unknown },
  ) {
    super(description, options);
    this.name = "Transient";
  }
}

/** Every delivery error, discriminated by `kind`. */
export type ClassifiedError = RateLimited | ChatGone | ChatMigrated | BadRequest | Transient;

interface TelegramErrorShape {
  response: { error_code: number; description?: string; parameters?: { retry_after?: number; migrate_to_chat_id?: number } };
}

function isTelegramErrorShape(err: unknown): err is TelegramErrorShape {
  if (typeof err !== "object" || err === null || !("response" in err)) return false;
  const response = err.response;
  return typeof response === "object" && response !== null && typeof (response as { error_code?: unknown }).error_code === "number";
}

const GONE_400 = /chat not found|user not found|peer_id_invalid|bot was kicked|chat was deleted|have no rights to send a message|need administrator rights in the channel/i;

/**
 * Maps anything a Telegram call threw to a DeliveryError. A 429 names no scope, so it is taken as
 * the chat's own (one reader's burst of commands must not slow everyone); the pacer infers a global
 * limit only from evidence across chats (see Pacer.rateLimited).
 */
export function classifyTelegramError(err: unknown, chatId: number): ClassifiedError {
  if (err instanceof RateLimited || err instanceof ChatGone || err instanceof ChatMigrated || err instanceof BadRequest || err instanceof Transient) {
    return err;
  }
  if (!isTelegramErrorShape(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return new Transient(`network or client error: ${message}`, { cause: err });
  }
  const { error_code: code, description = "", parameters } = err.response;
  if (code === 429) {
    const retryAfterSeconds = Math.max(1, Math.ceil(parameters?.retry_after ?? 1));
    return new RateLimited(retryAfterSeconds, "chat");
  }
  if (parameters?.migrate_to_chat_id !== undefined) return new ChatMigrated(parameters.migrate_to_chat_id);
  if (code === 403) return new ChatGone(chatId, description || "forbidden");
  if (code === 400 && GONE_400.test(description)) return new ChatGone(chatId, description);
  // 401 (bad token) and 404 (bad token or API root) are the operator's problem, not the message's:
  // keep the delivery pending instead of dead-lettering the whole backlog.
  if (code >= 500 || code === 401 || code === 404 || code === 409) return new Transient(`${code}: ${description}`);
  return new BadRequest(description || "bad request", code);
}

/** The Bot API's error_code of a failed call, or undefined for network and client errors. */
export function telegramErrorCode(err: unknown): number | undefined {
  return isTelegramErrorShape(err) ? err.response.error_code : undefined;
}
