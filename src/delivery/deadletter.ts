import type Keyv from "keyv";
import { z } from "zod";
import { StoreError } from "../store/errors.js";
import { mustSet } from "./kv.js";
import { DeliveryPayloadSchema, PRIORITIES } from "./types.js";

/** A delivery given up on after its retries; kept in the store for /stats and inspection. */
export const DeadLetterSchema = z.object({
  n: z.number().int().nonnegative(),
  chatId: z.number().int(),
  priority: z.enum(PRIORITIES),
  payload: DeliveryPayloadSchema,
  attempts: z.number().int().nonnegative(),
  /** Last error, without message contents. */
  error: z.string(),
  createdAt: z.number(),
  failedAt: z.number(),
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

/** How long a dead letter is kept (it names the chat): 30 days, enough to inspect, not an archive. */
export const DEAD_LETTER_TTL_MS = 30 * 86_400_000;

const COUNT_KEY = "dead:count";
const deadKey = (n: number): string => `dead:${n}`;

/** Append-only dead-letter list: `dead:<n>` records (each expiring after DEAD_LETTER_TTL_MS) plus a counter. */
export class DeadLetters {
  private count = 0;

  constructor(private readonly kv: Keyv) {}

  /** Reads the counter. */
  async load(): Promise<void> {
    this.count = z.number().int().nonnegative().catch(0).parse(await this.kv.get(COUNT_KEY));
  }

  /** Dead letters ever recorded in this store. */
  get total(): number {
    return this.count;
  }

  /** Records one; resolves when it is durable. */
  async add(entry: Omit<DeadLetter, "n">): Promise<void> {
    const n = this.count++;
    const ok = await this.kv.set(deadKey(n), { ...entry, n }, DEAD_LETTER_TTL_MS);
    if (ok === false) throw new StoreError("rejected", undefined, `store did not accept ${deadKey(n)}`);
    await mustSet(this.kv, COUNT_KEY, Math.max(this.count, n + 1));
  }

  /** The newest `limit` dead letters (default 20), newest first; unreadable records are skipped. */
  async list(limit = 20): Promise<DeadLetter[]> {
    const from = Math.max(0, this.count - limit);
    const keys: string[] = [];
    for (let n = this.count - 1; n >= from; n--) keys.push(deadKey(n));
    if (keys.length === 0) return [];
    const values = await this.kv.getMany(keys);
    return values.flatMap((v) => {
      const parsed = DeadLetterSchema.safeParse(v);
      return parsed.success ? [parsed.data] : [];
    });
  }

  /** Deletes every dead letter of the chat (/forget); returns how many went. Reads the stored counter, so any instance may call it. */
  async forgetChat(chatId: number): Promise<number> {
    const count = z.number().int().nonnegative().catch(0).parse(await this.kv.get(COUNT_KEY));
    let removed = 0;
    for (let from = 0; from < count; from += 500) {
      const keys = Array.from({ length: Math.min(500, count - from) }, (_, i) => deadKey(from + i));
      const values = await this.kv.getMany(keys);
      for (const [i, value] of values.entries()) {
        const parsed = DeadLetterSchema.safeParse(value);
        if (parsed.success && parsed.data.chatId === chatId) {
          await this.kv.delete(keys[i]!);
          removed++;
        }
      }
    }
    return removed;
  }
}
