import { z } from "zod";

/** Delivery classes, highest first: replies to a reader's own command, breaking news, everything else. */
export const PRIORITIES = ["interactive", "broadcast", "bulk"] as const;
export type Priority = (typeof PRIORITIES)[number];

/** One Bot API call; `chat_id` is filled in by the sender. */
export interface TelegramCall {
  method: string;
  params: Record<string, unknown>;
}

/**
 * What to send, as data. `call`: a ready Bot API call (text, copyMessage …). `render`: rendered at
 * send time by the lead's `render` callback (e.g. `{ type: "article", data: { articleId } }`), so the
 * message is in the chat's language and current settings.
 */
export const DeliveryPayloadSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("call"), method: z.string().min(1), params: z.record(z.string(), z.unknown()) }),
  z.object({ kind: z.literal("render"), type: z.string().min(1), data: z.record(z.string(), z.unknown()) }),
]);
export type DeliveryPayload = z.infer<typeof DeliveryPayloadSchema>;

/** Result of rendering one delivery for one chat. */
export type RenderResult =
  | { action: "send"; call: TelegramCall }
  /** Nothing to send any more (article gone, chat unsubscribed): counts as done. */
  | { action: "skip"; reason: string }
  /** Hold until then (quiet hours): the delivery is kept durably and retried at that time. */
  | { action: "hold"; untilMs: number };

/**
 * Several waiting deliveries for one chat rendered as one message: `included` (indexes into the
 * payloads) go in it, `skipped` are done without sending, `left` did not fit and wait for the next.
 */
export type BundleRenderResult =
  | { action: "send"; call: TelegramCall; included: number[]; skipped: number[]; left: number[] }
  | { action: "skip"; reason: string }
  | { action: "hold"; untilMs: number };

/** Renders several deliveries for one chat as one message; may throw (treated as transient). */
export type BundleRenderFn = (chatId: number, payloads: readonly DeliveryPayload[]) => Promise<BundleRenderResult>;

/** Turns a `render` payload into a call for one chat; may throw (treated as transient). */
export type RenderFn = (chatId: number, payload: Extract<DeliveryPayload, { kind: "render" }>) => Promise<RenderResult>;

/** The Telegram seam. Failures throw telegraf's TelegramError shape or a network error. */
export interface TelegramSender {
  call(method: string, payload: Record<string, unknown>): Promise<unknown>;
}

/** A delivery handed out by the outbox to the sender; `ref` says where its durable state lives. */
export interface Delivery {
  chatId: number;
  priority: Priority;
  payload: DeliveryPayload;
  /** Attempts already made that failed with a counted error. */
  attempts: number;
  createdAt: number;
  ref: { kind: "single"; seq: number } | { kind: "job"; jobId: string; index: number };
}

/** Rank for ordering: lower goes first. */
export function priorityRank(p: Priority): number {
  return PRIORITIES.indexOf(p);
}

/** A paid broadcast (`allow_paid_broadcast`): outside the 30/s budget, up to 1000/s, 0.1 Star each. */
export function isPaid(payload: DeliveryPayload): boolean {
  return payload.kind === "call" ? payload.params.allow_paid_broadcast === true : payload.data.paid === true;
}
