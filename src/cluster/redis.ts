import { createClient } from "@keyv/redis";

/** The node-redis client that @keyv/redis brings (also accepted by BullMQ as its connection). */
export type RedisClient = ReturnType<typeof createClient>;

/** Options of openClusterRedis. */
export interface ClusterRedisOptions {
  /** Limit for the first connection; default 5000. */
  connectTimeoutMs?: number;
  /** Receives connection errors after the first connect; default: ignored. */
  onError?: (err: unknown) => void;
}

/**
 * A client for the cluster machinery (claims, lease, pub/sub, queue), separate from the store's:
 * the store's client is private to src/store, and BullMQ duplicates the connection it is given for
 * its blocking reads anyway. Fails fast on the first connect; reconnects with back-off afterwards.
 */
export async function openClusterRedis(url: string, opts: ClusterRedisOptions = {}): Promise<RedisClient> {
  let connectedOnce = false;
  const client: RedisClient = createClient({
    url,
    socket: {
      connectTimeout: opts.connectTimeoutMs ?? 5000,
      reconnectStrategy: (retries: number) => (connectedOnce ? Math.min(2 ** retries * 100, 5000) : false),
    },
  });
  client.on("error", opts.onError ?? (() => undefined));
  client.setMaxListeners(0);
  await client.connect();
  connectedOnce = true;
  return client;
}

/** Closes a client, destroying it when a graceful close does not finish. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (!client.isOpen) return;
  try {
    await client.close();
  } catch {
    client.destroy();
  }
}
