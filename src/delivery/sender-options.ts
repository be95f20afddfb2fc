import type { Logger } from "../log.js";
import type { RetryPolicy } from "../telegram/policy.js";
import type { Outbox } from "./outbox.js";
import type { Pacer } from "./pacer.js";
import type { Clock, Sleep } from "./time.js";
import type { BundleRenderFn, RenderFn, TelegramSender } from "./types.js";

/** What the sender needs from the chat records (ChatRepo satisfies it). */
export interface ChatStatus {
  deactivate(chatId: number, reason: string): Promise<unknown>;
  migrate(oldChatId: number, newChatId: number): Promise<unknown>;
  /** false = known and inactive (bulk deliveries are dropped); undefined = unknown chat. */
  isActive?(chatId: number): boolean | undefined;
}

export type { RetryPolicy } from "../telegram/policy.js";

/** Something worth logging; never carries message contents. */
export interface SenderEvent {
  type: "transient" | "bad-request" | "dead-letter" | "chat-gone" | "chat-migrated" | "rate-limited" | "store-error";
  chatId?: number;
  method?: string;
  detail: string;
}

/** Dependencies and knobs of the sender. */
export interface SenderOptions {
  outbox: Outbox;
  telegram: TelegramSender;
  chats: ChatStatus;
  /** Renders `render` payloads (required if any are enqueued). */
  render?: RenderFn;
  /** Renders several waiting deliveries for one chat as one message (with `bundle`). */
  renderBundle?: BundleRenderFn | undefined;
  /** Bundling of bulk render deliveries: from `minArticles` waiting for one chat, at most `maxArticles` per message (default off). */
  bundle?: { minArticles: number; maxArticles: number } | undefined;
  /** Default: a Pacer with Telegram's limits on `clock`. */
  pacer?: Pacer;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: real timers. */
  sleep?: Sleep;
  /** Default { maxAttempts: 5, baseDelaySeconds: 2, maxDelaySeconds: 300 }. */
  retry?: Partial<RetryPolicy>;
  /** Paid broadcasts may be queued (config delivery.paidBroadcast): they go past the 30/s budget, up to 1000/s (default false). */
  paidBroadcasts?: boolean;
  /** Concurrent sends (default 32: 30/s at up to ~1 s per call). */
  maxInFlight?: number;
  /** Slots only interactive replies may use (default 2; at most maxInFlight - 1). */
  reservedInteractive?: number;
  /** Chats whose deliveries must never be dropped (the newsroom: tips wait until it is reachable again); "gone" is retried like a transient error (default: none). */
  neverDrop?: (chatId: number) => boolean;
  /** Called for errors and notable outcomes (default: ignore). */
  onEvent?: (event: SenderEvent) => void;
}

/** Counters for /stats and metrics. */
export interface DeliveryStats {
  sent: number;
  /** Failed attempts other than 429 (each retry counts). */
  failed: number;
  deadLettered: number;
  /** Skipped: chat gone or inactive, or render said skip. */
  dropped: number;
  rateLimited429: number;
  /** Articles that went out inside bundle messages (each bundle counts once in `sent`). */
  bundled?: number;
  pending: number;
  inFlight: number;
  /** Age of the oldest pending delivery, seconds (0 when none). */
  lagSeconds: number;
  /** Dead letters in the store, all runs. */
  deadLetterTotal: number;
  /** Messages it takes to send what waits now (bundles count once). */
  backlogMessages: number;
  /** Messages per second of the last minute (the allowed rate before the first send). */
  sendRatePerSecond: number;
  /** backlogMessages at sendRatePerSecond: when everyone will have everything waiting now. */
  drainSeconds: number;
}

/** Logs delivery events (warnings for failures); a private chat id is a reader's id, so only the chat type is logged. */
export function deliveryEventLogger(logger: Logger): (e: SenderEvent) => void {
  return (e) =>
    (e.type === "transient" || e.type === "store-error" || e.type === "dead-letter" ? logger.warn : logger.info).call(
      logger,
      { event: e.type, method: e.method, chatType: e.chatId === undefined ? undefined : e.chatId > 0 ? "private" : "group", detail: e.detail },
      "delivery event",
    );
}
