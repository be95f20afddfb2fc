import type { Article } from "../articles/article.js";
import type { DeliveryStats } from "../delivery/sender-options.js";
import type { Logger } from "../log.js";
import { ClusterBus, type ClusterEvent } from "./bus.js";
import { RedisUpdateDeduper } from "./claims.js";
import { coordinatedSchedule, redisRunCoordinator, type ScheduleCron } from "./cron.js";
import { LeaderLease } from "./leader.js";
import { RedisKeyedLock } from "./lock.js";
import { ClusterOutbox, type ClusterOutboxOptions } from "./outbox.js";
import { closeRedis, openClusterRedis, type RedisClient } from "./redis.js";

export { ClusterOutbox, type ClusterOutboxOptions } from "./outbox.js";
export { LeaderLease } from "./leader.js";
export { RedisUpdateDeduper } from "./claims.js";

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

/** What the cluster keeps fresh on this instance when other instances change things. */
export interface Followers {
  chats: { refresh(id: number): Promise<void>; reload(): Promise<unknown> };
  index: { has(id: string): boolean; add(a: Article): void };
  archive: { get(id: string): Promise<Article | undefined>; recent(limit?: number): Promise<Article[]> };
}

/** The tip queue's worker, as the cluster drives it (TipDispatcher fits). */
export interface TipWorker {
  start(): void;
  stop(): Promise<void>;
  kick(): void;
}

/** The tip queue's storage, for the leader's sweep of tips that were stored but never queued (TipRepo fits). */
export interface TipQueueRepo {
  orphanedTips(): Promise<string[]>;
  enqueue(job: { ref: string; kind: "tip" }): Promise<void>;
}

/** A piece of work that runs only on the leader: started on election, stopped when leadership is lost. */
export type LeaderDuty = () => (() => Promise<void>) | void;

/**
 * Everything several instances on one Redis need, in one place for the composition root: the
 * update claims, the poller lease and node-cron coordinator, change notifications, leader-only
 * duties. Built only when the store is Redis.
 */
export class Cluster {
  readonly bus: ClusterBus;
  readonly lease: LeaderLease;
  readonly deduper: RedisUpdateDeduper;
  readonly scheduleCron: ScheduleCron;
  private readonly duties: LeaderDuty[] = [];
  private readonly stops: Array<() => Promise<void>> = [];
  private refreshTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private following: Followers | undefined;
  private outbox: ClusterOutbox | undefined;
  private lastPollAtMs: number | undefined;

  private constructor(
    readonly redis: RedisClient,
    readonly settings: ClusterSettings,
    private readonly logger: Logger,
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
  }

  /** Connects (fails fast when Redis is unreachable). */
  static async open(url: string, settings: ClusterSettings, logger: Logger): Promise<Cluster> {
    const redis = await openClusterRedis(url, { onError: (err) => logger.warn({ err }, "cluster redis error") });
    return new Cluster(redis, settings, logger);
  }

  /** True while this instance holds the poller lease. */
  get isLeader(): boolean {
    return this.lease.isLeader;
  }

  /** Registers leader-only work (call before start()). */
  whileLeader(duty: LeaderDuty): void {
    this.duties.push(duty);
  }

  /** The shared delivery queue (started and stopped with the cluster). */
  createOutbox(o: Omit<ClusterOutboxOptions, "redis" | "prefix" | "onError">): ClusterOutbox {
    this.outbox = new ClusterOutbox({ ...o, redis: this.redis, prefix: this.settings.prefix, onError: (err) => this.logger.warn({ err }, "delivery queue error") });
    return this.outbox;
  }

  /** /stats of the shared queue (this instance's counters, the queue's depth). */
  deliveryStats(): DeliveryStats | undefined {
    return this.outbox?.stats();
  }

  /**
   * Runs the tip queue on the leader only: the queue is one stored list, and two dispatchers would
   * copy a tip twice. `make` builds a fresh dispatcher per term (a stopped one cannot restart).
   * A tip taken on another instance kicks the leader's dispatcher through the bus. The queue is
   * one stored list updated by read-modify-write from several instances, so an append can be lost
   * in a race; the leader therefore re-queues stored-but-unqueued tips every refresh period (a
   * repeated job for a delivered tip sends nothing: the dispatcher resumes from the tip's record).
   */
  /** A per-key lock shared by every instance (tip drafts: album parts may reach two instances). */
  keyedLock(): RedisKeyedLock {
    return new RedisKeyedLock(this.redis, { prefix: this.settings.prefix });
  }

  shareTips(local: { kick(): void }, make: () => TipWorker, repo?: TipQueueRepo): void {
    let current: TipWorker | undefined;
    this.whileLeader(() => {
      const worker = make();
      current = worker;
      worker.start();
      const sweep = setInterval(() => void this.sweepTips(repo, worker), this.settings.refreshEveryMs);
      sweep.unref();
      return async () => {
        clearInterval(sweep);
        current = undefined;
        await worker.stop();
      };
    });
    local.kick = () => {
      current?.kick();
      this.bus.publish({ kind: "tips" });
    };
    this.bus.on((event) => {
      if (event.kind === "tips") current?.kick();
    });
  }

  private async readLastPoll(): Promise<void> {
    try {
      const stored = Number(await this.redis.get(`${this.settings.prefix}lastpoll`));
      if (Number.isFinite(stored) && stored > 0) this.lastPollAtMs = Math.max(this.lastPollAtMs ?? 0, stored);
    } catch (err) {
      this.logger.warn({ err }, "cluster redis error");
    }
  }

  private async sweepTips(repo: TipQueueRepo | undefined, worker: TipWorker): Promise<void> {
    if (!repo) return;
    try {
      const refs = await repo.orphanedTips();
      for (const ref of refs) await repo.enqueue({ ref, kind: "tip" });
      if (refs.length > 0) {
        this.logger.warn({ refs }, "tips were stored but not queued; queued them now");
        worker.kick();
      }
    } catch (err) {
      this.logger.warn({ err }, "tip sweep failed");
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

  /** Tells the other instances that this one changed a chat record. */
  chatChanged(id: number): void {
    this.bus.publish({ kind: "chats", ids: [id] });
  }

  /** Tells the other instances that articles were archived (they fetch and index them). */
  articlesArchived(articles: readonly Article[]): void {
    if (articles.length > 0) this.bus.publish({ kind: "articles", ids: articles.map((a) => a.id) });
  }

  /** Applies other instances' changes to this one's in-memory chat index and search index. */
  follow(f: Followers): void {
    this.following = f;
    this.bus.on((event) => void this.apply(event, f));
  }

  /** Calls `handler` for other instances' events (e.g. tips queued). */
  on(handler: (event: ClusterEvent) => void): () => void {
    return this.bus.on(handler);
  }

  /** Subscribes, starts the delivery worker, then joins the election (resolves after the first attempt). */
  async start(): Promise<void> {
    await this.bus.start();
    this.outbox?.start();
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
    await this.outbox?.stop();
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

  private async apply(event: ClusterEvent, f: Followers): Promise<void> {
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
