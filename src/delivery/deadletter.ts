import type Keyv from "keyv";
import { z } from "zod";
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

const COUNT_KEY = "dead:count";
const deadKey = (n: number): string => `dead:${n}`;

/** Append-only dead-letter list: `dead:<n>` records plus a counter. */
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
    await mustSet(this.kv, deadKey(n), { ...entry, n });
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
}
