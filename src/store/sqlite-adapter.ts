import { EventEmitter } from "node:events";
import type BetterSqlite3 from "better-sqlite3";
import type { KeyvStoreAdapter } from "keyv";

/** Rows listed per query while iterating; big enough to be fast, small enough to stay off the heap. */
export const ITERATION_PAGE_SIZE = 1000;
const PURGE_CHUNK_ROWS = 5000;

type Row = { key: string; value: string };

/**
 * One SQLite connection shared by every namespace adapter: one table keyed by (namespace, key),
 * so isolation is a column, not a string prefix that a LIKE or a shared adapter could confuse.
 */
export class SqliteKvTable {
  private readonly stmt;

  constructor(readonly db: BetterSqlite3.Database) {
    // WAL + NORMAL: commits do not fsync (only checkpoints do); a power cut can lose the last
    // commits but never corrupts the file. Default rollback journal measured ~600 writes/s.
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
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
  }

  get(ns: string, key: string, now: number): string | undefined {
    return this.stmt.get.get({ ns, key, now })?.value;
  }

  getMany(ns: string, keys: string[], now: number): Map<string, string> {
    const rows = this.stmt.getMany.all({ ns, keys: JSON.stringify(keys), now });
    return new Map(rows.map((row) => [row.key, row.value]));
  }

  set(ns: string, key: string, value: string, expires: number | null): void {
    this.stmt.set.run({ ns, key, value, expires });
  }

  setMany(ns: string, entries: Array<{ key: string; value: string; expires: number | null }>): void {
    this.db.transaction(() => {
      for (const { key, value, expires } of entries) this.stmt.set.run({ ns, key, value, expires });
    })();
  }

  delete(ns: string, key: string, now: number): boolean {
    const row = this.stmt.delete.get({ ns, key, now }) as { live: number } | undefined;
    return row?.live === 1;
  }

  deleteMany(ns: string, keys: string[]): boolean {
    return this.stmt.deleteMany.run({ ns, keys: JSON.stringify(keys) }).changes > 0;
  }

  clear(ns: string): void {
    this.stmt.clear.run({ ns });
  }

  /** One page of live rows in key order, strictly after `after` (from the start when undefined). */
  page(ns: string, after: string | undefined, now: number, limit: number): Row[] {
    return after === undefined
      ? this.stmt.firstPage.all({ ns, now, limit })
      : this.stmt.page.all({ ns, after, now, limit });
  }

  /** Deletes expired rows in bounded chunks, yielding between them; returns the number removed. */
  async purgeExpired(now: number): Promise<number> {
    let removed = 0;
    for (;;) {
      const changes = this.stmt.purge.run({ now, limit: PURGE_CHUNK_ROWS }).changes;
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
    return Promise.resolve(this.table.get(this.ns, key, this.nowMs()) as Value | undefined);
  }

  async getMany<Value>(keys: string[]): Promise<Array<Value | undefined>> {
    const found = this.table.getMany(this.ns, keys, this.nowMs());
    return Promise.resolve(keys.map((key) => found.get(key) as Value | undefined));
  }

  async set(key: string, value: string, ttlMs?: number): Promise<boolean> {
    this.table.set(this.ns, key, value, this.expiresAt(ttlMs));
    return Promise.resolve(true);
  }

  /** One transaction for the whole batch. */
  async setMany(entries: Array<{ key: string; value: string; ttl?: number }>): Promise<void> {
    this.table.setMany(
      this.ns,
      entries.map(({ key, value, ttl }) => ({ key, value, expires: this.expiresAt(ttl) })),
    );
    return Promise.resolve();
  }

  async delete(key: string): Promise<boolean> {
    return Promise.resolve(this.table.delete(this.ns, key, this.nowMs()));
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    return Promise.resolve(this.table.deleteMany(this.ns, keys));
  }

  async clear(): Promise<void> {
    this.table.clear(this.ns);
    return Promise.resolve();
  }

  async has(key: string): Promise<boolean> {
    return Promise.resolve(this.table.get(this.ns, key, this.nowMs()) !== undefined);
  }

  /** Live [key, serialized value] pairs of `namespace` in key order, each exactly once. */
  async *iterator<Value>(namespace?: string): AsyncGenerator<[string, Value], void> {
    const ns = namespace ?? this.ns;
    let after: string | undefined;
    for (;;) {
      const rows = this.table.page(ns, after, this.nowMs(), ITERATION_PAGE_SIZE);
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
