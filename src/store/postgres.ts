import { createRequire } from "node:module";
import KeyvPostgres from "@keyv/postgres";
import Keyv from "keyv";
import { KEYV_OPTIONS, withTimeout, type Backend, type BackendOptions } from "./backend.js";
import { StoreError } from "./errors.js";

/** The part of pg.Pool we use (pg ships no types here; @types/pg is not installed). */
export interface PgPool {
  query(sql: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}
type PgModule = { Pool: new (config: Record<string, unknown>) => PgPool };

/** Rows per iterator query; @keyv/postgres defaults to 10 (10k queries for 100k keys). */
const ITERATION_LIMIT = 1000;
/** Longest key in characters; @keyv/postgres defaults to 255. */
const KEY_SIZE = 1024;

/**
 * Loads the very `pg` that @keyv/postgres depends on, so the Store can own its pool: the adapter's
 * own pool is a module global that any instance's disconnect() ends, and has no 'error' listener
 * (an idle connection dropped by the server then crashes the process).
 */
export function loadPg(): PgModule {
  const requireHere = createRequire(import.meta.url);
  return createRequire(requireHere.resolve("@keyv/postgres"))("pg") as PgModule;
}

/** Table of a namespace; one table per namespace because @keyv/postgres has no namespace column. */
export function pgTableName(prefix: string, name: string): string {
  return `${prefix}_${name}`;
}

function adapterFor(pool: PgPool, table: string): KeyvPostgres {
  class NamespacePgAdapter extends KeyvPostgres {
    // Runs inside super(): uses the closure's pool, not an instance field.
    override async connect(): Promise<(sql: string, values?: unknown) => Promise<unknown[]>> {
      return Promise.resolve(async (sql: string, values?: unknown) => {
        const result = await pool.query(sql, values as unknown[] | undefined);
        return result.rows;
      });
    }

    /** The pool is shared by every namespace; Store.close() ends it once. */
    override async disconnect(): Promise<void> {
      return Promise.resolve();
    }

    /** The table holds this namespace only, so clear all of it (the base uses an unescaped LIKE). */
    override async clear(): Promise<void> {
      await this.query(`DELETE FROM public.${table}`);
    }

    /**
     * Keyset pagination over the whole table (keys are stored unprefixed, useKeyPrefix: false),
     * without the base's `LIKE` filter. Expired rows are skipped here: Keyv would otherwise
     * delete each one during the listing, two queries a row.
     */
    override async *iterator(_namespace?: string): AsyncGenerator<string[], void, unknown> {
      await this.analyzeIfNeverAnalyzed();
      const nowMs = Date.now();
      let after: string | undefined;
      for (;;) {
        const rows = (after === undefined
          ? await this.query(`SELECT key, value FROM public.${table} ORDER BY key LIMIT $1`, [ITERATION_LIMIT])
          : await this.query(`SELECT key, value FROM public.${table} WHERE key > $1 ORDER BY key LIMIT $2`, [
              after,
              ITERATION_LIMIT,
            ])) as Array<{ key: string; value: string }>;
        for (const { key, value } of rows) if (!isExpired(value, nowMs)) yield [key, value];
        const last = rows.at(-1);
        if (last === undefined || rows.length < ITERATION_LIMIT) return;
        after = last.key;
      }
    }

    /**
     * A table filled since its creation has no statistics until autovacuum runs (up to a minute);
     * the planner then sorts the whole table for every page (40 ms a page at 100k rows).
     */
    private async analyzeIfNeverAnalyzed(): Promise<void> {
      const rows = (await this.query(`SELECT reltuples FROM pg_class WHERE oid = 'public.${table}'::regclass`)) as Array<{
        reltuples: number;
      }>;
      if ((rows[0]?.reltuples ?? 0) < 0) await this.query(`ANALYZE public.${table}`);
    }

    /** The base answers EXISTS and ignores TTL; read the row and honour its `expires`. */
    override async has(key: string): Promise<boolean> {
      const raw: unknown = await this.get(key);
      return typeof raw === "string" && !isExpired(raw, Date.now());
    }

    /** One statement instead of the base's SELECT then DELETE (a race and two round trips). */
    override async delete(key: string): Promise<boolean> {
      const rows = await this.query(`DELETE FROM public.${table} WHERE key = $1 RETURNING key`, [key]);
      return rows.length > 0;
    }

    override async deleteMany(keys: string[]): Promise<boolean> {
      const rows = await this.query(`DELETE FROM public.${table} WHERE key = ANY($1) RETURNING key`, [keys]);
      return rows.length > 0;
    }
  }
  return new NamespacePgAdapter({
    uri: "postgresql://unused", // connect() is overridden
    table,
    keySize: KEY_SIZE,
    iterationLimit: ITERATION_LIMIT,
  });
}

/**
 * keyv's serializer writes `{"value":…,"expires":ms}` with `expires` last (omitted without TTL),
 * so a top-level expiry is exactly a trailing `"expires":digits}`; a nested one ends in `}}`.
 */
const TRAILING_EXPIRES = /"expires":(\d+)\}$/;

/** True when a keyv-serialized row has expired (read from its tail, without parsing megabytes). */
export function isExpired(raw: string, nowMs: number): boolean {
  const match = TRAILING_EXPIRES.exec(raw.slice(-40));
  return match?.[1] !== undefined && Number(match[1]) <= nowMs;
}

/** Connects to PostgreSQL (failing fast when unreachable) and returns the backend. */
export async function openPostgres(url: string, opts: BackendOptions): Promise<Backend> {
  const pg = loadPg();
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: opts.connectTimeoutMs,
    // Like SQLite's synchronous=NORMAL: a crash may lose the last commits but never corrupts data.
    // Each commit otherwise waits for a WAL flush (~3 ms here: ~300 single-key writes/s).
    options: "-c synchronous_commit=off",
  });
  pool.on("error", opts.onError);
  try {
    await withTimeout(pool.query("SELECT 1"), opts.connectTimeoutMs, "postgres connect");
  } catch (error) {
    await pool.end().catch(() => undefined);
    const text = error instanceof Error ? error.message : String(error);
    throw new StoreError("unreachable", "postgres", `postgres store unreachable: ${text}`, { cause: error });
  }

  const tables = new Set<string>();
  let purging = false;
  // Reads hide expired rows (keyv checks `expires`); this only reclaims space.
  const purge = async (): Promise<void> => {
    if (purging) return;
    purging = true;
    try {
      for (const table of tables) {
        await pool.query(
          `DELETE FROM public.${table}
           WHERE value LIKE '%"expires":%' AND (value::json->>'expires')::bigint <= $1`,
          [Date.now()],
        );
      }
    } catch (error) {
      opts.onError(error);
    } finally {
      purging = false;
    }
  };
  const timer = setInterval(() => void purge(), opts.purgeIntervalMs);
  timer.unref();

  return {
    kind: "postgres",
    createKeyv(name) {
      const table = pgTableName(opts.prefix, name);
      const adapter = adapterFor(pool, table);
      tables.add(table);
      return new Keyv(adapter, { ...KEYV_OPTIONS, namespace: name });
    },
    async ping() {
      await withTimeout(pool.query("SELECT 1"), opts.connectTimeoutMs, "postgres ping");
    },
    async close() {
      clearInterval(timer);
      await pool.end();
    },
  };
}
