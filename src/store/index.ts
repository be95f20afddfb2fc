import type Keyv from "keyv";
import type { Backend, BackendOptions, StoreKind } from "./backend.js";
import { StoreError } from "./errors.js";
import { openSqlite } from "./sqlite.js";
import { parseStoreUrl } from "./url.js";

export { StoreError, StoreUrlError, type StoreErrorCode } from "./errors.js";
export { DEFAULT_STORE_URL, parseStoreUrl, redactStoreUrl, type StoreUrl } from "./url.js";
export type { StoreKind } from "./backend.js";

/** The app's storage: isolated keyv namespaces over one backend chosen by URL. */
export interface Store {
  /** Keyv isolated in its own namespace; same instance for the same name. */
  namespace<V = unknown>(name: string): Keyv<V>;
  /** Every live [key, value] of a namespace exactly once (keys without the namespace prefix). */
  entries<V = unknown>(name: string): AsyncIterable<[string, V]>;
  /** Throws when the backend is unreachable (used by /healthz). */
  ping(): Promise<void>;
  close(): Promise<void>;
  readonly kind: StoreKind;
}

/** Options of openStore; every field is optional. */
export interface OpenStoreOptions {
  /** Prefix on shared servers: Redis keys `<prefix>:<ns>::<key>`, PostgreSQL tables `<prefix>_<ns>`; default "newsdesk". */
  prefix?: string;
  /** How often expired rows are deleted (sqlite, postgres; reads hide them anyway); default 60000. */
  purgeIntervalMs?: number;
  /** Limit for connecting and for ping(); default 5000. */
  connectTimeoutMs?: number;
  /** Receives background errors (connection loss, purge failures); default: ignored. */
  onError?: (error: unknown) => void;
  /**
   * sqlite: how long a statement waits, on timers (never blocking the event loop), for a lock
   * another process holds before failing with StoreError("busy"); default 5000.
   */
  busyDeadlineMs?: number;
}

/** Namespace and prefix names: they become table names and Redis MATCH patterns, so no specials. */
const NAME = /^[a-z][a-z0-9_]{0,39}$/;

/** Opens the store named by `url` (see parseStoreUrl); throws StoreUrlError or StoreError("unreachable"). */
export async function openStore(url: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const parsed = parseStoreUrl(url);
  const prefix = opts.prefix ?? "newsdesk";
  if (!/^[a-z][a-z0-9_]{0,19}$/.test(prefix)) {
    throw new StoreError("bad-namespace", parsed.kind, `store prefix "${prefix}" must match [a-z][a-z0-9_]{0,19}`);
  }
  const backendOptions: BackendOptions = {
    prefix,
    purgeIntervalMs: opts.purgeIntervalMs ?? 60_000,
    connectTimeoutMs: opts.connectTimeoutMs ?? 5000,
    onError: opts.onError ?? (() => undefined),
    busyDeadlineMs: opts.busyDeadlineMs ?? 5000,
  };
  let backend: Backend;
  switch (parsed.kind) {
    case "sqlite":
      backend = openSqlite(parsed.path, backendOptions);
      break;
    case "redis": {
      const { openRedis } = await import("./redis.js");
      backend = await openRedis(parsed.url, backendOptions);
      break;
    }
    case "postgres": {
      const { openPostgres } = await import("./postgres.js");
      backend = await openPostgres(parsed.url, backendOptions);
      break;
    }
  }
  return new KeyvStore(backend, backendOptions.onError);
}

class KeyvStore implements Store {
  private readonly keyvs = new Map<string, Keyv>();
  private closed = false;

  constructor(
    private readonly backend: Backend,
    private readonly onError: (error: unknown) => void,
  ) {}

  get kind(): StoreKind {
    return this.backend.kind;
  }

  namespace<V = unknown>(name: string): Keyv<V> {
    if (this.closed) throw new StoreError("closed", this.kind, `store is closed (namespace "${name}")`);
    let keyv = this.keyvs.get(name);
    if (keyv === undefined) {
      if (!NAME.test(name)) {
        throw new StoreError("bad-namespace", this.kind, `namespace "${name}" must match ${String(NAME)}`);
      }
      keyv = this.backend.createKeyv(name);
      keyv.on("error", this.onError);
      this.keyvs.set(name, keyv);
    }
    return keyv as Keyv<V>;
  }

  async *entries<V = unknown>(name: string): AsyncIterable<[string, V]> {
    const keyv = this.namespace<V>(name);
    if (keyv.iterator === undefined) {
      throw new StoreError("bad-namespace", this.kind, `namespace "${name}" cannot be iterated`);
    }
    for await (const [key, value] of keyv.iterator(undefined)) yield [key as string, value as V];
  }

  async ping(): Promise<void> {
    if (this.closed) throw new StoreError("closed", this.kind, "store is closed");
    try {
      await this.backend.ping();
    } catch (error) {
      throw new StoreError("unreachable", this.kind, `${this.kind} store unreachable`, { cause: error });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.keyvs.clear();
    await this.backend.close();
  }
}
