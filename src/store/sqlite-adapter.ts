import { EventEmitter } from "node:events";
import type BetterSqlite3 from "better-sqlite3";
import type { KeyvStoreAdapter } from "keyv";
import { StoreError } from "./errors.js";

/** Rows listed per query while iterating; big enough to be fast, small enough to stay off the heap. */
export const ITERATION_PAGE_SIZE = 1000;
const PURGE_CHUNK_ROWS = 5000;

type Row = { key: string; value: string };

/** How a SqliteKvTable waits for a write lock another process (or connection) holds. */
export interface SqliteLockOptions {
  /** How long one statement may wait for the lock before it fails with StoreError("busy"); default 5000. */
  busyDeadlineMs?: number;
  /** Sleep between attempts (tests, AbortSignal-free); default a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Clock for the deadline; default Date.now. */
  nowMs?: () => number;
}

// better-sqlite3 is synchronous: SQLite's own busy wait (busy_timeout) would block the event loop
// for as long as another process holds the lock (a 14 s lock froze every update). So SQLite waits
// only a few ms, and the waiting is done here, on timers, with backoff up to the deadline.
const BUSY_TIMEOUT_MS = 2;
const FIRST_BACKOFF_MS = 5;
const MAX_BACKOFF_MS = 100;
// Opening (WAL switch, schema) happens before anything else runs, so it may block.
const OPEN_BUSY_TIMEOUT_MS = 5000;

/** SQLITE_BUSY and its extended codes (…_SNAPSHOT, …_RECOVERY, …_TIMEOUT): another connection holds the lock. */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One SQLite connection shared by every namespace adapter: one table keyed by (namespace, key),
 * so isolation is a column, not a string prefix that a LIKE or a shared adapter could confuse.
 */
export class SqliteKvTable {
  private readonly stmt;
  private readonly busyDeadlineMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: () => number;
  /** Set while a statement waits for the lock: later ones queue behind it, so writes keep their order. */
  private waitTail: Promise<void> | null = null;

  constructor(
    readonly db: BetterSqlite3.Database,
    lock: SqliteLockOptions = {},
  ) {
    this.busyDeadlineMs = lock.busyDeadlineMs ?? 5000;
    this.sleep = lock.sleep ?? realSleep;
    this.clock = lock.nowMs ?? Date.now;
    // WAL + NORMAL: commits do not fsync (only checkpoints do); a power cut can lose the last
    // commits but never corrupts the file. Default rollback journal measured ~600 writes/s.
    db.pragma(`busy_timeout = ${OPEN_BUSY_TIMEOUT_MS}`);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    // A rowid table (not WITHOUT ROWID): values may be up to megabytes, which WITHOUT ROWID handles badly.
    db.exec(`CREATE TABLE IF NOT EXISTS keyv_entries (
      namespace TEXT NOT NULL,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      expires INTEGER,
      PRIMARY KEY (namespace, key)
    );
    CREATE INDEX IF NOT EXISTS keyv_entries_expires ON keyv_entries (expires) WHERE expires IS NOT NULL;`);
    const live = "(expires IS NULL OR expires > @now)";
    this.stmt = {
      get: db.prepare<{ ns: string; key: string; now: number }, { value: string }>(
        `SELECT value FROM keyv_entries WHERE namespace = @ns AND key = @key AND ${live}`,
      ),
      getMany: db.prepare<{ ns: string; keys: string; now: number }, Row>(
        `SELECT key, value FROM keyv_entries
         WHERE namespace = @ns AND key IN (SELECT value FROM json_each(@keys)) AND ${live}`,
      ),
      set: db.prepare<{ ns: string; key: string; value: string; expires: number | null }>(
        `INSERT INTO keyv_entries (namespace, key, value, expires) VALUES (@ns, @key, @value, @expires)
         ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires = excluded.expires`,
      ),
      delete: db.prepare<{ ns: string; key: string; now: number }>(
        // Deleting an expired row counts as "not found", as keyv's own Map store reports it.
        `DELETE FROM keyv_entries WHERE namespace = @ns AND key = @key RETURNING ${live} AS live`,
      ),
      deleteMany: db.prepare<{ ns: string; keys: string }>(
        `DELETE FROM keyv_entries WHERE namespace = @ns AND key IN (SELECT value FROM json_each(@keys))`,
      ),
      clear: db.prepare<{ ns: string }>(`DELETE FROM keyv_entries WHERE namespace = @ns`),
      firstPage: db.prepare<{ ns: string; now: number; limit: number }, Row>(
        `SELECT key, value FROM keyv_entries WHERE namespace = @ns AND ${live} ORDER BY key LIMIT @limit`,
      ),
      page: db.prepare<{ ns: string; after: string; now: number; limit: number }, Row>(
        // Keyset pagination: rows deleted (or added) behind the cursor cannot shift later pages.
        `SELECT key, value FROM keyv_entries WHERE namespace = @ns AND key > @after AND ${live}
         ORDER BY key LIMIT @limit`,
      ),
      purge: db.prepare<{ now: number; limit: number }>(
        `DELETE FROM keyv_entries WHERE rowid IN
           (SELECT rowid FROM keyv_entries WHERE expires <= @now LIMIT @limit)`,
      ),
    };
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }

  /**
   * Runs `statement` now when the database is free; when another connection holds the lock,
   * retries on timers (the event loop keeps turning) until `busyDeadlineMs` has passed, then
   * rejects with StoreError("busy"). Statements keep their order while one waits.
   */
  private run<T>(statement: () => T): Promise<T> {
    const first = this.waitTail === null;
    if (first) {
      try {
        return Promise.resolve(statement());
      } catch (error) {
        // SQLite's own errors (SqliteError) and whatever a statement throws, passed on unchanged.
        if (!isBusy(error)) return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    const deadline = this.clock() + this.busyDeadlineMs;
    const result = (this.waitTail ?? Promise.resolve()).then(() => this.retry(statement, deadline, first));
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.waitTail = tail;
    void tail.then(() => {
      if (this.waitTail === tail) this.waitTail = null;
    });
    return result;
  }

  /** `waitFirst`: the statement just found the lock taken; else it queued and tries at once when its turn comes. */
  private async retry<T>(statement: () => T, deadline: number, waitFirst: boolean): Promise<T> {
    let backoffMs = FIRST_BACKOFF_MS;
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0 || waitFirst) {
        const left = deadline - this.clock();
        if (left > 0) await this.sleep(Math.min(backoffMs, left));
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      }
      if (!this.db.open) throw new StoreError("closed", "sqlite", "store is closed");
      try {
        return statement();
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (this.clock() >= deadline) {
          throw new StoreError(
            "busy",
            "sqlite",
            `sqlite store locked by another connection for over ${this.busyDeadlineMs} ms`,
            {
              cause: error,
            },
          );
        }
      }
    }
  }

  get(ns: string, key: string, now: number): Promise<string | undefined> {
    return this.run(() => this.stmt.get.get({ ns, key, now })?.value);
  }

  getMany(ns: string, keys: string[], now: number): Promise<Map<string, string>> {
    return this.run(() => {
      const rows = this.stmt.getMany.all({ ns, keys: JSON.stringify(keys), now });
      return new Map(rows.map((row) => [row.key, row.value]));
    });
  }

  set(ns: string, key: string, value: string, expires: number | null): Promise<void> {
    return this.run(() => void this.stmt.set.run({ ns, key, value, expires }));
  }

  setMany(ns: string, entries: Array<{ key: string; value: string; expires: number | null }>): Promise<void> {
    // IMMEDIATE: the lock is taken at BEGIN, so a busy database fails before any row is written.
    const write = this.db.transaction(() => {
      for (const { key, value, expires } of entries) this.stmt.set.run({ ns, key, value, expires });
    });
    return this.run(() => write.immediate());
  }

  delete(ns: string, key: string, now: number): Promise<boolean> {
    return this.run(
      () => (this.stmt.delete.get({ ns, key, now }) as { live: number } | undefined)?.live === 1,
    );
  }

  deleteMany(ns: string, keys: string[]): Promise<boolean> {
    return this.run(() => this.stmt.deleteMany.run({ ns, keys: JSON.stringify(keys) }).changes > 0);
  }

  clear(ns: string): Promise<void> {
    return this.run(() => void this.stmt.clear.run({ ns }));
  }

  /** One page of live rows in key order, strictly after `after` (from the start when undefined). */
  page(ns: string, after: string | undefined, now: number, limit: number): Promise<Row[]> {
    return this.run(() =>
      after === undefined
        ? this.stmt.firstPage.all({ ns, now, limit })
        : this.stmt.page.all({ ns, after, now, limit }),
    );
  }

  /** Deletes expired rows in bounded chunks, yielding between them; returns the number removed. */
  async purgeExpired(now: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const changes = await this.run(() => this.stmt.purge.run({ now, limit: PURGE_CHUNK_ROWS }).changes);
      removed += changes;
      if (changes < PURGE_CHUNK_ROWS) return removed;
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (!this.db.open) return removed;
    }
  }
}

/**
 * keyv's documented custom store over one namespace of a SqliteKvTable. Keyv assigns
 * `namespace`; the adapter stores it in its own column, so the Keyv must use `useKeyPrefix: false`
 * (otherwise keys are stored as "ns:key", which still works but duplicates the namespace).
 */
export class SqliteNamespaceAdapter extends EventEmitter implements KeyvStoreAdapter {
  /** keyv only wires `Keyv.iterator` for adapters whose `opts.dialect` it recognises. */
  readonly opts: { dialect: "sqlite"; url: string };
  namespace: string | undefined;

  constructor(
    private readonly table: SqliteKvTable,
    namespace: string,
    url: string,
    private readonly nowMs: () => number = Date.now,
  ) {
    super();
    this.namespace = namespace;
    this.opts = { dialect: "sqlite", url };
  }

  private get ns(): string {
    return this.namespace ?? "";
  }

  private expiresAt(ttlMs: number | undefined): number | null {
    return typeof ttlMs === "number" && ttlMs > 0 ? this.nowMs() + ttlMs : null;
  }

  async get<Value>(key: string): Promise<Value | undefined> {
    return (await this.table.get(this.ns, key, this.nowMs())) as Value | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<Value | undefined>> {
    const found = await this.table.getMany(this.ns, keys, this.nowMs());
    return keys.map((key) => found.get(key) as Value | undefined);
  }

  async set(key: string, value: string, ttlMs?: number): Promise<boolean> {
    await this.table.set(this.ns, key, value, this.expiresAt(ttlMs));
    return true;
  }

  /** One transaction for the whole batch. */
  async setMany(entries: Array<{ key: string; value: string; ttl?: number }>): Promise<void> {
    await this.table.setMany(
      this.ns,
      entries.map(({ key, value, ttl }) => ({ key, value, expires: this.expiresAt(ttl) })),
    );
  }

  async delete(key: string): Promise<boolean> {
    return this.table.delete(this.ns, key, this.nowMs());
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    return this.table.deleteMany(this.ns, keys);
  }

  async clear(): Promise<void> {
    await this.table.clear(this.ns);
  }

  async has(key: string): Promise<boolean> {
    return (await this.table.get(this.ns, key, this.nowMs())) !== undefined;
  }

  /** Live [key, serialized value] pairs of `namespace` in key order, each exactly once. */
  async *iterator<Value>(namespace?: string): AsyncGenerator<[string, Value], void> {
    const ns = namespace ?? this.ns;
    let after: string | undefined;
    for (;;) {
      const rows = await this.table.page(ns, after, this.nowMs(), ITERATION_PAGE_SIZE);
      for (const row of rows) yield [row.key, row.value as Value];
      const last = rows.at(-1);
      if (last === undefined || rows.length < ITERATION_PAGE_SIZE) return;
      after = last.key;
      // Queries are synchronous; let other work run between pages of a long listing.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** The connection belongs to the Store (shared by all namespaces); Store.close() closes it. */
  async disconnect(): Promise<void> {
    return Promise.resolve();
  }
}
