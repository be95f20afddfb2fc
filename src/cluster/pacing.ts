import { randomUUID } from "node:crypto";
import type { RateLimitScope } from "../telegram/errors.js";
import type { SendPacing } from "../telegram/pacing.js";
import type { RedisClient } from "./redis.js";

/**
 * Takes a send slot if both the chat's and the global budget allow it: answers 0 and records the
 * send, or answers the ms to wait and records nothing. KEYS: chat next-at, global window (sorted
 * set), global pause, time of the last slot taken. ARGV: chat gap ms, global messages/s, a unique
 * member. Uses Redis' own clock so instances with skewed clocks still agree.
 *
 * A send reaches Telegram somewhere between its slot and the end of its call, so it holds its
 * place in the window from its slot until a second after the call ended (SETTLE moves it there);
 * until then it is scored a second ahead, so a call in flight keeps its place for up to 2 s. Then
 * no rolling second of arrivals holds more than the limit, however late a busy instance's request
 * leaves after its slot (counting slots alone let 35 arrive in one second on a loaded machine).
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
  if w < 1 then w = 1 end
  if w > wait then wait = w end
end
local last = tonumber(redis.call("GET", KEYS[4]) or "0")
local spaced = last + math.floor(500 / limit) - now
if spaced > wait then wait = spaced end
if wait > 0 then return wait end
local gap = tonumber(ARGV[1])
redis.call("SET", KEYS[1], now + gap, "PX", gap + 1000)
redis.call("ZADD", KEYS[2], now + 1000, ARGV[3])
redis.call("PEXPIRE", KEYS[2], 3000)
redis.call("SET", KEYS[4], now, "PX", 2000)
return 0`;

/**
 * The send finished: the chat's next slot counts from now (Telegram sees a request when it
 * arrives), and the send keeps its place in the global window until a second from now. KEYS: chat
 * next-at, global window. ARGV: chat gap ms, the send's member.
 */
const SETTLE = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gap = tonumber(ARGV[1])
local nextAt = tonumber(redis.call("GET", KEYS[1]) or "0")
if now + gap > nextAt then redis.call("SET", KEYS[1], now + gap, "PX", gap + 1000) end
redis.call("ZADD", KEYS[2], "XX", now, ARGV[2])
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
  /** Messages per rolling second for all instances together (default 29: one below Telegram's 30). */
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
  /** Window members of this instance's sends in flight, per chat, oldest first (settle takes the oldest). */
  private readonly inFlight = new Map<number, string[]>();

  constructor(
    private readonly redis: Pick<RedisClient, "eval">,
    private readonly prefix: string,
    private readonly o: RedisPacingOptions = {},
  ) {
    this.privateMs = o.privateIntervalMs ?? 1000;
    this.groupMs = Math.ceil(60_000 / (o.groupPerMinute ?? 20));
    // The window holds each send until a second after its call ended (see TAKE): no jitter
    // headroom is needed below the configured rate.
    this.globalPerSecond = Math.max(1, Math.floor(o.globalPerSecond ?? 29));
  }

  async tryTake(chatId: number): Promise<number> {
    const gap = chatId < 0 ? this.groupMs : this.privateMs;
    const keys = [this.chatKey(chatId), this.windowKey, `${this.prefix}globalpause`, `${this.prefix}lasttake`];
    const member = randomUUID();
    const wait = Number(await this.redis.eval(TAKE, { keys, arguments: [String(gap), String(this.globalPerSecond), member] }));
    if (wait === 0) {
      const list = this.inFlight.get(chatId);
      if (list) list.push(member);
      else this.inFlight.set(chatId, [member]);
    }
    return wait;
  }

  settle(chatId: number): void {
    // A first request on a new connection may arrive late: spacing also counts from its end.
    const gap = chatId < 0 ? this.groupMs : this.privateMs;
    const list = this.inFlight.get(chatId);
    const member = list?.shift() ?? "";
    if (list?.length === 0) this.inFlight.delete(chatId);
    this.redis.eval(SETTLE, { keys: [this.chatKey(chatId), this.windowKey], arguments: [String(gap), member] }).catch(() => undefined);
  }

  private get windowKey(): string {
    return `${this.prefix}sends`;
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
