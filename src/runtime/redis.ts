import type { Logger } from "../log.js";
import { ClusterBus } from "../cluster/bus.js";
import { RedisUpdateDeduper } from "../cluster/claims.js";
import { coordinatedSchedule, redisRunCoordinator } from "../cluster/cron.js";
import { LeaderLease } from "../cluster/leader.js";
import { RedisKeyedLock } from "../cluster/lock.js";
import { ClusterOutbox } from "../cluster/outbox.js";
import { RedisPacing } from "../cluster/pacing.js";
import { closeRedis, openClusterRedis, type RedisClient } from "../cluster/redis.js";
import type { ScheduleCron } from "../feeds/scheduler.js";
import type { ChangeEvent, DeliveryDeps, DeliveryQueue, Followers, LeaderDuty, Runtime } from "./types.js";
import type { RuntimeLimits } from "./local.js";

/** Cluster knobs; `clusterSettingsFromEnv` reads them from the environment. */
export interface ClusterSettings {
  /** Key prefix for everything the cluster keeps in Redis (default "newsdesk:"). */
  prefix: string;
  /** Poller lease: a dead poller is replaced within this long (default 15000). */
  leaseMs: number;
  /** Renewal / take-over attempt period (default leaseMs / 3). */
  renewEveryMs: number;
  /** Full refresh of the chat index and recent articles, in case a notification was lost (default 60000). */
  refreshEveryMs: number;
}

/** NEWSDESK_CLUSTER_PREFIX, NEWSDESK_LEASE_MS, NEWSDESK_LEASE_RENEW_MS, NEWSDESK_CLUSTER_REFRESH_MS (all optional). */
export function clusterSettingsFromEnv(env: NodeJS.ProcessEnv): ClusterSettings {
  const int = (v: string | undefined, dflt: number, min: number) => {
    const n = Number(v);
    return v !== undefined && v !== "" && Number.isInteger(n) && n >= min ? n : dflt;
  };
  const leaseMs = int(env.NEWSDESK_LEASE_MS, 15_000, 1000);
  return {
    prefix: env.NEWSDESK_CLUSTER_PREFIX || "newsdesk:",
    leaseMs,
    renewEveryMs: int(env.NEWSDESK_LEASE_RENEW_MS, Math.floor(leaseMs / 3), 100),
    refreshEveryMs: int(env.NEWSDESK_CLUSTER_REFRESH_MS, 60_000, 1000),
  };
}

/**
 * The runtime of several instances on one Redis (docs/cluster.md): the shared BullMQ delivery
 * queue, Telegram's budget in Redis (every instance's replies, tips and bulk sends together),
 * a Redis keyed lock, update claims, the poller lease with node-cron's coordinator, and change
 * notifications over pub/sub with a periodic full refresh.
 */
export class RedisRuntime implements Runtime {
  readonly kind = "redis" as const;
  readonly bus: ClusterBus;
  readonly lease: LeaderLease;
  readonly deduper: RedisUpdateDeduper;
  readonly scheduleCron: ScheduleCron;
  readonly pacing: RedisPacing;
  readonly lock: RedisKeyedLock;
  private readonly duties: LeaderDuty[] = [];
  private readonly stops: Array<() => Promise<void>> = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private following: Followers | undefined;
  private lastPollAtMs: number | undefined;

  private constructor(
    readonly redis: RedisClient,
    readonly settings: ClusterSettings,
    private readonly logger: Logger,
    private readonly limits: RuntimeLimits,
  ) {
    const onError = (err: unknown) => logger.warn({ err }, "cluster redis error");
    this.bus = new ClusterBus(redis, `${settings.prefix}changes`, onError);
    this.deduper = new RedisUpdateDeduper(redis, settings.prefix);
    this.lease = new LeaderLease(redis, {
      key: `${settings.prefix}leader`,
      ttlMs: settings.leaseMs,
      renewEveryMs: settings.renewEveryMs,
      onError,
      onChange: (leader) => this.leadershipChanged(leader),
    });
    this.scheduleCron = coordinatedSchedule(redisRunCoordinator(redis, { prefix: settings.prefix, isLeader: () => this.lease.isLeader }));
    this.pacing = new RedisPacing(redis, settings.prefix, {
      globalPerSecond: limits.globalPerSecond,
      privateIntervalMs: limits.perChatIntervalMs,
      groupPerMinute: limits.groupPerMinute,
    });
    this.lock = new RedisKeyedLock(redis, { prefix: settings.prefix });
  }

  /** Connects (fails fast when Redis is unreachable). */
  static async open(url: string, settings: ClusterSettings, logger: Logger, limits: RuntimeLimits): Promise<RedisRuntime> {
    const redis = await openClusterRedis(url, { onError: (err) => logger.warn({ err }, "cluster redis error") });
    return new RedisRuntime(redis, settings, logger, limits);
  }

  /** True while this instance holds the poller lease. */
  get isLeader(): boolean {
    return this.lease.isLeader;
  }

  /** Registers leader-only work (call before start()). */
  whileLeader(duty: LeaderDuty): void {
    this.duties.push(duty);
  }

  /** The shared delivery queue: one BullMQ job per message, worked by every instance. */
  createDeliveryQueue(d: DeliveryDeps): DeliveryQueue {
    return new ClusterOutbox({
      redis: this.redis,
      prefix: this.settings.prefix,
      telegram: { call: d.call },
      chats: d.chats,
      render: d.render,
      pacing: this.pacing,
      globalPerSecond: this.limits.globalPerSecond,
      retry: d.retry,
      neverDrop: d.neverDrop,
      onEvent: d.onEvent,
      onError: (err) => this.logger.warn({ err }, "delivery queue error"),
    });
  }

  publish(event: ChangeEvent): void {
    this.bus.publish(event);
  }

  onChange(handler: (event: ChangeEvent) => void): void {
    this.bus.on(handler);
  }

  private async readLastPoll(): Promise<void> {
    try {
      const stored = Number(await this.redis.get(`${this.settings.prefix}lastpoll`));
      if (Number.isFinite(stored) && stored > 0) this.lastPollAtMs = Math.max(this.lastPollAtMs ?? 0, stored);
    } catch (err) {
      this.logger.warn({ err }, "cluster redis error");
    }
  }

  /** The poller finished a successful round: shared, so every instance's /healthz sees polling is alive. */
  pollSucceeded(atMs: number): void {
    this.lastPollAtMs = Math.max(this.lastPollAtMs ?? 0, atMs);
    this.redis.set(`${this.settings.prefix}lastpoll`, String(atMs)).catch((err: unknown) => this.logger.warn({ err }, "cluster redis error"));
  }

  /** Last successful poll round by any instance (refreshed every few seconds); undefined before the first. */
  lastPollSuccessAtMs(): number | undefined {
    return this.lastPollAtMs;
  }

  /** Applies other instances' changes to this one's in-memory chat index and search index. */
  follow(f: Followers): void {
    this.following = f;
    this.bus.on((event) => void this.apply(event, f));
  }

  /** Subscribes, then joins the election (resolves after the first attempt). */
  async start(): Promise<void> {
    await this.bus.start();
    await this.lease.start();
    this.refreshTimer = setInterval(() => void this.refreshAll(), this.settings.refreshEveryMs);
    this.refreshTimer.unref();
    this.pollTimer = setInterval(() => void this.readLastPoll(), 5000);
    this.pollTimer.unref();
    await this.readLastPoll();
  }

  /** Leaves the election (releasing the lease, so another instance takes over at once), stops duties. */
  async stop(): Promise<void> {
    clearInterval(this.refreshTimer);
    clearInterval(this.pollTimer);
    await this.lease.stop();
    await this.bus.stop();
    await closeRedis(this.redis);
  }

  private async leadershipChanged(leader: boolean): Promise<void> {
    this.logger.info({ leader }, leader ? "elected: this instance polls feeds" : "no longer the poller");
    if (leader) {
      for (const duty of this.duties) {
        const stop = duty();
        if (stop) this.stops.push(stop);
      }
      // A new leader starts from the store's truth rather than from notifications it may have missed.
      await this.refreshAll();
    } else {
      for (const stop of this.stops.splice(0)) await stop().catch((err: unknown) => this.logger.error({ err }, "leader duty failed to stop"));
    }
  }

  private async apply(event: ChangeEvent, f: Followers): Promise<void> {
    try {
      if (event.kind === "chats") for (const id of event.ids) await f.chats.refresh(id);
      else if (event.kind === "articles") {
        for (const id of event.ids) {
          if (f.index.has(id)) continue;
          const article = await f.archive.get(id);
          if (article) f.index.add(article);
        }
      }
    } catch (err) {
      this.logger.warn({ err, kind: event.kind }, "could not apply a change from another instance");
    }
  }

  private async refreshAll(): Promise<void> {
    const f = this.following;
    if (!f) return;
    try {
      await f.chats.reload();
      for (const a of await f.archive.recent(200)) if (!f.index.has(a.id)) f.index.add(a);
    } catch (err) {
      this.logger.warn({ err }, "cluster refresh failed");
    }
  }
}
