import { createHash } from "node:crypto";
import { Queue, Worker, type JobsOptions } from "bullmq";
import type { DeadLetter } from "../delivery/deadletter.js";
import type { EnqueueInput, FanOutInput } from "../delivery/outbox.js";
import type { DeliveryQueue } from "../runtime/types.js";
import type { ChatStatus, DeliveryStats, RetryPolicy, SenderEvent } from "../delivery/sender-options.js";
import { systemClock, type Clock } from "../delivery/time.js";
import { DeliveryPayloadSchema, priorityRank, type Priority, type RenderFn, type TelegramSender } from "../delivery/types.js";
import type { SendPacing } from "../telegram/pacing.js";
import { RedisDeadLetters } from "./deadletters.js";
import type { RedisClient } from "./redis.js";
import { DeliveryProcessor, type DeliveryJobData } from "./worker.js";

/** Options of the Redis-backed outbox. */
export interface ClusterOutboxOptions {
  /** A connected node-redis client; BullMQ duplicates it for its blocking reads. */
  redis: RedisClient;
  /** Key prefix, e.g. "newsdesk:" (BullMQ keys live under "<prefix>bull"). */
  prefix: string;
  telegram: TelegramSender;
  chats: ChatStatus;
  render: RenderFn;
  /** The budget shared by every instance's bulk sends, replies and tips. */
  pacing: SendPacing;
  /** Messages per second for all instances together (default 29). */
  globalPerSecond?: number;
  /** Default { maxAttempts: 5, baseDelaySeconds: 2, maxDelaySeconds: 300 }. */
  retry?: Partial<RetryPolicy>;
  /** Jobs this instance sends at once (default 16). */
  concurrency?: number;
  /** Chats whose deliveries are never dropped on 403 (the newsroom). */
  neverDrop?: (chatId: number) => boolean;
  onEvent?: (event: SenderEvent) => void;
  /** Queue-side errors (connection loss…). */
  onError?: (err: unknown) => void;
  clock?: Clock;
}

const QUEUE = "deliveries";
/** Recipients per addBulk call when fanning out. */
const BULK = 500;
/** A finished job's id is remembered this long (a fan-out repeated after a crash mid-add, before its done mark, does not send again); ~1.7 KB of Redis per job. */
const KEEP_COMPLETED_SECONDS = 900;
/** A fan-out marked done is not repeated for a week (the same span as Distribution's hand-off record). */
const FANOUT_DONE_MS = 7 * 86_400_000;

/** BullMQ priority: 1 is the highest. */
const bullPriority = (p: Priority): number => priorityRank(p) + 1;

/**
 * The outbox for several instances: every delivery is one BullMQ job in a queue all instances
 * share and all work on. BullMQ's queue-level limiter keeps the instances together under
 * Telegram's global limit, a global 429 pauses that limiter for everyone, and each fan-out
 * recipient's job id is derived from (fan-out id, chat), so a delivery is never queued twice.
 */
export class ClusterOutbox implements DeliveryQueue {
  private readonly queue: Queue<DeliveryJobData>;
  private worker: Worker<DeliveryJobData> | undefined;
  private readonly processor: DeliveryProcessor;
  private readonly redisDead: RedisDeadLetters;
  private readonly limiterMs: number;
  /** The shared queue's rate: the drain estimate of /stats. */
  private readonly ratePerSecond: number;
  private readonly clockNow: () => number;
  private depth = { pending: 0, deadLetters: 0, oldestAt: undefined as number | undefined };
  private depthTimer: NodeJS.Timeout | undefined;
  private enqueued = 0;

  constructor(private readonly c: ClusterOutboxOptions) {
    const clock = c.clock ?? systemClock;
    this.clockNow = () => clock.now();
    const connection = c.redis;
    this.queue = new Queue<DeliveryJobData>(QUEUE, { connection, prefix: `${c.prefix}bull` });
    this.queue.on("error", c.onError ?? (() => undefined));
    this.redisDead = new RedisDeadLetters(c.redis, c.prefix);
    // One job per window: a fixed window of `max` jobs would let two bursts meet inside one
    // rolling second; one per ceil(1000/rate)+1 ms keeps any rolling second at or under the rate.
    this.limiterMs = Math.ceil(1000 / (c.globalPerSecond ?? 29)) + 1;
    this.ratePerSecond = c.globalPerSecond ?? 29;
    this.processor = new DeliveryProcessor({
      telegram: c.telegram,
      chats: c.chats,
      render: c.render,
      pacing: c.pacing,
      deadLetters: this.redisDead,
      retry: { maxAttempts: 5, baseDelaySeconds: 2, maxDelaySeconds: 300, ...c.retry },
      clock,
      neverDrop: c.neverDrop ?? (() => false),
      onEvent: c.onEvent ?? (() => undefined),
      pauseQueue: (ms) => this.pauseAll(ms),
    });
  }

  /** Starts this instance's worker on the shared queue (pending work lives there: nothing to load). */
  start(): Promise<void> {
    if (this.worker) return Promise.resolve();
    this.worker = new Worker<DeliveryJobData>(QUEUE, this.processor.process, {
      connection: this.c.redis,
      prefix: `${this.c.prefix}bull`,
      concurrency: this.c.concurrency ?? 16,
      limiter: { max: 1, duration: this.limiterMs },
      // A killed instance's jobs go back to the queue within ~lockDuration.
      lockDuration: 15_000,
      stalledInterval: 5_000,
      maxStalledCount: 3,
    });
    this.worker.on("error", this.c.onError ?? (() => undefined));
    this.depthTimer = setInterval(() => void this.refreshDepth(), 2000);
    this.depthTimer.unref();
    void this.refreshDepth();
    return Promise.resolve();
  }

  /** Stops taking jobs, waits for the ones in flight, closes the queue. */
  async stop(): Promise<void> {
    clearInterval(this.depthTimer);
    await this.worker?.close();
    this.worker = undefined;
    await this.queue.close();
  }

  /** Queues one message (no job id: each call is a new message). */
  async enqueue(input: EnqueueInput & { attempts?: number; createdAt?: number }): Promise<number> {
    const now = this.clockNow();
    const data: DeliveryJobData = {
      chatId: input.chatId,
      priority: input.priority,
      payload: DeliveryPayloadSchema.parse(input.payload),
      attempts: input.attempts ?? 0,
      createdAt: input.createdAt ?? now,
    };
    await this.queue.add("message", data, { ...this.jobOptions(input.priority), delay: Math.max(0, (input.notBeforeMs ?? now) - now) });
    this.depth.pending++;
    return this.enqueued++;
  }

  /**
   * Queues one job per recipient with id `<hash of fan-out id>.<chat>`: BullMQ ignores an add whose
   * id exists (pending, or finished within the last 15 minutes). A completed fan-out is marked for a week,
   * so a repeat after that only costs one read.
   */
  async fanOutAll(inputs: readonly FanOutInput[]): Promise<string[]> {
    const ids: string[] = [];
    for (const input of inputs) ids.push(await this.fanOut(input));
    return ids;
  }

  async fanOut(input: FanOutInput): Promise<string> {
    const id = input.id ?? `f${this.clockNow()}.${Math.random().toString(36).slice(2)}`;
    const doneKey = `${this.c.prefix}fanout:${id}`;
    if ((await this.c.redis.get(doneKey)) === "done") return id;
    const recipients = [...new Set(input.recipients)];
    const payload = DeliveryPayloadSchema.parse(input.payload);
    const tag = createHash("sha1").update(id).digest("hex").slice(0, 20);
    const createdAt = this.clockNow();
    for (let i = 0; i < recipients.length; i += BULK) {
      await this.queue.addBulk(
        recipients.slice(i, i + BULK).map((chatId) => ({
          name: "fanout",
          data: { chatId, priority: input.priority, payload, attempts: 0, createdAt },
          opts: { ...this.jobOptions(input.priority), jobId: `${tag}.${chatId}` },
        })),
      );
    }
    await this.c.redis.set(doneKey, "done", { expiration: { type: "PX", value: FANOUT_DONE_MS } });
    this.depth.pending += recipients.length;
    return id;
  }

  /** Promotes the chat's delayed jobs (quiet hours held them); their render decides anew. */
  async releaseHeld(chatId: number): Promise<number> {
    let released = 0;
    for (const job of await this.queue.getDelayed()) {
      if (job.data.chatId !== chatId) continue;
      await job.promote().catch(() => undefined);
      released++;
    }
    return released;
  }

  /** Shared queue depth (waiting, delayed, active), refreshed every 2 s. */
  pendingCount(): number {
    return this.depth.pending;
  }

  oldestPendingAt(): number | undefined {
    return this.depth.oldestAt;
  }

  deadLetters(limit = 20): Promise<DeadLetter[]> {
    return this.redisDead.list(limit);
  }

  /** This instance's counters plus the shared queue's depth. */
  stats(): DeliveryStats {
    const oldest = this.depth.oldestAt;
    return {
      ...this.processor.counters,
      pending: this.depth.pending,
      inFlight: 0,
      lagSeconds: oldest === undefined ? 0 : Math.max(0, (this.clockNow() - oldest) / 1000),
      deadLetterTotal: this.depth.deadLetters,
      backlogMessages: this.depth.pending,
      sendRatePerSecond: this.ratePerSecond,
      drainSeconds: this.depth.pending / this.ratePerSecond,
    };
  }

  /** Resolves when the shared queue has nothing waiting, delayed or active (tests, benches). */
  async whenIdle(pollMs = 100): Promise<void> {
    while ((await this.countPending()) > 0) await new Promise((r) => setTimeout(r, pollMs));
  }

  /** Waiting + prioritized + delayed + active jobs in the shared queue. */
  async countPending(): Promise<number> {
    const c = await this.queue.getJobCounts("waiting", "prioritized", "delayed", "active");
    return Object.values(c).reduce((a, b) => a + b, 0);
  }

  private jobOptions(priority: Priority): JobsOptions {
    return {
      priority: bullPriority(priority),
      removeOnComplete: { age: KEEP_COMPLETED_SECONDS },
      removeOnFail: { count: 1000 },
      // Only unexpected errors (a store hiccup in deactivate) fail a job; Telegram errors are handled.
      attempts: 10,
      backoff: { type: "exponential", delay: 1000 },
    };
  }

  private async pauseAll(ms: number): Promise<void> {
    await this.worker?.rateLimit(Math.max(1, Math.ceil(ms)));
  }

  private async refreshDepth(): Promise<void> {
    try {
      this.depth.pending = await this.countPending();
      this.depth.deadLetters = await this.redisDead.total();
      const [oldest] = await this.queue.getJobs(["waiting", "prioritized", "delayed"], 0, 0, true);
      this.depth.oldestAt = oldest?.data.createdAt;
    } catch (err) {
      this.c.onError?.(err);
    }
  }
}
