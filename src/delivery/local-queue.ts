import type { DeliveryDeps, DeliveryQueue } from "../runtime/types.js";
import type { DeadLetter } from "./deadletter.js";
import { Outbox, type EnqueueInput, type FanOutInput } from "./outbox.js";
import type { Pacer } from "./pacer.js";
import { Sender, type DeliveryStats } from "./sender.js";
import type { Clock, Sleep } from "./time.js";

/** The delivery queue of one process: the durable keyv outbox, worked by the Sender within `pacer`. */
export class LocalDeliveryQueue implements DeliveryQueue {
  readonly outbox: Outbox;
  readonly sender: Sender;

  constructor(d: DeliveryDeps, pacer: Pacer, clock: Clock, sleep: Sleep) {
    this.outbox = new Outbox(d.kv, { clock });
    this.sender = new Sender({
      outbox: this.outbox,
      telegram: { call: d.call },
      chats: d.chats,
      render: d.render,
      renderBundle: d.bundle?.render,
      bundle: d.bundle,
      paidBroadcasts: d.paidBroadcasts,
      pacer,
      clock,
      sleep,
      retry: d.retry,
      neverDrop: d.neverDrop,
      onEvent: d.onEvent,
    });
  }

  enqueue(input: EnqueueInput): Promise<number> {
    return this.outbox.enqueue(input);
  }

  fanOut(input: FanOutInput): Promise<string> {
    return this.outbox.fanOut(input);
  }

  fanOutAll(inputs: readonly FanOutInput[]): Promise<string[]> {
    return this.outbox.fanOutAll(inputs);
  }

  releaseHeld(chatId: number): Promise<number> {
    return this.outbox.releaseHeld(chatId);
  }

  pendingCount(): number {
    return this.outbox.pendingCount();
  }

  deadLetters(limit?: number): Promise<DeadLetter[]> {
    return this.outbox.deadLetters(limit);
  }

  stats(): DeliveryStats {
    return this.sender.stats();
  }

  whenIdle(): Promise<void> {
    return this.sender.whenIdle();
  }

  async start(): Promise<void> {
    await this.outbox.load();
    this.sender.start();
  }

  stop(): Promise<void> {
    return this.sender.stop();
  }
}
