import { z } from "zod";
import { FEED_ERROR_KINDS, type FeedErrorKind } from "./errors.js";

/** Health of one feed as shown by /feeds; persisted per feed. */
export const FeedHealthSchema = z.object({
  feedId: z.string(),
  status: z.enum(["ok", "failing", "backoff"]),
  lastPollAt: z.number().optional(),
  lastSuccessAt: z.number().optional(),
  lastErrorAt: z.number().optional(),
  lastErrorKind: z.enum(FEED_ERROR_KINDS as [FeedErrorKind, ...FeedErrorKind[]]).optional(),
  lastErrorMessage: z.string().optional(),
  /** HTTP status of the last error when it was one. */
  lastErrorStatus: z.number().optional(),
  consecutiveFailures: z.number(),
  /** Start of the current failure streak. */
  failingSince: z.number().optional(),
  /** onFeedDown was sent for the current streak. */
  downAlerted: z.boolean(),
  /** Items in the feed at the last successful poll. */
  items: z.number(),
  nextPollAt: z.number(),
});
export type FeedHealth = z.infer<typeof FeedHealthSchema>;

/** Health of a feed that has never been polled. */
export function initialHealth(feedId: string, nowMs: number): FeedHealth {
  return { feedId, status: "ok", consecutiveFailures: 0, downAlerted: false, items: 0, nextPollAt: nowMs };
}

/** Exponential backoff: base × 2^(failures−1), capped. */
export function backoffMs(consecutiveFailures: number, baseMs: number, maxMs: number): number {
  const exp = Math.min(30, Math.max(0, consecutiveFailures - 1));
  return Math.min(maxMs, baseMs * 2 ** exp);
}
