import { randomUUID } from "node:crypto";
import type { RateLimitScope } from "../telegram/errors.js";
import type { SendPacing } from "../telegram/pacing.js";
import type { RedisClient } from "./redis.js";

/**
 * Takes a send slot if both the chat's and the global budget allow it: answers 0 and records the
 * send, or answers the ms to wait and records nothing. KEYS: chat next-at, global window (sorted
 * set of send times), global pause. ARGV: chat gap ms, global messages/s, a unique member.
 * Uses Redis' own clock so instances with skewed clocks still agree.
 */
const TAKE = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[2])
local wait = 0
local nextAt = tonumber(redis.call("GET", KEYS[1]) or "0")
if nextAt - now > wait then wait = nextAt - now end
local pausedUntil = tonumber(redis.call("GET", KEYS[3]) or "0")
if pausedUntil - now > wait then wait = pausedUntil - now end
redis.call("ZREMRANGEBYSCORE", KEYS[2], "-inf", now - 1000)
if redis.call("ZCARD", KEYS[2]) >= limit then
  local oldest = redis.call("ZRANGE", KEYS[2], 0, 0, "WITHSCORES")
  local w = tonumber(oldest[2]) + 1000 - now
  if w > wait then wait = w end
end
local newest = redis.call("ZRANGE", KEYS[2], -1, -1, "WITHSCORES")
if newest[2] then
  local w = tonumber(newest[2]) + math.floor(500 / limit) - now
  if w > wait then wait = w end
end
if wait > 0 then return wait end
local gap = tonumber(ARGV[1])
redis.call("SET", KEYS[1], now + gap, "PX", gap + 1000)
redis.call("ZADD", KEYS[2], now, ARGV[3])
redis.call("PEXPIRE", KEYS[2], 2000)
return 0`;

/** The send finished: the chat's next slot counts from now (Telegram sees a request when it arrives). */
const SETTLE = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gap = tonumber(ARGV[1])
local nextAt = tonumber(redis.call("GET", KEYS[1]) or "0")
if now + gap > nextAt then redis.call("SET", KEYS[1], now + gap, "PX", gap + 1000) end
return 0`;

/**
 * A 429 for one chat: that chat waits ARGV[1] ms; when 429s came from ARGV[2] different chats
 * within ARGV[3] ms, the whole bot pauses (answers 1) instead. KEYS: chat next-at, recent-429 set,
 * global pause. ARGV[4]: the chat id.
 */
const RATE_LIMITED = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[1])
redis.call("SET", KEYS[1], now + ms, "PX", ms + 1000)
redis.call("ZADD", KEYS[2], now, ARGV[4])
redis.call("ZREMRANGEBYSCORE", KEYS[2], "-inf", now - tonumber(ARGV[3]))
redis.call("PEXPIRE", KEYS[2], tonumber(ARGV[3]))
if redis.call("ZCARD", KEYS[2]) < tonumber(ARGV[2]) then return 0 end
redis.call("DEL", KEYS[2])
redis.call("SET", KEYS[3], now + ms, "PX", ms + 1000)
return 1`;

/** Limits of the shared budget. */
export interface RedisPacingOptions {
  /** Messages per rolling second for all instances together, of which one is kept as headroom (default 29, so 28). */
  globalPerSecond?: number;
  /** Gap between two messages to one private chat, ms (default 1000). */
  privateIntervalMs?: number;
  /** Messages per minute to one group or channel (negative id); spaced evenly (default 20, i.e. one per 3 s). */
  groupPerMinute?: number;
  /** 429s from this many chats within `globalEvidenceMs` pause everyone (default 3 within 2000). */
  globalEvidenceChats?: number;
  globalEvidenceMs?: number;
}

/**
 * The SendPacing of several instances: per chat one `<prefix>chatnext:<id>` key holding the
 * earliest time of its next message, globally a one-second window of send times, both checked and
 * taken in one script. Groups are spaced evenly (20/min becomes one per 3 s): stricter than
 * Telegram's window, but never bursts into a 429.
 */
export class RedisPacing implements SendPacing {
  private readonly privateMs: number;
  private readonly groupMs: number;
  private readonly globalPerSecond: number;

  constructor(
    private readonly redis: Pick<RedisClient, "eval">,
    private readonly prefix: string,
    private readonly o: RedisPacingOptions = {},
  ) {
    this.privateMs = o.privateIntervalMs ?? 1000;
    this.groupMs = Math.ceil(60_000 / (o.groupPerMinute ?? 20));
    // One message a second of headroom below the configured rate: the window counts when a slot
    // is taken, on Redis' clock, and several instances' requests reach Telegram with more jitter
    // than one process's (a busy machine showed 31 arriving in one second at the full 29).
    this.globalPerSecond = Math.max(1, Math.floor(o.globalPerSecond ?? 29) - 1);
  }

  async tryTake(chatId: number): Promise<number> {
    const gap = chatId < 0 ? this.groupMs : this.privateMs;
    const keys = [this.chatKey(chatId), `${this.prefix}sends`, `${this.prefix}globalpause`];
    const args = [String(gap), String(this.globalPerSecond), randomUUID()];
    return Number(await this.redis.eval(TAKE, { keys, arguments: args }));
  }

  settle(chatId: number): void {
    // A first request on a new connection may arrive late: spacing also counts from its end.
    const gap = chatId < 0 ? this.groupMs : this.privateMs;
    this.redis.eval(SETTLE, { keys: [this.chatKey(chatId)], arguments: [String(gap)] }).catch(() => undefined);
  }

  async rateLimited(chatId: number, retryAfterSeconds: number): Promise<RateLimitScope> {
    const keys = [this.chatKey(chatId), `${this.prefix}recent429`, `${this.prefix}globalpause`];
    const ms = Math.max(1, Math.ceil(retryAfterSeconds * 1000));
    const args = [String(ms), String(this.o.globalEvidenceChats ?? 3), String(this.o.globalEvidenceMs ?? 2000), String(chatId)];
    return Number(await this.redis.eval(RATE_LIMITED, { keys, arguments: args })) === 1 ? "global" : "chat";
  }

  private chatKey(chatId: number): string {
    return `${this.prefix}chatnext:${chatId}`;
  }
}
