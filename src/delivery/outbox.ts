import { randomUUID } from "node:crypto";
import type Keyv from "keyv";
import { z } from "zod";
import { DeadLetters, type DeadLetter } from "./deadletter.js";
import { FanoutJob, JobMetaSchema, jobKey, writeJob } from "./fanout.js";
import { CoalescedWriter, mustSet, strict } from "./kv.js";
import { systemClock, type Clock } from "./time.js";
import { DeliveryPayloadSchema, PRIORITIES, isPaid, priorityRank, type Delivery, type DeliveryPayload, type Priority } from "./types.js";

/** A stored single message. */
const SingleSchema = z.object({
  seq: z.number().int().nonnegative(),
  chatId: z.number().int(),
  priority: z.enum(PRIORITIES),
  payload: DeliveryPayloadSchema,
  attempts: z.number().int().nonnegative(),
  notBefore: z.number(),
  createdAt: z.number(),
  lastError: z.string().optional(),
});
type Single = z.infer<typeof SingleSchema> & { inflight?: boolean };

const msgKey = (seq: number): string => `msg:${seq}`;
const SEQ_KEY = "msg:reserved";
const LOW_KEY = "msg:low";
const JOBS_KEY = "jobs";

/** Options of the outbox. */
export interface OutboxOptions {
  /** Time source (default: the system clock). */
  clock?: Clock;
  /** Recipient ids per stored chunk of a fan-out snapshot (default 1000). */
  chunkSize?: number;
}

/** A single message to enqueue. */
export interface EnqueueInput {
  chatId: number;
  priority: Priority;
  payload: DeliveryPayload;
  /** Not before this time, ms epoch (default: now). */
  notBeforeMs?: number;
}

/** A fan-out to enqueue. */
export interface FanOutInput {
  priority: Priority;
  payload: DeliveryPayload;
  recipients: readonly number[];
  /** Idempotency key: while a job with this id is pending, a second fanOut with it is a no-op (default: random). */
  id?: string;
}

/** How many seq numbers one counter write reserves: most enqueues cost a single write. */
const SEQ_BLOCK = 256;

/**
 * The durable outbox, by priority. Every delivery is in the store before it is attempted and leaves it only
 * once Telegram accepted it (or it was dead-lettered / dropped). Two shapes share one queue:
 * single messages (`msg:<seq>`, one record each) and fan-out jobs (see fanout.ts). Everything is
 * mirrored in memory after `load()`; only this process may use the namespace (multi-instance needs
 * the Redis-backed queue).
 */
export class Outbox {
  private readonly kv: Keyv;
  private readonly clock: Clock;
  private readonly chunkSize: number;
  private readonly singles = PRIORITIES.map(() => new Map<number, Single>());
  private jobs: FanoutJob[] = [];
  private readonly dead: DeadLetters;
  private nextSeq = 0;
  private reservedSeq = 0;
  private durableSeq = 0;
  private persistedLow = 0;
  private readonly seqWriter: CoalescedWriter;
  private readonly lowWriter: CoalescedWriter;
  private readonly jobsWriter: CoalescedWriter;
  private readonly listeners = new Set<() => void>();
  private readonly deadRecorded = new Set<string>();
  /** When each delivery in flight left the queue, and when each chat's held deliveries were last released. */
  private readonly takenAt = new WeakMap<Delivery, number>();
  private readonly releasedAt = new Map<number, number>();
  private loaded = false;

  /** Sets `throwOnErrors` on `kv`: a failing store must never read as "nothing pending". */
  constructor(kv: Keyv, options: OutboxOptions = {}) {
    this.kv = strict(kv);
    this.clock = options.clock ?? systemClock;
    this.chunkSize = options.chunkSize ?? 1000;
    this.dead = new DeadLetters(this.kv);
    this.seqWriter = new CoalescedWriter(() => mustSet(this.kv, SEQ_KEY, this.reservedSeq));
    this.lowWriter = new CoalescedWriter(() => mustSet(this.kv, LOW_KEY, this.persistedLow));
    this.jobsWriter = new CoalescedWriter(() => mustSet(this.kv, JOBS_KEY, this.jobs.map((j) => j.id)));
  }

  /** Reads pending work left by a previous run. Call once before anything else. */
  async load(): Promise<{ singles: number; jobs: number; invalid: number }> {
    let invalid = 0;
    const seqNumber = z.number().int().nonnegative().catch(0);
    const reserved = seqNumber.parse(await this.kv.get(SEQ_KEY));
    const low = seqNumber.parse(await this.kv.get(LOW_KEY));
    this.nextSeq = this.reservedSeq = this.durableSeq = reserved;
    this.persistedLow = low;
    for (let from = low; from < reserved; from += 500) {
      const seqs = Array.from({ length: Math.min(500, reserved - from) }, (_, i) => from + i);
      const values = await this.kv.getMany(seqs.map(msgKey));
      for (const value of values) {
        if (value === undefined || value === null) continue;
        const parsed = SingleSchema.safeParse(value);
        if (parsed.success) this.queueOf(parsed.data.priority).set(parsed.data.seq, parsed.data);
        else invalid++;
      }
    }
    const ids = z.array(z.string()).catch([]).parse(await this.kv.get(JOBS_KEY));
    for (const id of ids) {
      const parsed = JobMetaSchema.safeParse(await this.kv.get(jobKey(id)));
      if (parsed.success) this.jobs.push(new FanoutJob(this.kv, parsed.data));
      else invalid++;
    }
    await this.dead.load();
    this.loaded = true;
    this.changed();
    return { singles: this.singles.reduce((n, q) => n + q.size, 0), jobs: this.jobs.length, invalid };
  }

  /** Records one message; resolves (with its sequence number) once it is durable. */
  async enqueue(input: EnqueueInput & { attempts?: number; createdAt?: number; lastError?: string }): Promise<number> {
    this.assertLoaded();
    const seq = this.nextSeq++;
    if (seq >= this.reservedSeq) this.reservedSeq = seq + SEQ_BLOCK;
    // The record must never be written beyond the durable counter, or a restart would not see it.
    while (seq >= this.durableSeq) {
      const target = this.reservedSeq;
      await this.seqWriter.flush();
      this.durableSeq = Math.max(this.durableSeq, target);
    }
    const now = this.clock.now();
    const record: Single = SingleSchema.parse({
      seq,
      chatId: input.chatId,
      priority: input.priority,
      payload: input.payload,
      attempts: input.attempts ?? 0,
      notBefore: input.notBeforeMs ?? now,
      createdAt: input.createdAt ?? now,
      ...(input.lastError !== undefined ? { lastError: input.lastError } : {}),
    });
    await mustSet(this.kv, msgKey(seq), record);
    this.queueOf(record.priority).set(seq, record);
    this.changed();
    return seq;
  }

  /** Records a fan-out to many chats; resolves (with the job id) once it is durable. */
  async fanOut(input: FanOutInput): Promise<string> {
    return (await this.fanOutAll([input]))[0]!;
  }

  /** Records several fan-outs; the sender sees them only once all are durable (they bundle). */
  async fanOutAll(inputs: readonly FanOutInput[]): Promise<string[]> {
    this.assertLoaded();
    const ids: string[] = [];
    const fresh: FanoutJob[] = [];
    for (const input of inputs) {
      const id = input.id ?? randomUUID();
      ids.push(id);
      if (this.jobs.some((j) => j.id === id) || fresh.some((j) => j.id === id)) continue;
      const recipients = [...new Set(input.recipients)];
      if (recipients.length === 0) continue;
      const init = { id, priority: input.priority, payload: DeliveryPayloadSchema.parse(input.payload), chunkSize: this.chunkSize, createdAt: this.clock.now() };
      fresh.push(new FanoutJob(this.kv, await writeJob(this.kv, init, recipients)));
    }
    if (fresh.length === 0) return ids;
    this.jobs.push(...fresh);
    await this.jobsWriter.flush();
    this.changed();
    return ids;
  }

  /**
   * The next delivery that may go out now: highest priority first, oldest first within one,
   * skipping chats that are not ready (`chatReadyAt` > now; Infinity = busy). `maxRank` limits the
   * priorities considered (0 = interactive only), `accept` the payloads (paid broadcasts only while
   * the free budget is spent). Otherwise the earliest time to ask again.
   */
  async next(
    chatReadyAt: (chatId: number) => number,
    maxRank = PRIORITIES.length - 1,
    accept?: (payload: DeliveryPayload) => boolean,
  ): Promise<Delivery | { wakeAt: number }> {
    const now = this.clock.now();
    let wakeAt = Infinity;
    for (let rank = 0; rank <= maxRank; rank++) {
      for (const single of this.singles[rank]!.values()) {
        if (single.inflight || (accept && !accept(single.payload))) continue;
        const at = Math.max(single.notBefore, chatReadyAt(single.chatId));
        if (at <= now) {
          single.inflight = true;
          const { chatId, priority, payload, attempts, createdAt, seq } = single;
          return this.taken({ chatId, priority, payload, attempts, createdAt, ref: { kind: "single", seq } }, now);
        }
        wakeAt = Math.min(wakeAt, at);
      }
      // Recipients set aside earlier (their chat was busy) first, whichever job they are in: they
      // have waited longest, and a later job must not leave them behind the whole of an earlier one.
      for (const deferredOnly of [true, false]) {
        for (const job of this.jobs) {
          if (priorityRank(job.meta.priority) !== rank || job.exhausted || (accept && !accept(job.meta.payload))) continue;
          const got = await job.next(now, chatReadyAt, deferredOnly);
          if ("ref" in got) return this.taken(got, now);
          wakeAt = Math.min(wakeAt, got.wakeAt);
        }
      }
    }
    return { wakeAt };
  }

  /**
   * More waiting deliveries for the chat of `first` that may share one message with it: other
   * fan-out jobs of the same priority and render type, ready now, at most `limit`. They are in
   * flight from here on, like anything `next()` hands out. Only the renderer knows where each one
   * goes inside the chat (a forum group's thread), so it leaves those bound elsewhere for their own
   * message (`left`), and the sender puts them back.
   */
  async claimBundle(first: Delivery, limit: number): Promise<Delivery[]> {
    if (first.payload.kind !== "render" || limit <= 0) return [];
    const type = first.payload.type;
    const now = this.clock.now();
    const out: Delivery[] = [];
    // Singles too: a bundle that failed once comes back as single messages with counted attempts.
    for (const single of this.queueOf(first.priority).values()) {
      if (out.length >= limit) return out;
      if (single.inflight || single.chatId !== first.chatId || single.notBefore > now) continue;
      if ((first.ref.kind === "single" && single.seq === first.ref.seq) || single.payload.kind !== "render" || single.payload.type !== type) continue;
      if (isPaid(single.payload) !== isPaid(first.payload)) continue;
      single.inflight = true;
      const { chatId, priority, payload, attempts, createdAt, seq } = single;
      out.push(this.taken({ chatId, priority, payload, attempts, createdAt, ref: { kind: "single", seq } }, now));
    }
    for (const job of this.jobs) {
      if (out.length >= limit) break;
      if (first.ref.kind === "job" && job.id === first.ref.jobId) continue;
      const payload = job.meta.payload;
      if (job.meta.priority !== first.priority || payload.kind !== "render" || payload.type !== type || isPaid(payload) !== isPaid(first.payload)) continue;
      // A chunk that cannot be read now only leaves that job out of this bundle: what was claimed
      // already goes out (the Sender must not see a throw after recipients were marked in flight).
      const got = await job.claimFor(first.chatId, now).catch(() => undefined);
      if (got) out.push(this.taken(got, now));
    }
    return out;
  }

  /** Notes when a delivery went out of the queue (see releaseHeld / retryLater). */
  private taken(d: Delivery, now: number): Delivery {
    this.takenAt.set(d, now);
    return d;
  }

  /** Telegram accepted it (or it no longer needs sending): forget it durably. */
  async complete(d: Delivery): Promise<void> {
    if (d.ref.kind === "single") {
      const single = this.queueOf(d.priority).get(d.ref.seq);
      await this.kv.delete(msgKey(d.ref.seq));
      this.queueOf(d.priority).delete(d.ref.seq);
      if (single) await this.advanceLow();
    } else {
      const { jobId, index } = d.ref;
      const job = this.jobs.find((j) => j.id === jobId);
      if (!job) return;
      await job.markDone(index);
      if (job.finished) await this.finishJob(job);
    }
    this.changed();
  }

  /**
   * Try again at `notBeforeMs`. A counted retry (`attempts` given) is made durable: a fan-out
   * recipient becomes a single message of its own so that its attempts survive a restart. An
   * uncounted one (429) only waits in memory.
   */
  async retryLater(d: Delivery, notBeforeMs: number, counted?: { attempts: number; error: string }): Promise<void> {
    // Held while the chat's quiet hours ended (/quiet off during the render): it goes now.
    const released = this.releasedAt.get(d.chatId);
    if (counted?.error === "held" && released !== undefined && released >= (this.takenAt.get(d) ?? Infinity)) notBeforeMs = this.clock.now();
    this.takenAt.delete(d);
    if (d.ref.kind === "job") {
      const { jobId, index } = d.ref;
      const job = this.jobs.find((j) => j.id === jobId);
      if (!job) return;
      if (!counted) {
        job.defer(index, d.chatId, notBeforeMs);
      } else {
        // A retried step (store hiccup after the enqueue) must not spill the recipient twice.
        if (!job.isMarked(index)) {
          await this.enqueue({ chatId: d.chatId, priority: d.priority, payload: d.payload, notBeforeMs, attempts: counted.attempts, createdAt: d.createdAt, lastError: counted.error });
        }
        await job.markDone(index);
        if (job.finished) await this.finishJob(job);
      }
    } else {
      const single = this.queueOf(d.priority).get(d.ref.seq);
      if (!single) return;
      const updated: Single = { ...single, chatId: d.chatId, notBefore: notBeforeMs, inflight: false };
      if (counted) Object.assign(updated, { attempts: counted.attempts, lastError: counted.error });
      if (counted || single.chatId !== d.chatId) await mustSet(this.kv, msgKey(single.seq), strip(updated));
      this.queueOf(d.priority).set(single.seq, updated);
    }
    this.changed();
  }

  /** Gives up on a delivery: a dead-letter record is written, then the delivery is removed. */
  async deadLetter(d: Delivery, attempts: number, error: string): Promise<void> {
    const { chatId, priority, payload, createdAt } = d;
    const key = d.ref.kind === "single" ? `s${d.ref.seq}` : `j${d.ref.jobId}:${d.ref.index}`;
    // Retried after a store hiccup in complete(): record the dead letter once.
    if (!this.deadRecorded.has(key)) {
      await this.dead.add({ chatId, priority, payload, attempts, error, createdAt, failedAt: this.clock.now() });
      this.deadRecorded.add(key);
    }
    await this.complete(d);
    this.deadRecorded.delete(key);
  }

  /** Drops every pending delivery to a chat that is gone; returns how many. */
  async dropChat(chatId: number): Promise<number> {
    let dropped = 0;
    for (const queue of this.singles) {
      for (const single of [...queue.values()]) {
        if (single.chatId !== chatId || single.inflight) continue;
        await this.kv.delete(msgKey(single.seq));
        queue.delete(single.seq);
        dropped++;
      }
    }
    for (const job of [...this.jobs]) {
      for (const index of job.takeDeferredFor(chatId)) {
        await job.markDone(index);
        dropped++;
      }
      if (job.finished) await this.finishJob(job);
    }
    if (dropped > 0) this.changed();
    return dropped;
  }

  /** Lets held deliveries to a chat (quiet hours) go now; returns how many. */
  async releaseHeld(chatId: number): Promise<number> {
    const now = this.clock.now();
    // A delivery to this chat in flight now may come back held (rendered before the change).
    this.releasedAt.set(chatId, now);
    if (this.releasedAt.size > 10_000) for (const [id, at] of this.releasedAt) if (at < now - 60_000) this.releasedAt.delete(id);
    let released = 0;
    for (const queue of this.singles) {
      for (const single of queue.values()) {
        if (single.chatId !== chatId || single.inflight || single.lastError !== "held" || single.notBefore <= now) continue;
        single.notBefore = now;
        await mustSet(this.kv, msgKey(single.seq), strip(single));
        released++;
      }
    }
    if (released > 0) this.changed();
    return released;
  }

  /** Points pending deliveries for a migrated group at its new id. */
  async retargetChat(oldChatId: number, newChatId: number): Promise<void> {
    for (const queue of this.singles) {
      for (const single of queue.values()) {
        if (single.chatId !== oldChatId || single.inflight) continue;
        single.chatId = newChatId;
        await mustSet(this.kv, msgKey(single.seq), strip(single));
      }
    }
    for (const job of this.jobs) job.retarget(oldChatId, newChatId);
    this.changed();
  }

  /** Deliveries not yet finished (in flight included). */
  pendingCount(): number {
    return this.singles.reduce((n, q) => n + q.size, 0) + this.jobs.reduce((n, j) => n + j.remaining, 0);
  }

  /**
   * Messages it takes to send what is waiting now: every single, and for fan-outs the sum of their
   * recipients, or with bundling the largest job (a chat's articles go as one message). Held
   * deliveries (quiet hours, backoff) more than a minute away are not counted.
   */
  backlogMessages(bundling: boolean): number {
    const soon = this.clock.now() + 60_000;
    let singles = 0;
    for (const q of this.singles) for (const s of q.values()) if (s.notBefore <= soon) singles++;
    let bulkMax = 0;
    let others = 0;
    for (const j of this.jobs) {
      if (bundling && j.meta.priority === "bulk") bulkMax = Math.max(bulkMax, j.remaining);
      else others += j.remaining;
    }
    return singles + bulkMax + others;
  }

  /** Creation time (ms) of the oldest pending delivery, if any. */
  oldestPendingAt(): number | undefined {
    let oldest = Infinity;
    for (const q of this.singles) for (const s of q.values()) oldest = Math.min(oldest, s.createdAt);
    for (const j of this.jobs) oldest = Math.min(oldest, j.meta.createdAt);
    return oldest === Infinity ? undefined : oldest;
  }

  /** Dead letters ever recorded in this store. */
  get deadLetterTotal(): number {
    return this.dead.total;
  }

  /** The newest dead letters, newest first (default 20). */
  deadLetters(limit = 20): Promise<DeadLetter[]> {
    return this.dead.list(limit);
  }

  /** Calls `listener` whenever work may have become available; returns an unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private queueOf(priority: Priority): Map<number, Single> {
    return this.singles[priorityRank(priority)]!;
  }

  private async finishJob(job: FanoutJob): Promise<void> {
    if (!this.jobs.includes(job)) return;
    this.jobs = this.jobs.filter((j) => j !== job);
    await this.jobsWriter.flush();
    await this.kv.deleteMany(job.keys());
  }

  /** Persists the lowest pending seq now and then, so a restart scans little. */
  private async advanceLow(): Promise<void> {
    let low = this.nextSeq;
    for (const q of this.singles) {
      const first = q.keys().next();
      if (!first.done) low = Math.min(low, first.value);
    }
    if (low - this.persistedLow < SEQ_BLOCK) return;
    this.persistedLow = low;
    await this.lowWriter.flush();
  }

  private assertLoaded(): void {
    if (!this.loaded) throw new Error("Outbox.load() must be called first");
  }
}

function strip(single: Single): z.infer<typeof SingleSchema> {
  const { inflight: _inflight, ...record } = single;
  return record;
}
