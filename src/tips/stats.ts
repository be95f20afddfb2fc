import { NS } from "../store/keys.js";

/** Stored tips by status, for /stats (any store that lists its entries). */
export async function tipCountsByStatus(store: { entries<V>(name: string): AsyncIterable<[string, V | undefined]> }): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for await (const [, value] of store.entries<{ status?: string }>(NS.tips)) {
    const s = value?.status ?? "unknown";
    counts[s] = (counts[s] ?? 0) + 1;
  }
  return counts;
}
