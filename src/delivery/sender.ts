import { FailurePolicy } from "../telegram/policy.js";
import { Pacer } from "./pacer.js";
import { realSleep, systemClock } from "./time.js";
import type { DeliveryStats, SenderOptions } from "./sender-options.js";
import { isPaid, type Delivery, type TelegramCall } from "./types.js";

export type { ChatStatus, DeliveryStats, RetryPolicy, SenderEvent, SenderOptions } from "./sender-options.js";

const RATE_WINDOW_MS = 60_000;

/** The worker: takes deliveries from the outbox by priority and sends them within the limits. */
export class Sender {
  private readonly o: Required<Omit<SenderOptions, "render" | "retry" | "renderBundle" | "bundle">> & Pick<SenderOptions, "render" | "renderBundle" | "bundle">;
  private readonly policy: FailurePolicy;
  private readonly counters = { sent: 0, failed: 0, deadLettered: 0, dropped: 0, rateLimited429: 0, bundled: 0 };
  private readonly busy = new Set<number>();
  private readonly migrated = new Map<number, number>();
  private readonly gone = new Set<number>();
  private readonly running = new Set<Promise<void>>();
  private readonly stopCtl = new AbortController();
  private wakeCtl: AbortController | undefined;
  private dirty = true;
  private loop: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private idleWaiters: (() => void)[] = [];
  /** Times of the sends of the last RATE_WINDOW_MS, for the drain estimate. */
  private readonly recentSends: number[] = [];

  constructor(options: SenderOptions) {
    const clock = options.clock ?? systemClock;
    this.o = {
      renderBundle: undefined,
      bundle: undefined,
      paidBroadcasts: false,
      pacer: new Pacer(clock),
      sleep: realSleep,
      maxInFlight: 32,
      reservedInteractive: 2,
      onEvent: () => undefined,
      neverDrop: () => false,
      ...options,
      clock,
    };
    this.policy = new FailurePolicy(options.retry);
  }

  /** Starts the worker loop (the outbox must be loaded). */
  start(): void {
    if (this.loop) return;
    this.unsubscribe = this.o.outbox.onChange(() => this.poke());
    this.loop = this.run();
  }

  /** Stops taking new work and waits for sends in flight to finish and be recorded. */
  async stop(): Promise<void> {
    this.stopCtl.abort();
    this.unsubscribe?.();
    await this.loop;
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Resolves when nothing is pending and nothing is in flight (for tests, benches, shutdown). */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Current counters. */
  stats(): DeliveryStats {
    const oldest = this.o.outbox.oldestPendingAt();
    const now = this.o.clock.now();
    while (this.recentSends.length > 0 && this.recentSends[0]! < now - RATE_WINDOW_MS) this.recentSends.shift();
    // The rate of the last minute; before anything went out, the rate the pacer allows.
    const measured = this.recentSends.length / (RATE_WINDOW_MS / 1000);
    const rate = measured > 0 ? measured : this.o.pacer.globalPerSecond;
    const backlog = this.o.outbox.backlogMessages(this.o.bundle !== undefined);
    return {
      ...this.counters,
      backlogMessages: backlog,
      sendRatePerSecond: Math.round(rate * 10) / 10,
      drainSeconds: backlog / rate,
      pending: this.o.outbox.pendingCount(),
      inFlight: this.running.size,
      lagSeconds: oldest === undefined ? 0 : Math.max(0, (this.o.clock.now() - oldest) / 1000),
      deadLetterTotal: this.o.outbox.deadLetterTotal,
    };
  }

  private async run(): Promise<void> {
    const { outbox, pacer, clock } = this.o;
    while (!this.stopCtl.signal.aborted) {
      // Cleared before looking, so a change that lands while we look is not slept through.
      this.dirty = false;
      try {
        if (this.running.size >= this.o.maxInFlight) {
          await this.waitForChange(Infinity);
          continue;
        }
        const globalAt = pacer.globalReadyAt();
        // While the free budget is spent, paid broadcasts (allow_paid_broadcast) may still go.
        const paidOnly = globalAt > clock.now();
        if (paidOnly && (!this.o.paidBroadcasts || pacer.paidReadyAt() > clock.now())) {
          await this.o.sleep(Math.max(1, Math.min(globalAt, this.o.paidBroadcasts ? pacer.paidReadyAt() : Infinity) - clock.now()), this.stopCtl.signal);
          continue;
        }
        const reserved = Math.min(this.o.reservedInteractive, this.o.maxInFlight - 1);
        const bulkAllowed = this.running.size < this.o.maxInFlight - reserved;
        const got = await outbox.next((id) => this.chatReadyAt(id), bulkAllowed ? undefined : 0, paidOnly ? isPaid : undefined);
        if (paidOnly && "wakeAt" in got) {
          await this.waitForChange(Math.min(got.wakeAt, globalAt) - clock.now());
          continue;
        }
        if ("wakeAt" in got) {
          this.checkIdle();
          await this.waitForChange(got.wakeAt - clock.now());
          continue;
        }
        this.dispatch(got);
      } catch (err) {
        // A store read failed (e.g. a snapshot chunk): nothing was taken, so try again shortly.
        this.o.onEvent({ type: "store-error", detail: describe(err) });
        await this.o.sleep(1000, this.stopCtl.signal);
      }
    }
  }

  private chatReadyAt(chatId: number): number {
    const target = this.migrated.get(chatId) ?? chatId;
    return this.busy.has(target) ? Infinity : this.o.pacer.chatReadyAt(target);
  }

  private dispatch(taken: Delivery): void {
    const d = { ...taken, chatId: this.migrated.get(taken.chatId) ?? taken.chatId };
    this.busy.add(d.chatId);
    const takenAt = this.o.pacer.take(d.chatId, isPaid(d.payload));
    const p = this.deliver(d).finally(() => {
      this.o.pacer.settle(d.chatId, takenAt);
      this.busy.delete(d.chatId);
      this.running.delete(p);
      this.poke();
    });
    this.running.add(p);
  }

  private async deliver(d: Delivery): Promise<void> {
    const { outbox, clock } = this.o;
    const active = this.o.chats.isActive?.(d.chatId);
    if (d.priority !== "interactive" && (active === false || (active === undefined && this.gone.has(d.chatId)))) {
      this.counters.dropped++;
      return this.settle(() => outbox.complete(d));
    }
    if (this.o.bundle && this.o.renderBundle && d.priority === "bulk" && d.payload.kind === "render") {
      const more = await outbox.claimBundle(d, this.o.bundle.maxArticles - 1);
      if (more.length + 1 >= this.o.bundle.minArticles) return this.deliverBundle([d, ...more]);
      for (const m of more) await this.settle(() => outbox.retryLater(m, clock.now()));
    }
    let call: TelegramCall | undefined;
    try {
      if (d.payload.kind === "call") {
        call = { method: d.payload.method, params: d.payload.params };
      } else {
        if (!this.o.render) throw new Error(`no render function for payload type ${d.payload.type}`);
        const rendered = await this.o.render(d.chatId, d.payload);
        if (rendered.action === "skip") {
          this.counters.dropped++;
          return this.settle(() => outbox.complete(d));
        }
        if (rendered.action === "hold") {
          return this.settle(() => outbox.retryLater(d, rendered.untilMs, { attempts: d.attempts, error: "held" }));
        }
        call = rendered.call;
      }
      await this.o.telegram.call(call.method, { ...call.params, chat_id: d.chatId });
      this.counted();
      this.policy.succeeded();
      return this.settle(() => outbox.complete(d));
    } catch (raw) {
      return this.handleFailure(d, raw, call?.method, clock.now());
    }
  }

  /**
   * Several waiting articles for one chat as one message. Each counts as delivered to the chat only
   * when Telegram accepted that message; what was skipped is done, what did not fit waits for the
   * next slot, and a failure is decided once for all of them.
   */
  private async deliverBundle(ds: Delivery[]): Promise<void> {
    const { outbox, clock } = this.o;
    const chatId = ds[0]!.chatId;
    let sending: Delivery[] = ds;
    let method: string | undefined;
    try {
      const rendered = await this.o.renderBundle!(chatId, ds.map((d) => d.payload));
      if (rendered.action === "skip") {
        this.counters.dropped += ds.length;
        for (const d of ds) await this.settle(() => outbox.complete(d));
        return;
      }
      if (rendered.action === "hold") {
        for (const d of ds) await this.settle(() => outbox.retryLater(d, rendered.untilMs, { attempts: d.attempts, error: "held" }));
        return;
      }
      this.counters.dropped += rendered.skipped.length;
      for (const i of rendered.skipped) await this.settle(() => outbox.complete(ds[i]!));
      for (const i of rendered.left) await this.settle(() => outbox.retryLater(ds[i]!, clock.now()));
      sending = rendered.included.map((i) => ds[i]!);
      method = rendered.call.method;
      await this.o.telegram.call(rendered.call.method, { ...rendered.call.params, chat_id: chatId });
      this.counted();
      if (sending.length > 1) this.counters.bundled += sending.length;
      this.policy.succeeded();
      for (const d of sending) await this.settle(() => outbox.complete(d));
    } catch (raw) {
      return this.handleFailure(sending, raw, method, clock.now());
    }
  }

  /** Carries out the failure policy's decision for deliveries that went (or were to go) as one message to one chat. */
  private async handleFailure(ds: Delivery | Delivery[], raw: unknown, method: string | undefined, now: number): Promise<void> {
    const all = Array.isArray(ds) ? ds : [ds];
    const d = all[0];
    if (!d) return;
    const { outbox, pacer, onEvent } = this.o;
    const attempts = Math.max(...all.map((x) => x.attempts));
    const { error, decision, pauseAllMs } = this.policy.decide(raw, { chatId: d.chatId, attempts, neverDrop: this.o.neverDrop(d.chatId) });
    const event = { chatId: d.chatId, method, detail: error.message };
    if (pauseAllMs !== undefined) pacer.pause("global", pauseAllMs / 1000, d.chatId);
    switch (decision.action) {
      case "wait":
        this.counters.rateLimited429++;
        onEvent({ type: "rate-limited", ...event });
        pacer.rateLimited(d.chatId, decision.retryAfterMs / 1000);
        for (const x of all) await this.settle(() => outbox.retryLater(x, now + decision.retryAfterMs));
        return;
      case "chat-gone":
        this.counters.dropped += all.length;
        this.gone.add(d.chatId);
        onEvent({ type: "chat-gone", ...event });
        await this.settle(() => this.o.chats.deactivate(d.chatId, decision.reason));
        for (const x of all) await this.settle(() => outbox.complete(x));
        return this.settle(async () => {
          this.counters.dropped += await outbox.dropChat(d.chatId);
        });
      case "migrate":
        onEvent({ type: "chat-migrated", ...event });
        this.migrated.set(d.chatId, decision.newChatId);
        await this.settle(() => this.o.chats.migrate(d.chatId, decision.newChatId));
        await this.settle(() => outbox.retargetChat(d.chatId, decision.newChatId));
        for (const x of all) await this.settle(() => outbox.retryLater({ ...x, chatId: decision.newChatId }, now));
        return;
      case "give-up":
        this.counters.failed++;
        this.counters.deadLettered += all.length;
        onEvent({ type: "dead-letter", ...event });
        for (const x of all) await this.settle(() => outbox.deadLetter(x, decision.attempts, error.message));
        return;
      case "retry":
        this.counters.failed++;
        onEvent({ type: error.kind === "chat-gone" ? "chat-gone" : error.kind === "transient" ? "transient" : "bad-request", ...event });
        for (const x of all) await this.settle(() => outbox.retryLater(x, now + decision.delayMs, { attempts: decision.attempts, error: error.message }));
        return;
    }
  }

  /** Retries a store step until it lands; on stop it gives up (the store still says pending). */
  private async settle(step: () => Promise<unknown>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await step();
        return;
      } catch (err) {
        this.o.onEvent({ type: "store-error", detail: describe(err) });
        if (this.stopCtl.signal.aborted) return;
        await this.o.sleep(Math.min(30_000, 250 * 2 ** attempt), this.stopCtl.signal);
      }
    }
  }

  private counted(): void {
    this.counters.sent++;
    const now = this.o.clock.now();
    this.recentSends.push(now);
    if (this.recentSends.length > 4000) this.recentSends.splice(0, this.recentSends.length - 2000);
  }

  private poke(): void {
    this.dirty = true;
    this.wakeCtl?.abort();
    this.checkIdle();
  }

  private async waitForChange(ms: number): Promise<void> {
    if (this.dirty || this.stopCtl.signal.aborted) return;
    const ctl = new AbortController();
    this.wakeCtl = ctl;
    const signal = AbortSignal.any([ctl.signal, this.stopCtl.signal]);
    if (Number.isFinite(ms)) await this.o.sleep(Math.max(0, ms), signal);
    else await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    this.wakeCtl = undefined;
  }

  private isIdle(): boolean {
    return this.running.size === 0 && this.o.outbox.pendingCount() === 0;
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
