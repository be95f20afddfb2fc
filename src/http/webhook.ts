import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Update } from "telegraf/types";
import { z } from "zod";
import type { UpdateDeduper } from "./dedupe.js";

/** The logger surface the HTTP code uses (pino's Logger fits). */
export interface HttpLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Counters the webhook moves (a subset of Metrics). */
export interface WebhookMetrics {
  webhookRequest(status: number): void;
  updateDuplicate(): void;
}

export interface WebhookOptions {
  /** The secret_token given to setWebhook; compared in constant time, never logged. */
  secret: string;
  /** Processes one update after the HTTP answer was sent (telegraf's bot.handleUpdate). */
  handleUpdate: (update: Update) => Promise<unknown>;
  /** Drops repeated update_ids. */
  deduper: UpdateDeduper;
  logger: HttpLogger;
  metrics?: WebhookMetrics;
  /** Larger bodies get 413. Default 1 MiB (Telegram updates are a few KiB). */
  maxBodyBytes?: number;
  /** At most one "rejected" warning per this many ms, so a scanner cannot flood the log. Default 60 000. */
  rejectLogIntervalMs?: number;
  /** Wrong-secret requests one remote address may make per `rejectWindowMs` before it gets 429. Default 10. */
  maxRejectsPerAddress?: number;
  /** Window of the per-address wrong-secret count. Default 60 000. */
  rejectWindowMs?: number;
  /** Remote addresses tracked at once; the oldest is forgotten first, so memory stays bounded. Default 10 000. */
  maxTrackedAddresses?: number;
  /** Clock for the warning throttle and the wrong-secret limit. Default Date.now. */
  now?: () => number;
}

/** Handles POSTs on the webhook path; `drain` waits for updates still being processed. */
export interface WebhookHandler {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Resolves when every accepted update has been processed, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void>;
}

export const SECRET_HEADER = "x-telegram-bot-api-secret-token";

// Only update_id is ours to check; the rest is telegraf's to interpret.
const UpdateEnvelope = z.looseObject({ update_id: z.number().int().nonnegative() });

/** Constant-time equality that leaks neither content nor length: both sides are hashed first. */
export function secretMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash("sha256").update(given, "utf8").digest();
  const b = createHash("sha256").update(expected, "utf8").digest();
  return timingSafeEqual(a, b);
}

/**
 * Counts wrong-secret requests per remote address in fixed windows, in a Map bounded by
 * `capacity` (insertion order = oldest window first, which is the one forgotten).
 */
export class RejectLimiter {
  private readonly windows = new Map<string, { startMs: number; count: number }>();

  constructor(
    private readonly maxPerWindow: number,
    private readonly windowMs: number,
    private readonly capacity: number,
  ) {}

  /** Counts one rejection; true when the address is over its limit for the current window. */
  hit(address: string, nowMs: number): boolean {
    let w = this.windows.get(address);
    if (!w || nowMs - w.startMs >= this.windowMs) {
      this.windows.delete(address);
      w = { startMs: nowMs, count: 0 };
      this.windows.set(address, w);
      if (this.windows.size > this.capacity) {
        const oldest = this.windows.keys().next();
        if (!oldest.done) this.windows.delete(oldest.value);
      }
    }
    w.count += 1;
    return w.count > this.maxPerWindow;
  }

  /** Seconds until the address's window ends (for Retry-After). */
  retryAfterSeconds(address: string, nowMs: number): number {
    const w = this.windows.get(address);
    return w ? Math.max(1, Math.ceil((w.startMs + this.windowMs - nowMs) / 1000)) : 1;
  }

  /** Addresses currently tracked (for tests of the memory bound). */
  get size(): number {
    return this.windows.size;
  }
}

/** Builds the webhook endpoint: 401 on a wrong secret, 413/400 on bad bodies, else 200 then process once. */
export function createWebhookHandler(opts: WebhookOptions): WebhookHandler {
  const maxBodyBytes = opts.maxBodyBytes ?? 1024 * 1024;
  const rejectLogIntervalMs = opts.rejectLogIntervalMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const inFlight = new Set<Promise<void>>();
  let lastRejectLogMs = Number.NEGATIVE_INFINITY;
  let rejectsSinceLog = 0;
  let limitedSinceLog = 0;
  const limiter = new RejectLimiter(
    opts.maxRejectsPerAddress ?? 10,
    opts.rejectWindowMs ?? 60_000,
    opts.maxTrackedAddresses ?? 10_000,
  );

  const answer = (res: ServerResponse, status: number, close = false, extra: Record<string, string> = {}): void => {
    opts.metrics?.webhookRequest(status);
    // Closing the connection stops the client from streaming a body we decided not to read.
    res.writeHead(status, {
      "content-type": "text/plain; charset=utf-8",
      ...(close ? { connection: "close" } : {}),
      ...extra,
    });
    res.end(status === 200 ? "" : `${status}\n`);
  };

  const processUpdate = async (update: Update): Promise<void> => {
    let first = true;
    try {
      first = await opts.deduper.claim(update.update_id);
    } catch (err) {
      // Telegram will not resend after our 200, so processing is the only chance left.
      opts.logger.warn({ err, updateId: update.update_id }, "update dedupe failed; processing anyway");
    }
    if (!first) {
      opts.metrics?.updateDuplicate();
      opts.logger.debug({ updateId: update.update_id }, "duplicate update dropped");
      return;
    }
    try {
      await opts.handleUpdate(update);
    } catch (err) {
      opts.logger.error({ err, updateId: update.update_id }, "webhook update failed");
    }
  };

  const accept = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const header = req.headers[SECRET_HEADER];
    // The secret is always compared, even for a limited address: behind a reverse proxy every
    // request shares one address, and a scanner must not be able to lock Telegram out. Guessing
    // is what the 16+ character secret (config) prevents; the limit bounds the work and the noise.
    if (!secretMatches(typeof header === "string" ? header : undefined, opts.secret)) {
      const address = req.socket.remoteAddress ?? "unknown";
      const nowMs = now();
      const limited = limiter.hit(address, nowMs);
      rejectsSinceLog += 1;
      if (limited) limitedSinceLog += 1;
      // One summary line per interval however many arrive; never the address of each.
      if (nowMs - lastRejectLogMs >= rejectLogIntervalMs) {
        opts.logger.warn(
          {
            reason: header === undefined ? "missing" : "mismatch",
            rejected: rejectsSinceLog,
            rateLimited: limitedSinceLog,
          },
          "webhook request with a wrong secret token rejected",
        );
        lastRejectLogMs = nowMs;
        rejectsSinceLog = 0;
        limitedSinceLog = 0;
      }
      if (limited) return answer(res, 429, true, { "retry-after": String(limiter.retryAfterSeconds(address, nowMs)) });
      return answer(res, 401, true);
    }
    const body = await readBody(req, maxBodyBytes);
    if (body === "too-large") return answer(res, 413, true);
    if (body === "aborted") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      return answer(res, 400);
    }
    const envelope = UpdateEnvelope.safeParse(parsed);
    if (!envelope.success) return answer(res, 400);
    // Answer first: Telegram waits for our reply before sending the chat's next update.
    answer(res, 200);
    const job = processUpdate(envelope.data as unknown as Update);
    inFlight.add(job);
    void job.finally(() => inFlight.delete(job));
  };

  return {
    handle(req, res) {
      if (req.method !== "POST") {
        opts.metrics?.webhookRequest(405);
        res.writeHead(405, { allow: "POST" });
        res.end();
        return;
      }
      accept(req, res).catch((err: unknown) => {
        opts.logger.error({ err }, "webhook request failed");
        if (!res.headersSent) answer(res, 500, true);
      });
    },
    async drain(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        timer.unref();
      });
      await Promise.race([Promise.allSettled([...inFlight]), timeout]);
      clearTimeout(timer);
    },
  };
}

/**
 * Reads the whole body, stopping at `maxBytes`; checks Content-Length before reading anything.
 * Events rather than `for await`: leaving an async iterator early destroys the socket, and the
 * client would see a reset instead of our 413.
 */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | "too-large" | "aborted"> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve("too-large");
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > maxBytes) {
        // Stay in flowing mode with no listener: the rest is discarded until the connection closes.
        req.off("data", onData);
        resolve("too-large");
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks, total)));
    req.once("error", () => resolve("aborted"));
    req.once("close", () => resolve("aborted"));
  });
}
