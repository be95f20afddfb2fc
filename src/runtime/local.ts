import { LocalDeliveryQueue } from "../delivery/local-queue.js";
import { LocalPacing, Pacer } from "../delivery/pacer.js";
import type { Clock, Sleep } from "../delivery/time.js";
import { KeyvDeduper } from "../http/dedupe.js";
import type { Store } from "../store/index.js";
import { KeyedMutex } from "../store/lock.js";
import { NS } from "../store/keys.js";
import type { DeliveryDeps, DeliveryQueue, LeaderDuty, Runtime } from "./types.js";

/** Telegram's limits as configured (`delivery.*`). */
export interface RuntimeLimits {
  globalPerSecond: number;
  perChatIntervalMs: number;
  groupPerMinute: number;
}

/**
 * The runtime of one process: the keyv outbox worked by the Sender, one in-memory Pacer that the
 * sender, replies and the tip queue all take their slots from, an in-process lock, a store-backed
 * webhook dedupe; this process always leads and nobody else changes the store.
 */
export class LocalRuntime implements Runtime {
  readonly kind = "local" as const;
  readonly isLeader = true;
  readonly scheduleCron = undefined;
  readonly lock = new KeyedMutex();
  readonly pacer: Pacer;
  readonly pacing: LocalPacing;
  readonly deduper: KeyvDeduper;
  private readonly duties: LeaderDuty[] = [];
  private readonly stops: Array<() => Promise<void>> = [];
  private lastPollAtMs: number | undefined;

  constructor(
    store: Store,
    limits: RuntimeLimits,
    private readonly clock: Clock,
    private readonly sleep: Sleep,
  ) {
    this.pacer = new Pacer(clock, limits);
    this.pacing = new LocalPacing(this.pacer, clock);
    this.deduper = new KeyvDeduper(store.namespace(NS.webhookUpdates));
  }

  createDeliveryQueue(deps: DeliveryDeps): DeliveryQueue {
    return new LocalDeliveryQueue(deps, this.pacer, this.clock, this.sleep);
  }

  whileLeader(duty: LeaderDuty): void {
    this.duties.push(duty);
  }

  publish(): void {
    // Nobody else to tell.
  }

  onChange(): void {
    // Nobody else changes the store.
  }

  follow(): void {
    // Nobody else changes the store.
  }

  pollSucceeded(atMs: number): void {
    this.lastPollAtMs = Math.max(this.lastPollAtMs ?? 0, atMs);
  }

  lastPollSuccessAtMs(): number | undefined {
    return this.lastPollAtMs;
  }

  start(): Promise<void> {
    for (const duty of this.duties) {
      const stop = duty();
      if (stop) this.stops.push(stop);
    }
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    await Promise.all(this.stops.splice(0).map((stop) => stop()));
  }
}
