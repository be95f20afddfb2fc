import type { ScheduleCron } from "../feeds/scheduler.js";
import nodeCron, { type RunCoordinator } from "node-cron";
import type { RedisClient } from "./redis.js";

/** Options of the run coordinator. */
export interface CronCoordinatorOptions {
  /** Only the elected instance runs scheduled polls. */
  isLeader: () => boolean;
  /** Key prefix, e.g. "newsdesk:" (slot keys are `<prefix>cron:<task>:<slot ISO time>`). */
  prefix: string;
}

/**
 * node-cron's run coordinator (`distributed: true`): every instance keeps its cron, and at each slot
 * node-cron asks shouldRun(). Only the lease holder says yes, and it also claims the slot with
 * `SET NX PX`, so even during a hand-over (old leader not yet aware it lost) a slot runs once.
 */
export function redisRunCoordinator(redis: Pick<RedisClient, "set">, o: CronCoordinatorOptions): RunCoordinator {
  return {
    async shouldRun(key: string, ttlMs: number): Promise<boolean> {
      if (!o.isLeader()) return false;
      const got = await redis.set(`${o.prefix}cron:${key}`, "1", { condition: "NX", expiration: { type: "PX", value: Math.max(1000, ttlMs) } });
      return got === "OK";
    },
  };
}

/** Wraps node-cron's schedule so each slot runs on one instance only; `slotTtlMs` (default 60000) keeps a claimed slot from running twice. */
export function coordinatedSchedule(coordinator: RunCoordinator, slotTtlMs = 60_000): ScheduleCron {
  return (expression, fn, options) =>
    nodeCron.schedule(expression, fn, { ...options, distributed: true, runCoordinator: coordinator, distributedLease: slotTtlMs });
}
