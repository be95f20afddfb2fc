import { sendTarget, type Transformer } from "./telegram/client.js";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { FeedErrorKind } from "./feeds/errors.js";

/** Outcome of one Bot API send, as counted in `newsdesk_messages_sent_total{result}`. */
export type SendResult = "ok" | "429" | "403" | "4xx" | "5xx" | "network";

/** Outcome of fetching one feed once. */
export type FeedPollResult = "ok" | "not-modified" | FeedErrorKind;

/** Where a Bot API 429 came from: a message send, or any other call (answerCallbackQuery, …). */
export type RateLimitSource = "send" | "other";

/** Reads the delivery budget figures for a scrape. */
export type BudgetSource = () => { backlogMessages: number; drainSeconds: number };

/** Reads the current outbox depth for a scrape; may be async (store query). */
export type DepthSource = () => number | Promise<number>;

/** The application's metrics; callers use these methods and never touch prom-client. */
export interface Metrics {
  /** The registry to expose on /metrics (its own, never prom-client's global one). */
  readonly registry: Registry;
  /** One update went through the middleware chain; `type` is telegraf's updateType. */
  updateHandled(type: string, ok: boolean): void;
  /** One send attempt finished; a "429" also counts in `newsdesk_telegram_429_total{source="send"}`. */
  messageSent(result: SendResult): void;
  /** A 429 from a Bot API call that is not a message send (sends count through messageSent). */
  telegram429(source?: RateLimitSource): void;
  /** One feed fetch finished. */
  feedPolled(result: FeedPollResult): void;
  /** One poll round (all due feeds) finished; `ok` rounds also set the last-success timestamp. */
  pollRoundFinished(durationSeconds: number, ok: boolean): void;
  /** Epoch ms of the last successful poll round in this process, or undefined before the first. */
  lastSuccessfulPollAtMs(): number | undefined;
  /** Where the outbox depth gauge reads from at scrape time; unset means the gauge reports 0. */
  setOutboxDepthSource(source: DepthSource): void;
  /** Where the backlog-in-messages and drain-time gauges read from at scrape time. */
  setBudgetSource(source: BudgetSource): void;
  /** A tip was stored (counted once per tip, not per attachment). */
  tipReceived(): void;
  /** A webhook request was answered with `status` (200, 400, 401, 405, 413). */
  webhookRequest(status: number): void;
  /** A webhook update was dropped because its update_id had been seen already. */
  updateDuplicate(): void;
}

export interface MetricsOptions {
  /** Also collect the default Node.js process metrics (CPU, memory, event loop lag, GC). Default true. */
  processMetrics?: boolean;
  /** Clock for the last-success timestamp. Default Date.now. */
  now?: () => number;
}

// Update types of the Bot API; anything else is folded into "other" to keep label cardinality bounded.
const UPDATE_TYPES = new Set([
  "message",
  "edited_message",
  "channel_post",
  "edited_channel_post",
  "business_connection",
  "business_message",
  "edited_business_message",
  "deleted_business_messages",
  "message_reaction",
  "message_reaction_count",
  "inline_query",
  "chosen_inline_result",
  "callback_query",
  "shipping_query",
  "pre_checkout_query",
  "poll",
  "poll_answer",
  "my_chat_member",
  "chat_member",
  "chat_join_request",
  "chat_boost",
  "removed_chat_boost",
]);

const WEBHOOK_STATUSES = new Set(["200", "400", "401", "404", "405", "413", "500"]);

/** Builds a fresh registry with every Newsdesk metric; tests may create several side by side. */
export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const now = opts.now ?? Date.now;
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const updates = new Counter({
    name: "newsdesk_updates_handled_total",
    help: "Telegram updates handled, by update type and result (ok or error).",
    labelNames: ["type", "result"] as const,
    registers,
  });
  const sent = new Counter({
    name: "newsdesk_messages_sent_total",
    help: "Bot API message sends, by result (ok, 429, 403, 4xx, 5xx, network).",
    labelNames: ["result"] as const,
    registers,
  });
  const rateLimited = new Counter({
    name: "newsdesk_telegram_429_total",
    help: "Bot API 429 Too Many Requests answers, by source (send or other).",
    labelNames: ["source"] as const,
    registers,
  });
  const polls = new Counter({
    name: "newsdesk_feed_polls_total",
    help: "Feed fetches, by result (ok, not-modified, or the error kind).",
    labelNames: ["result"] as const,
    registers,
  });
  const pollDuration = new Histogram({
    name: "newsdesk_poll_duration_seconds",
    help: "Duration of one poll round over all due feeds.",
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
    registers,
  });
  const lastPoll = new Gauge({
    name: "newsdesk_last_successful_poll_timestamp_seconds",
    help: "Unix time of the last successful poll round (0 before the first).",
    registers,
  });
  let depthSource: DepthSource | undefined;
  new Gauge({
    name: "newsdesk_outbox_depth",
    help: "Deliveries waiting in the outbox (read at scrape time).",
    registers,
    async collect() {
      if (!depthSource) return this.set(0);
      try {
        this.set(await depthSource());
      } catch {
        // A failing store must not break the whole scrape; /healthz reports the store itself.
        this.set(Number.NaN);
      }
    },
  });
  let budgetSource: BudgetSource | undefined;
  new Gauge({
    name: "newsdesk_delivery_backlog_messages",
    help: "Messages it takes to send what waits now (a bundle counts once).",
    registers,
    collect() {
      this.set(budgetSource?.().backlogMessages ?? 0);
    },
  });
  new Gauge({
    name: "newsdesk_delivery_drain_seconds",
    help: "Projected time to send the waiting backlog at the current rate.",
    registers,
    collect() {
      this.set(budgetSource?.().drainSeconds ?? 0);
    },
  });
  const tips = new Counter({ name: "newsdesk_tips_received_total", help: "Tips stored.", registers });
  const webhook = new Counter({
    name: "newsdesk_webhook_requests_total",
    help: "Webhook requests, by HTTP status answered.",
    labelNames: ["status"] as const,
    registers,
  });
  const duplicates = new Counter({
    name: "newsdesk_updates_duplicate_total",
    help: "Webhook updates dropped because their update_id was already processed.",
    registers,
  });

  let lastSuccessMs: number | undefined;
  return {
    registry,
    updateHandled(type, ok) {
      updates.inc({ type: UPDATE_TYPES.has(type) ? type : "other", result: ok ? "ok" : "error" });
    },
    messageSent(result) {
      sent.inc({ result });
      if (result === "429") rateLimited.inc({ source: "send" });
    },
    telegram429(source = "other") {
      rateLimited.inc({ source });
    },
    feedPolled(result) {
      polls.inc({ result });
    },
    pollRoundFinished(durationSeconds, ok) {
      pollDuration.observe(Math.max(0, durationSeconds));
      if (ok) {
        lastSuccessMs = now();
        lastPoll.set(lastSuccessMs / 1000);
      }
    },
    lastSuccessfulPollAtMs: () => lastSuccessMs,
    setOutboxDepthSource(source) {
      depthSource = source;
    },
    setBudgetSource(source) {
      budgetSource = source;
    },
    tipReceived() {
      tips.inc();
    },
    webhookRequest(status) {
      const s = String(status);
      webhook.inc({ status: WEBHOOK_STATUSES.has(s) ? s : "other" });
    },
    updateDuplicate() {
      duplicates.inc();
    },
  };
}

/**
 * Maps a send failure to its SendResult: telegraf's TelegramError (`response.error_code`),
 * the delivery module's typed errors (`kind`), anything else is "network".
 */
export function sendResultOf(err: unknown): SendResult {
  const e = err as { response?: { error_code?: unknown }; kind?: unknown } | null | undefined;
  const code = e?.response?.error_code;
  if (typeof code === "number") {
    if (code === 429) return "429";
    if (code === 403) return "403";
    if (code >= 400 && code < 500) return "4xx";
    if (code >= 500) return "5xx";
  }
  switch (e?.kind) {
    case "rate-limited":
      return "429";
    case "chat-gone":
      return "403";
    case "chat-migrated":
    case "bad-request":
      return "4xx";
    default:
      return "network";
  }
}

/** Counts each message sent (bulk, replies, tip cards) by its result for /metrics; other calls are not counted. */
export function meteredSends(metrics: Metrics): Transformer {
  return (next) => async (method, payload, signal) => {
    if (sendTarget(method, payload) === undefined) return next(method, payload, signal);
    try {
      const result = await next(method, payload, signal);
      metrics.messageSent("ok");
      return result;
    } catch (err) {
      metrics.messageSent(sendResultOf(err));
      throw err;
    }
  };
}
