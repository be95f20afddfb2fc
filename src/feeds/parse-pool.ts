import { Worker } from "node:worker_threads";
import { workerEntry as sharedWorkerEntry } from "../worker-entry.js";
import { FeedError, isFeedErrorKind } from "./errors.js";
import type { ProcessContext, ProcessedFeed } from "./pipeline.js";

/** Turns fetched bytes into articles; the scheduler depends on this, not on where it runs. */
export interface FeedProcessor {
  process(bytes: Uint8Array, ctx: ProcessContext): Promise<ProcessedFeed>;
  close(): Promise<void>;
}

/** Runs the pipeline on the calling thread (tests, benchmarks, tools). */
export function createInlineProcessor(): FeedProcessor {
  // Loaded on first use: the bot parses in workers, and rss-parser is ~10 MB its main thread never needs.
  return { process: async (bytes, ctx) => (await import("./pipeline.js")).processFeedBytes(bytes, ctx), close: () => Promise.resolve() };
}

export interface WorkerProcessorOptions {
  /**
   * Worker threads; default 1. Each costs ~25–40 MB of RSS while it lives, and a poll round is
   * bound by fetching, not parsing (10,000 feeds: the same round time with one or two).
   */
  workers?: number;
  /** A parse running longer is killed with its worker (FeedError "timeout"); default 15000 ms. */
  jobTimeoutMs?: number;
  /** Old-generation heap cap per worker; default 256 MB (a runaway parse dies, the bot lives). */
  maxHeapMb?: number;
  /** Young-generation cap per worker; default 4 MB (V8's default of ~48 MB was most of a worker's RSS, at no speed gain measured). */
  youngHeapMb?: number;
}

interface Pending {
  id: number;
  bytes: Uint8Array;
  ctx: ProcessContext;
  resolve: (value: ProcessedFeed) => void;
  reject: (err: FeedError) => void;
}

interface Slot {
  worker?: Worker;
  job?: Pending;
  timer?: NodeJS.Timeout;
}

type WorkerReply =
  | { id: number; ok: true; result: ProcessedFeed }
  | { id: number; ok: false; error: { kind: string; message: string; status?: number } };

/** Where the parse worker's script is (compiled `.js`, else the `.ts` source through tsx). */
export function workerEntry(): { script: URL | string; eval: boolean } {
  return sharedWorkerEntry(import.meta.url, "parse-worker");
}

/** Pool of worker threads so a 5 MiB parse never blocks the bot's event loop. */
export class WorkerFeedProcessor implements FeedProcessor {
  private readonly slots: Slot[];
  private readonly queue: Pending[] = [];
  private readonly jobTimeoutMs: number;
  private readonly maxHeapMb: number;
  private readonly youngHeapMb: number;
  private nextId = 1;
  private closed = false;

  constructor(options: WorkerProcessorOptions = {}) {
    this.slots = Array.from({ length: Math.max(1, options.workers ?? 1) }, () => ({}));
    this.jobTimeoutMs = options.jobTimeoutMs ?? 15_000;
    this.maxHeapMb = options.maxHeapMb ?? 256;
    this.youngHeapMb = options.youngHeapMb ?? 4;
  }

  process(bytes: Uint8Array, ctx: ProcessContext): Promise<ProcessedFeed> {
    if (this.closed) return Promise.reject(new FeedError("network", "feed processor closed"));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, bytes, ctx, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new FeedError("network", "feed processor closed"));
    await Promise.all(this.slots.map((slot) => this.kill(slot, new FeedError("network", "feed processor closed"))));
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.job || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      const worker = (slot.worker ??= this.spawn(slot));
      slot.timer = setTimeout(() => {
        void this.kill(slot, new FeedError("timeout", `parsing took longer than ${this.jobTimeoutMs} ms`)).then(() => this.pump());
      }, this.jobTimeoutMs);
      // Copy (Buffer#slice would be a view, possibly of Node's shared pool), then transfer the copy.
      const copy = new Uint8Array(job.bytes);
      worker.postMessage({ id: job.id, bytes: copy, ctx: job.ctx }, [copy.buffer]);
    }
  }

  private spawn(slot: Slot): Worker {
    const entry = workerEntry();
    const worker = new Worker(entry.script, {
      eval: entry.eval,
      resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb, maxYoungGenerationSizeMb: this.youngHeapMb },
    });
    worker.on("message", (reply: WorkerReply) => {
      const job = slot.job;
      if (!job || job.id !== reply.id) return;
      this.finish(slot);
      if (reply.ok) job.resolve(reply.result);
      else {
        const kind = isFeedErrorKind(reply.error.kind) ? reply.error.kind : "malformed-xml";
        job.reject(new FeedError(kind, reply.error.message, reply.error.status === undefined ? undefined : { status: reply.error.status }));
      }
      this.pump();
    });
    worker.on("error", (err: Error & { code?: string }) => {
      const kind = err.code === "ERR_WORKER_OUT_OF_MEMORY" ? "too-large" : "malformed-xml";
      this.failSlot(slot, worker, new FeedError(kind, `parser worker failed: ${err.message}`, { cause: err }));
    });
    worker.on("exit", () => {
      this.failSlot(slot, worker, new FeedError("malformed-xml", "parser worker exited"));
    });
    return worker;
  }

  private failSlot(slot: Slot, worker: Worker, err: FeedError): void {
    if (slot.worker !== worker) return;
    const job = slot.job;
    this.finish(slot);
    slot.worker = undefined;
    job?.reject(err);
    if (!this.closed) this.pump();
  }

  private finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.job = undefined;
  }

  private async kill(slot: Slot, err: FeedError): Promise<void> {
    const { worker, job } = slot;
    this.finish(slot);
    slot.worker = undefined;
    job?.reject(err);
    if (worker) await worker.terminate();
  }
}
