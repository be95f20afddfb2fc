import { DelayedError, Worker, type Job } from "bullmq";
import { FailurePolicy } from "../telegram/policy.js";
import type { ChatStatus, RetryPolicy, SenderEvent } from "../delivery/sender-options.js";
import type { Clock } from "../delivery/time.js";
import type { DeliveryPayload, Priority, RenderFn, TelegramCall, TelegramSender } from "../delivery/types.js";
import type { RedisDeadLetters } from "./deadletters.js";
import type { SendPacing } from "../telegram/pacing.js";

/** What one queued delivery carries (one BullMQ job = one message to one chat). */
export interface DeliveryJobData {
  chatId: number;
  priority: Priority;
  payload: DeliveryPayload;
  /** Counted failed attempts so far (400s, network errors). */
  attempts: number;
  createdAt: number;
}

/** Counters of this instance (/stats adds the queue's shared depth). */
export interface WorkerCounters {
  sent: number;
  failed: number;
  deadLettered: number;
  dropped: number;
  rateLimited429: number;
}

/** Dependencies of the job processor: the same seams the single-process Sender uses. */
export interface DeliveryProcessorDeps {
  telegram: TelegramSender;
  chats: ChatStatus;
  render: RenderFn;
  /** The budget shared with replies and tips on every instance. */
  pacing: SendPacing;
  deadLetters: RedisDeadLetters;
  retry: RetryPolicy;
  clock: Clock;
  /** Chats never dropped on 403 (the newsroom); default none. */
  neverDrop: (chatId: number) => boolean;
  onEvent: (event: SenderEvent) => void;
  /** Pauses the whole queue for every instance (BullMQ's queue-level rate limit). */
  pauseQueue: (ms: number) => Promise<void>;
}

/**
 * Sends one job: pacing per chat and globally (Redis, shared with replies and tips on every
 * instance), rendering at send time, and the one failure policy (src/telegram/policy.ts) carried
 * out on BullMQ: a 429 delays only this job unless several chats show a global limit (then the
 * queue pauses for every instance); 403 deactivates the chat; a migration moves the job to the new
 * id; 400s are retried then dead-lettered; network errors back off.
 */
export class DeliveryProcessor {
  readonly counters: WorkerCounters = { sent: 0, failed: 0, deadLettered: 0, dropped: 0, rateLimited429: 0 };
  private readonly policy: FailurePolicy;

  constructor(private readonly d: DeliveryProcessorDeps) {
    this.policy = new FailurePolicy(d.retry);
  }

  /** BullMQ's processor function. */
  readonly process = async (job: Job<DeliveryJobData>, token?: string): Promise<void> => {
    const data = job.data;
    const { chatId } = data;
    if (data.priority !== "interactive" && this.d.chats.isActive?.(chatId) === false) {
      this.counters.dropped++;
      return;
    }
    const waitMs = await this.d.pacing.tryTake(chatId);
    // A short global wait is slept here; a chat that is not due yet gives its worker slot back.
    if (waitMs > 250) return delay(job, token, this.d.clock.now() + waitMs);
    if (waitMs > 0) {
      await new Promise((r) => setTimeout(r, waitMs));
      return this.process(job, token);
    }
    let call: TelegramCall | undefined;
    try {
      if (data.payload.kind === "call") {
        call = { method: data.payload.method, params: data.payload.params };
      } else {
        const rendered = await this.d.render(chatId, data.payload);
        if (rendered.action === "skip") {
          this.counters.dropped++;
          return;
        }
        if (rendered.action === "hold") return delay(job, token, rendered.untilMs);
        call = rendered.call;
      }
      await this.d.telegram.call(call.method, { ...call.params, chat_id: chatId });
      this.counters.sent++;
      this.policy.succeeded();
    } catch (raw) {
      await this.onFailure(job, token, raw, call?.method);
    }
  };

  private async onFailure(job: Job<DeliveryJobData>, token: string | undefined, raw: unknown, method: string | undefined): Promise<void> {
    const data = job.data;
    const now = this.d.clock.now();
    const { error, decision, pauseAllMs } = this.policy.decide(raw, { chatId: data.chatId, attempts: data.attempts, neverDrop: this.d.neverDrop(data.chatId) });
    const event = { chatId: data.chatId, method, detail: error.message };
    // Several network failures in a row: Telegram or the network is down; slow every instance down.
    if (pauseAllMs !== undefined) await this.d.pauseQueue(pauseAllMs);
    switch (decision.action) {
      case "wait": {
        this.counters.rateLimited429++;
        this.d.onEvent({ type: "rate-limited", ...event });
        const scope = await this.d.pacing.rateLimited(data.chatId, decision.retryAfterMs / 1000);
        if (scope === "global") {
          await this.d.pauseQueue(decision.retryAfterMs);
          throw Worker.RateLimitError();
        }
        return delay(job, token, now + decision.retryAfterMs);
      }
      case "chat-gone":
        this.d.onEvent({ type: "chat-gone", ...event });
        this.counters.dropped++;
        // Other pending jobs for this chat are dropped at their turn (isActive becomes false everywhere).
        await this.d.chats.deactivate(data.chatId, decision.reason);
        return;
      case "migrate":
        this.d.onEvent({ type: "chat-migrated", ...event });
        await this.d.chats.migrate(data.chatId, decision.newChatId);
        await job.updateData({ ...data, chatId: decision.newChatId });
        return delay(job, token, now);
      case "give-up": {
        this.counters.failed++;
        this.counters.deadLettered++;
        this.d.onEvent({ type: "dead-letter", ...event });
        const { chatId, priority, payload, createdAt } = data;
        await this.d.deadLetters.add({ chatId, priority, payload, createdAt, attempts: decision.attempts, error: error.message, failedAt: now });
        return;
      }
      case "retry":
        this.counters.failed++;
        this.d.onEvent({ type: error.kind === "chat-gone" ? "chat-gone" : error.kind === "transient" ? "transient" : "bad-request", ...event });
        await job.updateData({ ...data, attempts: decision.attempts });
        return delay(job, token, now + decision.delayMs);
    }
  }
}

/** BullMQ's manual delay: move the active job to the delayed set and tell the worker so. */
async function delay(job: Job<DeliveryJobData>, token: string | undefined, atMs: number): Promise<never> {
  await job.moveToDelayed(Math.ceil(atMs), token);
  throw new DelayedError();
}
