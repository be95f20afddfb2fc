import type { StaffPolicy } from "../bot/staff.js";
import type { DeliveryQueue } from "../runtime/types.js";

/** Sends an HTML notice to the newsroom chat through the delivery queue (ahead of bulk work); nothing while no newsroom is set. */
export function newsroomNotifier(delivery: Pick<DeliveryQueue, "enqueue">, policy: StaffPolicy): (html: string) => Promise<void> {
  return async (text) => {
    const chatId = policy.newsroomChatId;
    if (chatId === undefined) return;
    await delivery.enqueue({ chatId, priority: "broadcast", payload: { kind: "call", method: "sendMessage", params: { text, parse_mode: "HTML" } } });
  };
}

/**
 * Tells the newsroom once when sending what waits would take longer than `boundSeconds` at the
 * current rate, and once when it has caught up (under half the bound, so it does not flap).
 */
export class BacklogWatch {
  private behind = false;

  constructor(
    private readonly o: {
      stats: () => { backlogMessages: number; drainSeconds: number };
      boundSeconds: number;
      alert: (p: { messages: number; minutes: number }) => Promise<void>;
      recovered: () => Promise<void>;
    },
  ) {}

  /** Compares the projection with the bound; call it periodically. */
  async check(): Promise<void> {
    const { backlogMessages, drainSeconds } = this.o.stats();
    if (!this.behind && drainSeconds > this.o.boundSeconds) {
      this.behind = true;
      await this.o.alert({ messages: backlogMessages, minutes: Math.ceil(drainSeconds / 60) });
    } else if (this.behind && drainSeconds <= this.o.boundSeconds / 2) {
      this.behind = false;
      await this.o.recovered();
    }
  }
}
