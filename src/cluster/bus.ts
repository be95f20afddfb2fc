import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { RedisClient } from "./redis.js";

/** What changed on another instance: a chat record, newly archived articles, queued tips, the topic list. */
export const ClusterEventSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("chats"), ids: z.array(z.number().int()) }),
  z.object({ kind: z.literal("articles"), ids: z.array(z.string()) }),
  z.object({ kind: z.literal("tips") }),
  z.object({ kind: z.literal("topics") }),
]);
export type ClusterEvent = z.infer<typeof ClusterEventSchema>;

const MessageSchema = z.object({ from: z.string(), event: ClusterEventSchema });

/**
 * Change notifications over Redis pub/sub. Pub/sub is fire-and-forget (a message sent while an
 * instance is reconnecting is lost), so receivers must also refresh periodically; this only makes
 * the common case fast. An instance never receives its own messages.
 */
export class ClusterBus {
  readonly instanceId = randomUUID();
  private subscriber: RedisClient | undefined;
  private readonly handlers = new Set<(event: ClusterEvent) => void>();

  /** `channel` e.g. "newsdesk:changes". */
  constructor(
    private readonly redis: RedisClient,
    private readonly channel: string,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /** Opens the subscriber connection (a subscribed client can do nothing else). */
  async start(): Promise<void> {
    if (this.subscriber) return;
    const sub = this.redis.duplicate();
    sub.on("error", this.onError);
    await sub.connect();
    await sub.subscribe(this.channel, (message) => this.receive(message));
    this.subscriber = sub;
  }

  /** Calls `handler` for each event from other instances; returns an unsubscribe function. */
  on(handler: (event: ClusterEvent) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Tells the other instances; errors are reported, never thrown (the periodic refresh covers a lost message). */
  publish(event: ClusterEvent): void {
    this.redis.publish(this.channel, JSON.stringify({ from: this.instanceId, event })).catch(this.onError);
  }

  async stop(): Promise<void> {
    const sub = this.subscriber;
    this.subscriber = undefined;
    if (!sub?.isOpen) return;
    try {
      await sub.unsubscribe(this.channel);
      await sub.close();
    } catch {
      sub.destroy();
    }
  }

  private receive(message: string): void {
    let parsed: z.infer<typeof MessageSchema>;
    try {
      parsed = MessageSchema.parse(JSON.parse(message));
    } catch (err) {
      this.onError(err);
      return;
    }
    if (parsed.from === this.instanceId) return;
    for (const handler of this.handlers) {
      try {
        handler(parsed.event);
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
