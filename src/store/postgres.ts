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

    /** Keys are stored unprefixed (useKeyPrefix: false), so list the whole table. */
    override iterator(_namespace?: string): AsyncGenerator<string[], void, unknown> {
      return super.iterator(undefined);
    }

    /** The base answers EXISTS and ignores TTL; read the row and honour its `expires`. */
    override async has(key: string): Promise<boolean> {
      const raw: unknown = await this.get(key);
      if (typeof raw !== "string") return false;
      return !isExpired(raw, Date.now());
    }
  }
  return new NamespacePgAdapter({
    uri: "postgresql://unused", // connect() is overridden
    table,
    keySize: KEY_SIZE,
    iterationLimit: ITERATION_LIMIT,
  });
}

/** True when a keyv-serialized row (`{"value":…,"expires":ms}`) has expired. */
function isExpired(raw: string, nowMs: number): boolean {
  try {
    const { expires } = JSON.parse(raw) as { expires?: unknown };
    return typeof expires === "number" && expires <= nowMs;
  } catch {
    return false;
  }
}

/** Connects to PostgreSQL (failing fast when unreachable) and returns the backend. */
export async function openPostgres(url: string, opts: BackendOptions): Promise<Backend> {
  const pg = loadPg();
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: opts.connectTimeoutMs });
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
