import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClusterOutbox } from "../../src/cluster/outbox.js";
import { RedisPacing } from "../../src/cluster/pacing.js";
import { closeRedis, type RedisClient } from "../../src/cluster/redis.js";
import type { ChatStatus } from "../../src/delivery/sender-options.js";
import type { TelegramSender } from "../../src/delivery/types.js";
import { connect, dropPrefix, freshPrefix, redisReachable, until } from "./redis.js";

const up = await redisReachable();

/** Telegram as a list of accepted sends, with scripted failures per chat. */
class FakeTelegram implements TelegramSender {
  readonly sent: Array<{ chatId: number; text: string }> = [];
  readonly failures = new Map<number, Error[]>();
  call(_method: string, payload: Record<string, unknown>): Promise<unknown> {
    const chatId = Number(payload.chat_id);
    const failure = this.failures.get(chatId)?.shift();
    if (failure) return Promise.reject(failure);
    this.sent.push({ chatId, text: String(payload.text) });
    return Promise.resolve({ message_id: this.sent.length });
  }
  to(chatId: number): string[] {
    return this.sent.filter((s) => s.chatId === chatId).map((s) => s.text);
  }
}

const tgError = (code: number, description: string, parameters?: object) => Object.assign(new Error(description), { response: { error_code: code, description, parameters } });

class FakeChats implements ChatStatus {
  readonly inactive = new Set<number>();
  readonly migrations: Array<[number, number]> = [];
  deactivate(chatId: number): Promise<unknown> {
    this.inactive.add(chatId);
    return Promise.resolve();
  }
  migrate(oldId: number, newId: number): Promise<unknown> {
    this.migrations.push([oldId, newId]);
    return Promise.resolve();
  }
  isActive(chatId: number): boolean | undefined {
    return this.inactive.has(chatId) ? false : undefined;
  }
}

const text = (t: string) => ({ kind: "call" as const, method: "sendMessage", params: { text: t } });

describe.skipIf(!up)("ClusterOutbox: BullMQ queue shared by instances (skipped when no Redis answers on 127.0.0.1:6379)", () => {
  let redis: RedisClient[];
  let prefix: string;
  let outboxes: ClusterOutbox[];
  let telegram: FakeTelegram;
  let chats: FakeChats;

  beforeEach(async () => {
    redis = [await connect(), await connect()];
    prefix = freshPrefix();
    outboxes = [];
    telegram = new FakeTelegram();
    chats = new FakeChats();
  });
  afterEach(async () => {
    for (const o of outboxes) await o.stop();
    await dropPrefix(redis[0]!, prefix);
    for (const r of redis) await closeRedis(r);
  });

  function outbox(n: number): ClusterOutbox {
    const o = new ClusterOutbox({
      redis: redis[n]!,
      prefix,
      telegram,
      pacing: new RedisPacing(redis[n]!, prefix),
      chats,
      render: () => Promise.resolve({ action: "skip", reason: "unused" }),
      retry: { maxAttempts: 3, baseDelaySeconds: 0.05, maxDelaySeconds: 0.2 },
    });
    outboxes.push(o);
    return o;
  }

  it("queues each (fan-out, chat) once however often and wherever the fan-out is repeated", async () => {
    const a = outbox(0);
    const b = outbox(1);
    const recipients = Array.from({ length: 30 }, (_, i) => 9100 + i);
    await Promise.all([
      a.fanOut({ id: "article:x1", priority: "bulk", payload: text("x1"), recipients: [...recipients, 9100, 9101] }),
      b.fanOut({ id: "article:x1", priority: "bulk", payload: text("x1"), recipients }),
    ]);
    expect(await a.countPending()).toBe(30);
    await a.start();
    await b.start();
    await until(() => telegram.sent.length >= 30, 10_000, "all sent");
    await a.whenIdle();
    // Repeated after completion: marked done, nothing is queued again.
    await b.fanOut({ id: "article:x1", priority: "bulk", payload: text("x1"), recipients });
    await new Promise((r) => setTimeout(r, 300));
    for (const id of recipients) expect(telegram.to(id)).toEqual(["x1"]);
    expect(a.stats().sent + b.stats().sent).toBe(30);
  });

  it("a 429 delays the message, which is retried without counting an attempt", async () => {
    const a = outbox(0);
    telegram.failures.set(9201, [tgError(429, "Too Many Requests: retry after 1", { retry_after: 1 })]);
    await a.fanOut({ id: "b1", priority: "bulk", payload: text("b1"), recipients: [9201, 9202, 9203] });
    await a.start();
    await until(() => telegram.sent.length === 3, 10_000, "all three sent");
    expect(telegram.to(9201)).toEqual(["b1"]);
    expect(a.stats().rateLimited429).toBe(1);
    expect(a.stats().failed).toBe(0);
  });

  it("403 deactivates the chat and drops its other messages; a migration moves the message to the new id", async () => {
    const a = outbox(0);
    telegram.failures.set(9301, [tgError(403, "Forbidden: bot was blocked by the user")]);
    telegram.failures.set(-9302, [tgError(400, "Bad Request: group chat was upgraded to a supergroup chat", { migrate_to_chat_id: -1009302 })]);
    await a.enqueue({ chatId: 9301, priority: "bulk", payload: text("one") });
    await a.enqueue({ chatId: -9302, priority: "bulk", payload: text("moved") });
    await a.start();
    await until(() => chats.inactive.has(9301) && telegram.to(-1009302).length === 1, 10_000, "403 and migration handled");
    await a.enqueue({ chatId: 9301, priority: "bulk", payload: text("two") });
    await a.whenIdle();
    expect(telegram.to(9301)).toEqual([]);
    expect(chats.migrations).toEqual([[-9302, -1009302]]);
    expect(a.stats().dropped).toBe(2);
  });

  it("a message Telegram keeps refusing is dead-lettered after the configured attempts, visible to every instance", async () => {
    const a = outbox(0);
    const b = outbox(1);
    const refusal = tgError(400, "Bad Request: can't parse entities");
    telegram.failures.set(9401, [refusal, refusal, refusal]);
    await a.enqueue({ chatId: 9401, priority: "broadcast", payload: text("<b") });
    await a.start();
    await until(async () => (await b.deadLetters()).length === 1, 10_000, "dead letter");
    const [dead] = await b.deadLetters();
    expect(dead).toMatchObject({ chatId: 9401, attempts: 3, priority: "broadcast", n: 0 });
    expect(dead?.error).toContain("can't parse entities");
    expect(telegram.to(9401)).toEqual([]);
  });
});
