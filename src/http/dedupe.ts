import type Keyv from "keyv";

/** Decides whether an update is processed: the first claim of an update_id wins, later ones lose. */
export interface UpdateDeduper {
  /** Resolves true exactly once per update_id (within the deduper's memory or TTL). */
  claim(updateId: number): Promise<boolean>;
}

/** Remembers the most recent `capacity` update ids of this process (default 10 000). */
export class MemoryDeduper implements UpdateDeduper {
  private readonly seen = new Map<number, true>();

  constructor(private readonly capacity = 10_000) {}

  /** Synchronous core, shared with KeyvDeduper as its in-process front. */
  claimSync(updateId: number): boolean {
    if (this.seen.has(updateId)) {
      // Refresh recency so a burst of retries keeps the id remembered.
      this.seen.delete(updateId);
      this.seen.set(updateId, true);
      return false;
    }
    this.seen.set(updateId, true);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
    return true;
  }

  claim(updateId: number): Promise<boolean> {
    return Promise.resolve(this.claimSync(updateId));
  }
}

export interface KeyvDeduperOptions {
  /** How long a processed id is remembered. Default 24 h (Telegram keeps undelivered updates 24 h). */
  ttlMs?: number;
  /** Size of the in-process front that closes the has/set race within one process. Default 10 000. */
  memoryCapacity?: number;
}

/**
 * Remembers processed ids under `upd:<id>` in a Keyv store, so a restart or a second replica does
 * not process an update again. Keyv has no atomic set-if-absent: two processes racing on the same
 * id within one round trip can both win; a Redis-backed deduper should use `SET key 1 NX PX ttl`.
 */
export class KeyvDeduper implements UpdateDeduper {
  private readonly front: MemoryDeduper;
  private readonly ttlMs: number;

  constructor(
    private readonly keyv: Keyv,
    opts: KeyvDeduperOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 24 * 60 * 60 * 1000;
    this.front = new MemoryDeduper(opts.memoryCapacity ?? 10_000);
  }

  async claim(updateId: number): Promise<boolean> {
    if (!this.front.claimSync(updateId)) return false;
    const key = `upd:${updateId}`;
    if (await this.keyv.has(key)) return false;
    await this.keyv.set(key, 1, this.ttlMs);
    return true;
  }
}
