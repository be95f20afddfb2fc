import { request } from "node:http";
import Keyv from "keyv";
import type { Update } from "telegraf/types";
import { afterEach, describe, expect, it } from "vitest";
import { KeyvDeduper, MemoryDeduper, type UpdateDeduper } from "../../src/http/dedupe.js";
import { createHttpServer, type HttpServer } from "../../src/http/server.js";
import {
  createWebhookHandler,
  RejectLimiter,
  secretMatches,
  SECRET_HEADER,
  type WebhookHandler,
  type WebhookOptions,
} from "../../src/http/webhook.js";
import { createMetrics } from "../../src/metrics.js";
import { recordingLogger, textUpdate } from "./helpers.js";

const SECRET = "s3cret-Token_for-tests-0123456789";
const PATH = "/telegram/hook-7f3a";

interface Harness {
  base: string;
  handled: Update[];
  webhook: WebhookHandler;
  logger: ReturnType<typeof recordingLogger>;
  metrics: ReturnType<typeof createMetrics>;
}

let server: HttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(
  opts: { deduper?: UpdateDeduper; maxBodyBytes?: number; fail?: boolean; extra?: Partial<WebhookOptions> } = {},
): Promise<Harness> {
  const handled: Update[] = [];
  const logger = recordingLogger();
  const metrics = createMetrics({ processMetrics: false });
  const webhook = createWebhookHandler({
    secret: SECRET,
    deduper: opts.deduper ?? new MemoryDeduper(),
    logger,
    metrics,
    maxBodyBytes: opts.maxBodyBytes,
    handleUpdate: async (u) => {
      handled.push(u);
      if (opts.fail) throw new Error("handler blew up");
      return Promise.resolve();
    },
    ...opts.extra,
  });
  server = createHttpServer({ logger, webhook: { path: PATH, handler: webhook }, metrics: metrics.registry });
  const port = await server.listen(0, "127.0.0.1");
  return { base: `http://127.0.0.1:${port}`, handled, webhook, logger, metrics };
}

function post(h: Harness, body: string, secret?: string): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (secret !== undefined) headers[SECRET_HEADER] = secret;
  return fetch(h.base + PATH, { method: "POST", headers, body });
}

describe("webhook secret", () => {
  it.each([
    ["a missing", undefined],
    ["a wrong", "not-the-secret"],
    ["a truncated", SECRET.slice(0, -1)],
    ["an extended", SECRET + "x"],
    ["an empty", ""],
  ])("rejects %s secret with 401 and processes nothing", async (_name, secret) => {
    const h = await start();
    const res = await post(h, JSON.stringify(textUpdate(1, "hello")), secret);
    expect(res.status).toBe(401);
    await h.webhook.drain(1000);
    expect(h.handled).toEqual([]);
  });

  it("accepts the right secret with 200 and processes the update once", async () => {
    const h = await start();
    const res = await post(h, JSON.stringify(textUpdate(7, "hello")), SECRET);
    expect(res.status).toBe(200);
    await h.webhook.drain(1000);
    expect(h.handled.map((u) => u.update_id)).toEqual([7]);
  });

  it("never logs the secret or the update's text", async () => {
    const h = await start({ fail: true });
    await post(h, JSON.stringify(textUpdate(1, "tip: the mayor")), "guess-" + SECRET);
    await post(h, JSON.stringify(textUpdate(2, "tip: the mayor")), SECRET);
    await h.webhook.drain(1000);
    expect(h.logger.lines.length).toBeGreaterThanOrEqual(2); // the rejection and the failed update
    const all = h.logger.lines.join("\n");
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain("the mayor");
  });

  it("answers 429 once an address has sent too many wrong secrets, logging one line for the whole burst", async () => {
    let nowMs = 1_000_000;
    const h = await start({ extra: { maxRejectsPerAddress: 3, rejectWindowMs: 60_000, now: () => nowMs } });
    const body = JSON.stringify(textUpdate(1, "hello"));
    const answers: Response[] = [];
    for (let i = 0; i < 20; i++) answers.push(await post(h, body, `guess-${i}-0123456789abcdef`));
    expect(answers.map((r) => r.status)).toEqual([...Array<number>(3).fill(401), ...Array<number>(17).fill(429)]);
    expect(Number(answers.at(-1)!.headers.get("retry-after"))).toBe(60);
    expect(h.logger.lines).toHaveLength(1);
    expect(JSON.parse(h.logger.lines[0]!)).toMatchObject({ level: "warn", rejected: 1 });
    // src/metrics.ts has no "429" label yet; the limited answers count as "other".
    expect(await h.metrics.registry.getSingleMetricAsString("newsdesk_webhook_requests_total")).toMatch(/status="401"\} 3$/m);

    // Telegram behind the same proxy address still gets through with the right secret.
    expect((await post(h, JSON.stringify(textUpdate(2, "real")), SECRET)).status).toBe(200);
    await h.webhook.drain(1000);
    expect(h.handled.map((u) => u.update_id)).toEqual([2]);

    // A new window starts fresh; the next summary line carries the count of the quiet interval.
    nowMs += 60_000;
    expect((await post(h, body, "guess-again-0123456789")).status).toBe(401);
    expect(h.logger.lines).toHaveLength(2);
    expect(JSON.parse(h.logger.lines[1]!)).toMatchObject({ rejected: 20, rateLimited: 17 });
  });

  it("RejectLimiter forgets the oldest address first, so a spray of addresses costs bounded memory", () => {
    const limiter = new RejectLimiter(2, 60_000, 100);
    for (let i = 0; i < 10_000; i++) limiter.hit(`10.0.${i >> 8}.${i & 255}`, 0);
    expect(limiter.size).toBe(100);
    expect(limiter.hit("a", 0)).toBe(false);
    expect(limiter.hit("a", 1)).toBe(false);
    expect(limiter.hit("a", 2)).toBe(true);
    expect(limiter.retryAfterSeconds("a", 30_000)).toBe(30);
    expect(limiter.hit("a", 60_000)).toBe(false);
  });

  it("secretMatches is exact", () => {
    expect(secretMatches(SECRET, SECRET)).toBe(true);
    expect(secretMatches(SECRET.toUpperCase(), SECRET)).toBe(false);
    expect(secretMatches(undefined, SECRET)).toBe(false);
  });
});

describe("webhook idempotency", () => {
  it("processes a repeated update_id once (in-memory deduper)", async () => {
    const h = await start();
    const body = JSON.stringify(textUpdate(100, "hi"));
    const answers = await Promise.all([post(h, body, SECRET), post(h, body, SECRET), post(h, body, SECRET)]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    await post(h, JSON.stringify(textUpdate(101, "next")), SECRET);
    await h.webhook.drain(1000);
    expect(h.handled.map((u) => u.update_id)).toEqual([100, 101]);
    expect(await h.metrics.registry.getSingleMetricAsString("newsdesk_updates_duplicate_total")).toMatch(
      / 2$/m,
    );
  });

  it("processes a repeated update_id once across a restart (keyv deduper on a shared store)", async () => {
    const keyv = new Keyv();
    const first = await start({ deduper: new KeyvDeduper(keyv) });
    await post(first, JSON.stringify(textUpdate(5, "hi")), SECRET);
    await first.webhook.drain(1000);
    await server?.close();

    const second = await start({ deduper: new KeyvDeduper(keyv) });
    await post(second, JSON.stringify(textUpdate(5, "hi")), SECRET);
    await post(second, JSON.stringify(textUpdate(6, "new")), SECRET);
    await second.webhook.drain(1000);
    expect(first.handled.map((u) => u.update_id)).toEqual([5]);
    expect(second.handled.map((u) => u.update_id)).toEqual([6]);
  });

  it("still processes when the deduper's store fails (Telegram will not resend after 200)", async () => {
    const broken: UpdateDeduper = { claim: () => Promise.reject(new Error("store down")) };
    const h = await start({ deduper: broken });
    expect((await post(h, JSON.stringify(textUpdate(9, "x")), SECRET)).status).toBe(200);
    await h.webhook.drain(1000);
    expect(h.handled.map((u) => u.update_id)).toEqual([9]);
  });
});

describe("webhook bodies", () => {
  it.each([
    ["not JSON", "{nope"],
    ["JSON without update_id", JSON.stringify({ message: {} })],
    ["a negative update_id", JSON.stringify({ update_id: -1 })],
    ["an array", "[]"],
  ])("answers 400 to %s and processes nothing", async (_name, body) => {
    const h = await start();
    expect((await post(h, body, SECRET)).status).toBe(400);
    await h.webhook.drain(1000);
    expect(h.handled).toEqual([]);
  });

  it("answers 413 to a body over the cap (declared length)", async () => {
    const h = await start({ maxBodyBytes: 1024 });
    const big = JSON.stringify(textUpdate(1, "x".repeat(2000)));
    expect((await post(h, big, SECRET)).status).toBe(413);
    await h.webhook.drain(1000);
    expect(h.handled).toEqual([]);
  });

  it("answers 413 to a chunked body that grows over the cap", async () => {
    const h = await start({ maxBodyBytes: 1024 });
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(h.base + PATH, { method: "POST", headers: { [SECRET_HEADER]: SECRET } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      for (let i = 0; i < 4; i++) req.write("x".repeat(600));
      req.end();
    });
    expect(status).toBe(413);
    expect(h.handled).toEqual([]);
  });

  it("answers 405 to a GET on the webhook path and 404 elsewhere", async () => {
    const h = await start();
    expect((await fetch(h.base + PATH)).status).toBe(405);
    expect((await fetch(h.base + "/other", { method: "POST" })).status).toBe(404);
  });
});
