import type Keyv from "keyv";
import { z } from "zod";
import { CoalescedWriter, mustSet, mustSetMany } from "./kv.js";
import { DeliveryPayloadSchema, PRIORITIES, type Delivery } from "./types.js";

/**
 * One article (or digest, or broadcast) going to many chats. The recipient list is a snapshot
 * stored in chunks of `chunkSize` ids, written once; progress is a cursor (everything before it is
 * finished) plus the few finished indices beyond it. So 100k recipients cost ~100 writes up front,
 * and one small write per completed send (coalesced when sends complete together).
 */
export const JobMetaSchema = z.object({
  id: z.string().min(1),
  priority: z.enum(PRIORITIES),
  payload: DeliveryPayloadSchema,
  total: z.number().int().nonnegative(),
  chunkSize: z.number().int().positive(),
  createdAt: z.number(),
  cursor: z.number().int().nonnegative(),
  done: z.array(z.number().int().nonnegative()),
  /** Recipients stored in ascending order (jobs of earlier versions may not be): a chat's index is found by binary search. */
  sorted: z.boolean().optional(),
});
export type JobMeta = z.infer<typeof JobMetaSchema>;

const ChunkSchema = z.array(z.number().int());

/** Store key of a job's meta record. */
export const jobKey = (id: string): string => `job:${id}`;
/** Store key of one chunk of a job's recipient snapshot. */
export const chunkKey = (id: string, n: number): string => `job:${id}:chunk:${n}`;

/** Writes a new job's snapshot and meta; returns the meta. Costs ceil(n / chunkSize) + 1 writes. */
export async function writeJob(
  kv: Keyv,
  init: Omit<JobMeta, "total" | "cursor" | "done" | "sorted">,
  unsorted: readonly number[],
): Promise<JobMeta> {
  const recipients = [...unsorted].sort((a, b) => a - b);
  const entries: { key: string; value: number[] }[] = [];
  for (let n = 0; n * init.chunkSize < recipients.length; n++) {
    entries.push({ key: chunkKey(init.id, n), value: recipients.slice(n * init.chunkSize, (n + 1) * init.chunkSize) });
  }
  for (let i = 0; i < entries.length; i += 50) await mustSetMany(kv, entries.slice(i, i + 50));
  const meta: JobMeta = { ...init, total: recipients.length, cursor: 0, done: [], sorted: true };
  await mustSet(kv, jobKey(init.id), meta);
  return meta;
}

interface Deferred {
  index: number;
  chatId: number;
  notBefore: number;
}

/** Deferred items a job may hold before it stops handing out new recipients. */
const MAX_DEFERRED = 2000;

/** In-memory progress of one job; durable state is written through `persist()`. */
export class FanoutJob {
  private cursor: number;
  private readonly done: Set<number>;
  private pointer: number;
  private readonly inflight = new Set<number>();
  /** Recipients ahead of the pointer taken out of order (into a bundle): the pointer skips them. */
  private readonly claimedAhead = new Set<number>();
  private deferred: Deferred[] = [];
  private readonly chunks = new Map<number, number[]>();
  private readonly writer: CoalescedWriter;

  constructor(
    private readonly kv: Keyv,
    readonly meta: Readonly<JobMeta>,
  ) {
    this.cursor = meta.cursor;
    this.done = new Set(meta.done.filter((i) => i >= meta.cursor));
    this.pointer = meta.cursor;
    this.writer = new CoalescedWriter(() =>
      mustSet(this.kv, jobKey(this.meta.id), { ...this.meta, cursor: this.cursor, done: [...this.done] }),
    );
  }

  get id(): string {
    return this.meta.id;
  }

  /** Recipients not yet finished (including in flight and deferred). */
  get remaining(): number {
    return this.meta.total - this.cursor - this.done.size;
  }

  /** All recipients finished: the job can be deleted. */
  get finished(): boolean {
    return this.cursor >= this.meta.total;
  }

  /** True when no more recipients can be handed out before something completes. */
  get exhausted(): boolean {
    return this.pointer >= this.meta.total && this.deferred.length === 0;
  }

  /**
   * Next recipient whose chat is ready, or the earliest time one could be. Recipients whose chat is
   * busy are set aside (in memory: after a crash they are simply handed out again); `deferredOnly`
   * looks at those only.
   */
  async next(now: number, chatReadyAt: (chatId: number) => number, deferredOnly = false): Promise<Delivery | { wakeAt: number }> {
    let wakeAt = Infinity;
    for (let i = 0; i < this.deferred.length; i++) {
      const d = this.deferred[i]!;
      const at = Math.max(d.notBefore, chatReadyAt(d.chatId));
      if (at <= now) {
        this.deferred.splice(i, 1);
        return this.handOut(d.index, d.chatId);
      }
      wakeAt = Math.min(wakeAt, at);
    }
    if (deferredOnly) return { wakeAt };
    let scanned = 0;
    while (this.pointer < this.meta.total && this.deferred.length < MAX_DEFERRED && scanned < 256) {
      const index = this.pointer;
      if (this.done.has(index) || this.claimedAhead.delete(index)) {
        this.pointer++;
        continue;
      }
      const chatId = await this.chatAt(index);
      this.pointer++;
      scanned++;
      const at = chatReadyAt(chatId);
      if (at <= now) return this.handOut(index, chatId);
      this.deferred.push({ index, chatId, notBefore: 0 });
      wakeAt = Math.min(wakeAt, at);
    }
    if (this.pointer < this.meta.total && this.deferred.length < MAX_DEFERRED) wakeAt = now;
    return { wakeAt };
  }

  /**
   * Takes this chat's recipient out of order, for a bundle: undefined when the chat is not in the
   * job, already finished or in flight, or set aside until later than `now`.
   */
  async claimFor(chatId: number, now: number): Promise<Delivery | undefined> {
    if (!this.meta.sorted || this.finished) return undefined;
    const index = await this.indexOf(chatId);
    if (index === undefined || this.isMarked(index) || this.inflight.has(index)) return undefined;
    const i = this.deferred.findIndex((d) => d.index === index);
    if (i >= 0) {
      if (this.deferred[i]!.notBefore > now) return undefined;
      this.deferred.splice(i, 1);
    } else if (index >= this.pointer) {
      this.claimedAhead.add(index);
    } else {
      // Behind the pointer, not finished, not in flight, not set aside: it cannot be handed out now.
      return undefined;
    }
    return this.handOut(index, chatId);
  }

  /** Puts an in-flight recipient back (429, chat busy), to be handed out again at `notBefore`. */
  defer(index: number, chatId: number, notBefore: number): void {
    this.inflight.delete(index);
    this.deferred.push({ index, chatId, notBefore });
  }

  /** Changes the chat of set-aside recipients after a group migration. */
  retarget(oldChatId: number, newChatId: number): void {
    for (const d of this.deferred) if (d.chatId === oldChatId) d.chatId = newChatId;
  }

  /** Set-aside recipients of that chat (the caller marks them done). */
  takeDeferredFor(chatId: number): number[] {
    const hit = this.deferred.filter((d) => d.chatId === chatId).map((d) => d.index);
    this.deferred = this.deferred.filter((d) => d.chatId !== chatId);
    return hit;
  }

  /** Whether the recipient is already marked finished in memory (maybe not yet durably). */
  isMarked(index: number): boolean {
    return index < this.cursor || this.done.has(index);
  }

  /** Marks a recipient finished and resolves once that is durable. */
  async markDone(index: number): Promise<void> {
    this.inflight.delete(index);
    if (index < this.cursor) return;
    this.done.add(index);
    while (this.done.has(this.cursor)) {
      this.done.delete(this.cursor);
      this.cursor++;
    }
    // Chunks behind the cursor will not be read again.
    for (const n of this.chunks.keys()) if ((n + 1) * this.meta.chunkSize <= this.cursor) this.chunks.delete(n);
    await this.writer.flush();
  }

  /** Keys to delete once the job is finished. */
  keys(): string[] {
    const keys = [jobKey(this.meta.id)];
    for (let n = 0; n * this.meta.chunkSize < this.meta.total; n++) keys.push(chunkKey(this.meta.id, n));
    return keys;
  }

  private handOut(index: number, chatId: number): Delivery {
    this.inflight.add(index);
    const { priority, payload, createdAt } = this.meta;
    return { chatId, priority, payload, attempts: 0, createdAt, ref: { kind: "job", jobId: this.meta.id, index } };
  }

  /** Binary search over the sorted snapshot (chunks are read as needed and kept until passed). */
  private async indexOf(chatId: number): Promise<number | undefined> {
    let lo = this.cursor;
    let hi = this.meta.total - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = await this.chatAt(mid);
      if (at === chatId) return mid;
      if (at < chatId) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  private async chatAt(index: number): Promise<number> {
    const n = Math.floor(index / this.meta.chunkSize);
    let chunk = this.chunks.get(n);
    if (!chunk) {
      chunk = ChunkSchema.parse(await this.kv.get(chunkKey(this.meta.id, n)));
      this.chunks.set(n, chunk);
    }
    const chatId = chunk[index - n * this.meta.chunkSize];
    if (chatId === undefined) throw new Error(`job ${this.meta.id}: chunk ${n} is shorter than expected`);
    return chatId;
  }
}
