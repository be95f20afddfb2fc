import KeyvRedis, { createClient } from "@keyv/redis";
import Keyv from "keyv";
import { KEYV_OPTIONS, withTimeout, type Backend, type BackendOptions } from "./backend.js";
import { StoreError } from "./errors.js";

type RedisClient = ReturnType<typeof createClient>;

/** SCAN hint: with Redis' default of 10, listing 100k keys takes ~10k round trips. */
const SCAN_COUNT = 1000;
/** @keyv/redis' separator between its namespace and the key. */
const SEPARATOR = "::";

/**
 * @keyv/redis bound to one namespace over a client shared by all namespaces. Fixes two traps:
 * its iterator SCANs 10 keys per call and yields `undefined` values for keys that expire between
 * SCAN and MGET (Keyv's iterator then throws a TypeError), and SCAN may return a key twice.
 */
class NamespaceRedisAdapter extends KeyvRedis<string> {
  constructor(
    private readonly shared: RedisClient,
    namespace: string,
  ) {
    super(shared, { namespace, throwOnErrors: true, throwOnConnectError: true });
  }

  override async *iterator<U = string>(namespace?: string): AsyncGenerator<[string, U | undefined], void> {
    const ns = namespace ?? this.namespace;
    if (ns === undefined) return; // never: the Store always names the namespace
    const prefix = `${ns}${SEPARATOR}`;
    const seen = new Set<string>();
    let cursor = "0";
    do {
      const page = await this.shared.scan(cursor, { MATCH: `${prefix}*`, COUNT: SCAN_COUNT, TYPE: "string" });
      cursor = String(page.cursor);
      const fresh = page.keys.filter((key) => !seen.has(key));
      if (fresh.length === 0) continue;
      for (const key of fresh) seen.add(key);
      const values = await this.shared.mGet(fresh);
      for (const [index, key] of fresh.entries()) {
        const value = values[index];
        if (value !== null && value !== undefined) yield [key.slice(prefix.length), value as U];
      }
    } while (cursor !== "0");
  }

  /** The client is shared by every namespace; Store.close() closes it once. */
  override async disconnect(): Promise<void> {
    return Promise.resolve();
  }
}

/** Connects to Redis (failing fast when unreachable) and returns the backend. */
export async function openRedis(url: string, opts: BackendOptions): Promise<Backend> {
  let connectedOnce = false;
  const client: RedisClient = createClient({
    url,
    socket: {
      connectTimeout: opts.connectTimeoutMs,
      // The first connection fails fast so startup reports the problem; later losses retry forever.
      reconnectStrategy: (retries: number) => (connectedOnce ? Math.min(2 ** retries * 100, 5000) : false),
    },
  });
  // Without a listener, a connection error would crash the process.
  client.on("error", opts.onError);
  // Each namespace adapter adds its own listeners to the shared client.
  client.setMaxListeners(0);
  try {
    await withTimeout(client.connect(), opts.connectTimeoutMs, "redis connect");
    connectedOnce = true;
  } catch (error) {
    if (client.isOpen) client.destroy();
    throw new StoreError("unreachable", "redis", `redis store unreachable: ${errorText(error)}`, { cause: error });
  }

  return {
    kind: "redis",
    createKeyv(name) {
      // The adapter prefixes keys itself, so Keyv must not (it would store "ns::ns:key").
      const ns = `${opts.prefix}:${name}`;
      return new Keyv(new NamespaceRedisAdapter(client, ns), { ...KEYV_OPTIONS, namespace: ns });
    },
    async ping() {
      await withTimeout(client.ping(), opts.connectTimeoutMs, "redis ping");
    },
    async close() {
      if (!client.isOpen) return;
      try {
        await withTimeout(client.close(), opts.connectTimeoutMs, "redis close");
      } catch {
        client.destroy();
      }
    },
  };
}

function errorText(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(errorText).join("; ");
  return error instanceof Error ? error.message : String(error);
}
