import type Keyv from "keyv";
import type { Article } from "../articles/article.js";
import type { DeadLetter } from "../delivery/deadletter.js";
import type { EnqueueInput, FanOutInput } from "../delivery/outbox.js";
import type { ChatStatus, DeliveryStats, RetryPolicy, SenderEvent } from "../delivery/sender-options.js";
import type { BundleRenderFn, RenderFn } from "../delivery/types.js";
import type { ScheduleCron } from "../feeds/scheduler.js";
import type { UpdateDeduper } from "../http/dedupe.js";
import type { KeyedLock } from "../store/lock.js";
import type { ApiCall } from "../telegram/client.js";
import type { SendPacing } from "../telegram/pacing.js";

/** The durable delivery queue: what feeds, digests, alerts and /broadcast hand their messages to. */
export interface DeliveryQueue {
  /** Queues one message. */
  enqueue(input: EnqueueInput): Promise<unknown>;
  /** Queues one message to many chats (idempotent by `id`). */
  fanOut(input: FanOutInput): Promise<string>;
  /**
   * Queues several fan-outs as one hand-off (a poll's new articles): none is sent before all are
   * queued, so a chat with several of them gets one bundle, not the first alone. Ids in order.
   */
  fanOutAll(inputs: readonly FanOutInput[]): Promise<string[]>;
  /** Deliveries held for a chat (quiet hours) go again now; their render decides anew. */
  releaseHeld(chatId: number): Promise<number>;
  /** Messages waiting (best known on this instance). */
  pendingCount(): number;
  /** Newest dead letters, newest first. */
  deadLetters(limit?: number): Promise<DeadLetter[]>;
  /** Counters and depth for /stats and /metrics. */
  stats(): DeliveryStats;
  /** Resolves when nothing is waiting or in flight (tests, benches). */
  whenIdle(): Promise<void>;
  /** Reads what an earlier run left and starts sending. */
  start(): Promise<void>;
  /** Stops taking work; what is in flight is finished and recorded. */
  stop(): Promise<void>;
}

/** What the delivery queue needs from the rest of the app. */
export interface DeliveryDeps {
  /** The `outbox` namespace of the store. */
  kv: Keyv;
  /** Bulk sends (transformed: metrics, photo watch). */
  call: ApiCall;
  chats: ChatStatus;
  render: RenderFn;
  /** Several waiting articles for one chat as one message (config `delivery.bundle`); undefined: one message each. */
  bundle?: { minArticles: number; maxArticles: number; render: BundleRenderFn } | undefined;
  retry: Partial<RetryPolicy>;
  /** Paid broadcasts may be queued: they go past the 30/s budget (one process only; on Redis they keep the shared rate). */
  paidBroadcasts: boolean;
  /** Chats never dropped on 403 (the newsroom: tips and alerts wait until it is reachable). */
  neverDrop: (chatId: number) => boolean;
  onEvent: (event: SenderEvent) => void;
}

/** What other instances changed: a chat record, newly archived articles, queued tips, the topic list. */
export type ChangeEvent = { kind: "chats"; ids: number[] } | { kind: "articles"; ids: string[] } | { kind: "tips" } | { kind: "topics" };

/** What the runtime keeps fresh on this instance when other instances change things. */
export interface Followers {
  chats: { refresh(id: number): Promise<void>; reload(): Promise<unknown> };
  index: { has(id: string): boolean; add(a: Article): void };
  archive: { get(id: string): Promise<Article | undefined>; recent(limit?: number): Promise<Article[]> };
}

/** Work that runs only while this instance leads: started on election, stopped when it ends. */
export type LeaderDuty = () => (() => Promise<void>) | void;

/**
 * Everything that differs between one process and several instances on one Redis, behind one
 * interface: the delivery queue, Telegram's budget (shared by replies, tips and bulk sends), a
 * keyed lock, update dedupe, leadership, and change notifications. `createApp` picks one; nothing
 * else knows which runs.
 */
export interface Runtime {
  readonly kind: "local" | "redis";
  /** Telegram's send budget for the whole bot. */
  readonly pacing: SendPacing;
  /** Serialises read-modify-write per key (tip drafts, the tip queue). */
  readonly lock: KeyedLock;
  /** Webhook updates are handled once, whichever instance they reach. */
  readonly deduper: UpdateDeduper;
  /** node-cron scheduling that lets only the leader run a slot (undefined: plain node-cron). */
  readonly scheduleCron: ScheduleCron | undefined;
  /** Builds the delivery queue (once). */
  createDeliveryQueue(deps: DeliveryDeps): DeliveryQueue;
  /** Runs `duty` while this instance leads (one process always leads). */
  whileLeader(duty: LeaderDuty): void;
  /** True while this instance leads. */
  readonly isLeader: boolean;
  /** Tells the other instances that something changed here. */
  publish(event: ChangeEvent): void;
  /** Other instances' changes. */
  onChange(handler: (event: ChangeEvent) => void): void;
  /** Keeps this instance's in-memory indexes fresh when others change the store. */
  follow(followers: Followers): void;
  /** A poll round succeeded (shared, so every instance's /healthz sees polling is alive). */
  pollSucceeded(atMs: number): void;
  /** Last successful poll round by any instance; undefined before the first. */
  lastPollSuccessAtMs(): number | undefined;
  start(): Promise<void>;
  stop(): Promise<void>;
}
