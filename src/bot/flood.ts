import type { MiddlewareFn } from "telegraf";
import type { Logger } from "../log.js";
import type { NewsdeskContext } from "./context.js";

/** Per-user limits on commands and inline queries. */
export interface FloodOptions {
  /** Commands and inline queries a user may send at once (default 10). */
  burst?: number;
  /** Refill of that allowance, per minute (default 20). */
  perMinute?: number;
  now?: () => number;
  /** When an update arrived (the update runner knows): a flood is counted as it arrives, not as it is worked off. */
  arrivedAt?: (update: NewsdeskContext["update"]) => number | undefined;
  logger: Logger;
}

interface Bucket {
  tokens: number;
  at: number;
  /** The user was told to slow down and has not been let through since. */
  told: boolean;
}

/**
 * One user's flood of commands or inline queries must not use up the bot's Telegram budget (every
 * answer is a message) nor hold the others: past `burst`, a user's commands are refused with one
 * polite answer, then silently until the whole allowance has refilled (the user stopped for a while). Refusals are logged as one summary
 * line a minute, never one line each. Plain text (a tip being written, a search) is not limited here.
 */
export function floodGuard(o: FloodOptions): MiddlewareFn<NewsdeskContext> {
  const burst = o.burst ?? 10;
  const perMs = (o.perMinute ?? 20) / 60_000;
  const now = o.now ?? Date.now;
  const buckets = new Map<number, Bucket>();
  let refused = 0;
  let lastReportAt = now();
  let lastPruneAt = 0;
  return async (ctx, next) => {
    const userId = ctx.from?.id;
    const limited = ctx.inlineQuery !== undefined || (ctx.message !== undefined && "text" in ctx.message && ctx.message.text.startsWith("/"));
    if (userId === undefined || !limited) return next();
    const t = o.arrivedAt?.(ctx.update) ?? now();
    const b = buckets.get(userId) ?? { tokens: burst, at: t, told: false };
    b.tokens = Math.min(burst, b.tokens + Math.max(0, t - b.at) * perMs);
    b.at = Math.max(b.at, t);
    buckets.set(userId, b);
    // Bounded memory: users whose allowance is full again are forgotten — at most every 10 s, so a
    // crowd of flooders cannot make every update walk the whole map.
    if (buckets.size > 50_000 && t - lastPruneAt >= 10_000) {
      lastPruneAt = t;
      for (const [id, x] of buckets) if (x.tokens + (t - x.at) * perMs >= burst) buckets.delete(id);
    }
    // A user who was told to slow down is let through again only once the whole allowance has refilled.
    if (b.told && b.tokens >= burst) b.told = false;
    if (!b.told && b.tokens >= 1) {
      b.tokens -= 1;
      return next();
    }
    refused++;
    if (t - lastReportAt >= 60_000) {
      o.logger.warn({ refused, users: [...buckets.values()].filter((x) => x.tokens < 1).length }, "commands refused: too many from one user");
      refused = 0;
      lastReportAt = t;
    }
    if (b.told) return;
    b.told = true;
    if (ctx.inlineQuery) await ctx.answerInlineQuery([], { cache_time: 5, is_personal: true });
    else await ctx.reply(ctx.m.slowDown());
  };
}
