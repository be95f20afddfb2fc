import type { Update } from "telegraf/types";

/** How updates are worked through. */
export interface UpdateRunnerOptions {
  /** Updates handled at once across all chats (default 32). */
  maxConcurrent?: number;
}

/**
 * Handles updates so that one chat's backlog never holds another chat's: updates of one chat (or
 * of one user, for inline queries and button presses without a chat) run one after another, in
 * order; different chats run side by side, at most `maxConcurrent` at once. telegraf's polling
 * would otherwise wait for a whole batch of everyone's updates, so a flood from one user delayed a
 * bystander's /help by tens of seconds.
 */
export class UpdateRunner {
  private readonly maxConcurrent: number;
  private readonly tails = new Map<string, Promise<void>>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly idle = new Set<() => void>();
  private pending = 0;
  private readonly arrivals = new WeakMap<Update, number>();

  constructor(o: UpdateRunnerOptions = {}) {
    this.maxConcurrent = Math.max(1, o.maxConcurrent ?? 32);
  }

  /** Queues `handle` for the update's chat; resolves once it ran (errors are the handler's: it must not throw). */
  run(update: Update, handle: () => Promise<void>): Promise<void> {
    this.arrivals.set(update, Date.now());
    const key = orderKey(update);
    const before = this.tails.get(key) ?? Promise.resolve();
    this.pending++;
    const done = before.then(() => this.withSlot(handle)).finally(() => {
      this.pending--;
      if (this.tails.get(key) === done) this.tails.delete(key);
      if (this.pending === 0) for (const resolve of [...this.idle]) resolve();
    });
    this.tails.set(key, done);
    return done;
  }

  /** When the update reached the bot (ms), for limits that count arrivals rather than handling. */
  arrivedAt(update: Update): number | undefined {
    return this.arrivals.get(update);
  }

  /** Resolves when every queued update has been handled (graceful stop). */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.idle.delete(done);
        resolve();
      };
      this.idle.add(done);
    });
  }

  private async withSlot(handle: () => Promise<void>): Promise<void> {
    if (this.running >= this.maxConcurrent) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      await handle();
    } catch {
      // The bot's error boundary has logged and answered it; one bad update never stops the queue.
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

/** Updates with the same key are handled in order: the chat, else the user, else the update alone. */
export function orderKey(update: Update): string {
  const u = update as unknown as Record<string, unknown>;
  for (const field of ["message", "edited_message", "channel_post", "edited_channel_post", "business_message", "my_chat_member", "chat_member", "chat_join_request"]) {
    const chat = (u[field] as { chat?: { id?: unknown } } | undefined)?.chat;
    if (typeof chat?.id === "number") return `c${chat.id}`;
  }
  const cb = u.callback_query as { message?: { chat?: { id?: unknown } }; from?: { id?: unknown } } | undefined;
  if (typeof cb?.message?.chat?.id === "number") return `c${cb.message.chat.id}`;
  for (const field of ["callback_query", "inline_query", "chosen_inline_result", "shipping_query", "pre_checkout_query", "poll_answer"]) {
    const from = (u[field] as { from?: { id?: unknown }; user?: { id?: unknown } } | undefined);
    const id = from?.from?.id ?? from?.user?.id;
    if (typeof id === "number") return `u${id}`;
  }
  return `x${update.update_id}`;
}
