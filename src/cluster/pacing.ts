import type { RedisClient } from "./redis.js";

/**
 * Takes a chat's send slot if it is free: answers 0 and books the next slot, or answers the ms to
 * wait. Uses Redis' own clock so instances with skewed clocks still agree.
 */
const TAKE = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextAt = tonumber(redis.call("GET", KEYS[1]) or "0")
if nextAt > now then return nextAt - now end
local gap = tonumber(ARGV[1])
redis.call("SET", KEYS[1], now + gap, "PX", gap + 1000)
return 0`;

/** Pushes a chat's next slot out by ARGV[1] ms from now (a chat-scoped 429). */
const PAUSE = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ms = tonumber(ARGV[1])
redis.call("SET", KEYS[1], now + ms, "PX", ms + 1000)
return 0`;

/** Per-chat spacing. */
export interface ChatPacingOptions {
  /** Gap between two messages to one private chat, ms (default 1000). */
  privateIntervalMs?: number;
  /** Messages per minute to one group or channel (negative id); spaced evenly (default 20, i.e. one per 3 s). */
  groupPerMinute?: number;
}

/**
 * Per-chat pacing shared by every instance: one `<prefix>chatnext:<id>` key per recently used chat
 * holding the earliest time of its next message (expires right after). Groups are spaced evenly
 * (20/min becomes one per 3 s): stricter than Telegram's window, but never bursts into a 429.
 */
export class RedisChatPacing {
  private readonly privateMs: number;
  private readonly groupMs: number;

  constructor(
    private readonly redis: Pick<RedisClient, "eval">,
    private readonly prefix: string,
    o: ChatPacingOptions = {},
  ) {
    this.privateMs = o.privateIntervalMs ?? 1000;
    this.groupMs = Math.ceil(60_000 / (o.groupPerMinute ?? 20));
  }

  /** 0 when the chat may get a message now (its slot is taken), else the ms to wait. */
  async take(chatId: number): Promise<number> {
    const gap = chatId < 0 ? this.groupMs : this.privateMs;
    return Number(await this.redis.eval(TAKE, { keys: [this.key(chatId)], arguments: [String(gap)] }));
  }

  /** No message to the chat for `ms` (Telegram said retry_after for this chat). */
  async pause(chatId: number, ms: number): Promise<void> {
    await this.redis.eval(PAUSE, { keys: [this.key(chatId)], arguments: [String(Math.max(1, Math.ceil(ms)))] });
  }

  private key(chatId: number): string {
    return `${this.prefix}chatnext:${chatId}`;
  }
}
