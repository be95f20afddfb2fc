import { randomUUID } from "node:crypto";
import { createConnection } from "node:net";
import { openClusterRedis, type RedisClient } from "../../src/cluster/redis.js";

/** Redis for the cluster tests (`.ci/run` starts one); NEWSDESK_TEST_REDIS overrides. */
export const REDIS_URL = process.env.NEWSDESK_TEST_REDIS ?? "redis://127.0.0.1:6379";

/** True when something answers on the Redis port (checked once, before the suites are declared). */
export async function redisReachable(url = REDIS_URL): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** A fresh key prefix per test, so tests never see each other's keys (and never flush a db). */
export function freshPrefix(): string {
  return `t${randomUUID().slice(0, 8)}:`;
}

/** A connected client. */
export function connect(url = REDIS_URL): Promise<RedisClient> {
  return openClusterRedis(url);
}

/** Deletes every key under the prefix. */
export async function dropPrefix(redis: RedisClient, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const page = await redis.scan(cursor, { MATCH: `${prefix}*`, COUNT: 1000 });
    cursor = String(page.cursor);
    if (page.keys.length > 0) await redis.del(page.keys);
  } while (cursor !== "0");
}

/** Polls until cond() is true; throws after timeoutMs. */
export async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
