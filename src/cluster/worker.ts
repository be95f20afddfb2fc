import { DelayedError, Worker, type Job } from "bullmq";
import { classifyTelegramError, type ClassifiedError } from "../delivery/errors.js";
import type { ChatStatus, RetryPolicy, SenderEvent } from "../delivery/sender-options.js";
import type { Clock } from "../delivery/time.js";
import type { DeliveryPayload, Priority, RenderFn, TelegramCall, TelegramSender } from "../delivery/types.js";
import type { RedisDeadLetters } from "./deadletters.js";
import type { RedisChatPacing } from "./pacing.js";

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
  pacing: RedisChatPacing;
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
 * Sends one job: pacing per chat (Redis), rendering at send time, and the Sender's error policy
 * (src/delivery/errors.ts): a global 429 pauses the queue for all instances and puts the job back
 * uncounted; a chat 429 or a busy chat delays only this job; 403 deactivates the chat; a migration
 * moves the job to the new id; 400s are retried then dead-lettered; network errors back off.
 */
export class DeliveryProcessor {
  readonly counters: WorkerCounters = { sent: 0, failed: 0, deadLettered: 0, dropped: 0, rateLimited429: 0 };
  private consecutiveTransient = 0;

  constructor(private readonly d: DeliveryProcessorDeps) {}

  /** BullMQ's processor function. */
  readonly process = async (job: Job<DeliveryJobData>, token?: string): Promise<void> => {
    const data = job.data;
    const { chatId } = data;
    if (data.priority !== "interactive" && this.d.chats.isActive?.(chatId) === false) {
      this.counters.dropped++;
      return;
    }
    const waitMs = await this.d.pacing.take(chatId);
    if (waitMs > 0) return delay(job, token, this.d.clock.now() + waitMs);
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
      this.consecutiveTransient = 0;
    } catch (raw) {
      await this.onFailure(job, token, classifyTelegramError(raw, chatId), call?.method);
    }
  };

  private async onFailure(job: Job<DeliveryJobData>, token: string | undefined, err: ClassifiedError, method: string | undefined): Promise<void> {
    const data = job.data;
    const now = this.d.clock.now();
    const event = { chatId: data.chatId, method, detail: err.message };
    switch (err.kind) {
      case "rate-limited":
        this.counters.rateLimited429++;
        this.d.onEvent({ type: "rate-limited", ...event });
        if (err.scope === "global") {
          await this.d.pauseQueue(err.retryAfterSeconds * 1000);
          throw Worker.RateLimitError();
        }
        await this.d.pacing.pause(data.chatId, err.retryAfterSeconds * 1000);
        return delay(job, token, now + err.retryAfterSeconds * 1000);
      case "chat-gone":
        this.d.onEvent({ type: "chat-gone", ...event });
        if (this.d.neverDrop(data.chatId)) {
          this.counters.failed++;
          return this.retryCounted(job, token, now, err.message);
        }
        this.counters.dropped++;
        // Other pending jobs for this chat are dropped at their turn (isActive becomes false everywhere).
        await this.d.chats.deactivate(data.chatId, err.reason);
        return;
      case "chat-migrated":
        this.d.onEvent({ type: "chat-migrated", ...event });
        await this.d.chats.migrate(data.chatId, err.newChatId);
        await job.updateData({ ...data, chatId: err.newChatId });
        return delay(job, token, now);
      case "bad-request": {
        this.counters.failed++;
        if (data.attempts + 1 >= this.d.retry.maxAttempts) {
          this.counters.deadLettered++;
          this.d.onEvent({ type: "dead-letter", ...event });
          const { chatId, priority, payload, createdAt } = data;
          await this.d.deadLetters.add({ chatId, priority, payload, createdAt, attempts: data.attempts + 1, error: err.message, failedAt: now });
          return;
        }
        this.d.onEvent({ type: "bad-request", ...event });
        return this.retryCounted(job, token, now, err.message);
      }
      case "transient":
        this.counters.failed++;
        this.d.onEvent({ type: "transient", ...event });
        // Several in a row: Telegram or the network is down; slow every instance down, not just this one.
        if (++this.consecutiveTransient >= 3) await this.d.pauseQueue(this.backoffMs(this.consecutiveTransient - 2));
        return this.retryCounted(job, token, now, err.message);
    }
  }

  private async retryCounted(job: Job<DeliveryJobData>, token: string | undefined, now: number, _error: string): Promise<void> {
    const attempts = job.data.attempts + 1;
    await job.updateData({ ...job.data, attempts });
    return delay(job, token, now + this.backoffMs(attempts));
  }

  private backoffMs(attempts: number): number {
    const { baseDelaySeconds, maxDelaySeconds } = this.d.retry;
    return Math.min(maxDelaySeconds, baseDelaySeconds * 2 ** Math.max(0, attempts - 1)) * 1000;
  }
}

/** BullMQ's manual delay: move the active job to the delayed set and tell the worker so. */
async function delay(job: Job<DeliveryJobData>, token: string | undefined, atMs: number): Promise<never> {
  await job.moveToDelayed(Math.ceil(atMs), token);
  throw new DelayedError();
}
