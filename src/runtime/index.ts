import type { AppConfig } from "../../config/load.js";
import type { Clock, Sleep } from "../delivery/time.js";
import type { Logger } from "../log.js";
import type { Store } from "../store/index.js";
import { LocalRuntime, type RuntimeLimits } from "./local.js";
import type { Runtime } from "./types.js";

export type { DeliveryQueue, Runtime } from "./types.js";

/** One process on SQLite/PostgreSQL, or several instances when the store is Redis (docs/cluster.md). */
export async function openRuntime(
  config: AppConfig,
  store: Store,
  o: { logger: Logger; clock: Clock; sleep: Sleep; env: NodeJS.ProcessEnv },
): Promise<Runtime> {
  const { logger, clock, sleep, env } = o;
  const limits: RuntimeLimits = {
    globalPerSecond: config.delivery.maxMessagesPerSecond,
    perChatIntervalMs: 1000 / config.delivery.privateChatPerSecond,
    groupPerMinute: config.delivery.groupPerMinute,
  };
  if (store.kind !== "redis") return new LocalRuntime(store, limits, clock, sleep);
  // Loaded only for Redis: BullMQ and the Redis clients are ~20 MB a single process never uses.
  const { RedisRuntime, clusterSettingsFromEnv } = await import("./redis.js");
  return RedisRuntime.open(config.storeUrl, clusterSettingsFromEnv(env), logger, limits);
}
