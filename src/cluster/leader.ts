import { randomUUID } from "node:crypto";
import type { RedisClient } from "./redis.js";

/** Extends the lease only while we still hold it (the token is ours). */
const RENEW = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`;
/** Deletes the lease only while we still hold it. */
const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;

/** Options of the leader lease. */
export interface LeaderLeaseOptions {
  /** Redis key of the lock (e.g. "newsdesk:leader"). */
  key: string;
  /** Lease length: a dead leader is replaced within this long (default 15000). */
  ttlMs?: number;
  /** How often the holder renews and the others try to take over (default ttlMs / 3). */
  renewEveryMs?: number;
  /** This instance's token (default a random UUID). */
  id?: string;
  /** Called with true when leadership is gained and false when lost; calls never overlap. */
  onChange?: (leader: boolean) => void | Promise<void>;
  /** Redis errors while renewing or acquiring (default: ignored). */
  onError?: (err: unknown) => void;
  /** Default Date.now. */
  now?: () => number;
}

/**
 * Leader election with a Redis lock and a lease: `SET key id NX PX ttl` takes it, the holder
 * renews it with a compare-and-pexpire script, stop() releases it with compare-and-del. A holder
 * that cannot renew steps down on its own before its lease can have expired, so two instances
 * never both believe they lead for longer than one renewal period of clock drift.
 */
export class LeaderLease {
  readonly id: string;
  private readonly ttlMs: number;
  private readonly renewEveryMs: number;
  private readonly now: () => number;
  private leader = false;
  private renewedAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private changes: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly redis: Pick<RedisClient, "set" | "eval">,
    private readonly o: LeaderLeaseOptions,
  ) {
    this.id = o.id ?? randomUUID();
    this.ttlMs = o.ttlMs ?? 15_000;
    this.renewEveryMs = o.renewEveryMs ?? Math.max(100, Math.floor(this.ttlMs / 3));
    this.now = o.now ?? Date.now;
  }

  /** True while this instance holds the lease. */
  get isLeader(): boolean {
    return this.leader;
  }

  /** Tries at once, then every renewEveryMs. Resolves after the first try (and its onChange). */
  async start(): Promise<void> {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => void this.tick(), this.renewEveryMs);
    this.timer.unref();
    await this.tick();
    await this.changes;
  }

  /** Stops renewing and releases the lease if held (another instance takes over at its next try). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
    if (this.leader) {
      try {
        await this.redis.eval(RELEASE, { keys: [this.o.key], arguments: [this.id] });
      } catch (err) {
        this.o.onError?.(err);
      }
      this.setLeader(false);
    }
    await this.changes;
  }

  /** Resolves once every onChange call so far has finished (tests, shutdown). */
  settled(): Promise<void> {
    return this.changes;
  }

  private tick(): Promise<void> {
    this.ticking = this.ticking.then(() => this.once());
    return this.ticking;
  }

  private async once(): Promise<void> {
    if (this.stopped) return;
    const at = this.now();
    try {
      if (this.leader) {
        const renewed = await this.redis.eval(RENEW, { keys: [this.o.key], arguments: [this.id, String(this.ttlMs)] });
        if (Number(renewed) === 1) this.renewedAt = at;
        else this.setLeader(false);
      } else {
        const got = await this.redis.set(this.o.key, this.id, { condition: "NX", expiration: { type: "PX", value: this.ttlMs } });
        if (got === "OK" && !this.stopped) {
          this.renewedAt = at;
          this.setLeader(true);
        }
      }
    } catch (err) {
      this.o.onError?.(err);
      // Unable to renew: give up before the lease may have run out and another instance took it.
      if (this.leader && this.now() - this.renewedAt >= this.ttlMs - this.renewEveryMs) this.setLeader(false);
    }
  }

  private setLeader(leader: boolean): void {
    if (this.leader === leader) return;
    this.leader = leader;
    const onChange = this.o.onChange;
    if (onChange) this.changes = this.changes.then(() => onChange(leader)).catch((err: unknown) => this.o.onError?.(err));
  }
}
