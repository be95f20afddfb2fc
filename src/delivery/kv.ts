import { StoreError } from "../store/errors.js";
import type Keyv from "keyv";

/**
 * Keyv swallows adapter errors by default (a failed get reads as "missing", a failed set returns
 * false), which would make a durable outbox silently forget. The outbox and the chat repo turn
 * that off on the namespaces they own.
 */
export function strict(kv: Keyv): Keyv {
  kv.throwOnErrors = true;
  return kv;
}

/** `kv.set` that throws when the store did not take the value. */
export async function mustSet(kv: Keyv, key: string, value: unknown): Promise<void> {
  const ok = await kv.set(key, value);
  if (ok === false) throw new StoreError("rejected", undefined, `store did not accept ${key}`);
}

/** Sets many keys; one write per entry unless the adapter batches. */
export async function mustSetMany(kv: Keyv, entries: { key: string; value: unknown }[]): Promise<void> {
  if (entries.length === 0) return;
  // Adapters differ: some return one boolean per entry, some nothing at all (errors then throw).
  const results: unknown = await kv.setMany(entries);
  if (Array.isArray(results) && results.some((ok) => ok === false)) throw new StoreError("rejected", undefined, `store did not accept ${entries.length} keys`);
}

/**
 * Writes the latest state of one key, coalescing requests that arrive while a write is running:
 * N completions cost at most N writes, usually far fewer, and each caller learns when a write
 * that includes its change has landed.
 */
export class CoalescedWriter {
  private requested = 0;
  private written = 0;
  private running: Promise<void> | undefined;
  private waiters: { version: number; resolve: () => void; reject: (err: unknown) => void }[] = [];

  constructor(private readonly write: () => Promise<void>) {}

  /** Resolves once a write that started after this call has succeeded; rejects if that write failed. */
  flush(): Promise<void> {
    const version = ++this.requested;
    const promise = new Promise<void>((resolve, reject) => this.waiters.push({ version, resolve, reject }));
    this.running ??= this.loop();
    return promise;
  }

  private async loop(): Promise<void> {
    while (this.written < this.requested) {
      const version = this.requested;
      try {
        await this.write();
        this.written = version;
        this.settle(version, undefined);
      } catch (err) {
        // The failed write covered these versions; callers decide whether to retry.
        this.written = version;
        this.settle(version, err);
      }
    }
    this.running = undefined;
  }

  private settle(version: number, err: unknown): void {
    const ready = this.waiters.filter((w) => w.version <= version);
    this.waiters = this.waiters.filter((w) => w.version > version);
    for (const w of ready) {
      if (err === undefined) w.resolve();
      else w.reject(err);
    }
  }
}
