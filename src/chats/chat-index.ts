import type { ChatRecord, ChatType } from "./record.js";

interface Entry {
  type: ChatType;
  active: boolean;
  topics: readonly string[];
  digestAt: string | undefined;
}

/** Chat totals for /stats. */
export interface ChatCounts {
  total: number;
  active: number;
  inactive: number;
  /** Active chats by type. */
  byType: Record<ChatType, number>;
  /** Active subscribers per topic id. */
  byTopic: Record<string, number>;
  /** Active chats that chose a daily digest. */
  digest: number;
}

/**
 * In-memory view of every chat, so "who gets this article" is a few set unions rather than a
 * scan of 100k records. Kept in step by ChatRepo on every change it makes; it is per process, so
 * several instances sharing a Redis store would each need to rebuild or subscribe to changes.
 */
export class ChatIndex {
  private readonly chats = new Map<number, Entry>();
  private readonly byTopic = new Map<string, Set<number>>();
  private readonly byDigest = new Map<string, Set<number>>();

  /** Adds or replaces one chat. */
  put(record: ChatRecord): void {
    this.remove(record.id);
    const entry: Entry = { type: record.type, active: record.active, topics: [...record.topics], digestAt: record.digestAt };
    this.chats.set(record.id, entry);
    if (!entry.active) return;
    for (const topic of entry.topics) setOf(this.byTopic, topic).add(record.id);
    if (entry.digestAt) setOf(this.byDigest, entry.digestAt).add(record.id);
  }

  /** Forgets one chat. */
  remove(id: number): void {
    const old = this.chats.get(id);
    if (!old) return;
    this.chats.delete(id);
    for (const topic of old.topics) dropFrom(this.byTopic, topic, id);
    if (old.digestAt) dropFrom(this.byDigest, old.digestAt, id);
  }

  /** true/false for a known chat, undefined for an unknown one. */
  isActive(id: number): boolean | undefined {
    return this.chats.get(id)?.active;
  }

  /** Active chats subscribed to any of the topics; `instantOnly` leaves out digest readers. */
  subscribers(topicIds: readonly string[], instantOnly: boolean): number[] {
    const out = new Set<number>();
    for (const topic of topicIds) {
      for (const id of this.byTopic.get(topic) ?? []) {
        if (instantOnly && this.chats.get(id)?.digestAt) continue;
        out.add(id);
      }
    }
    return [...out];
  }

  /** Active chats whose digest time is `hhmm`. */
  digestAt(hhmm: string): number[] {
    return [...(this.byDigest.get(hhmm) ?? [])];
  }

  /** Totals. */
  counts(): ChatCounts {
    const byType: Record<ChatType, number> = { private: 0, group: 0, supergroup: 0, channel: 0 };
    let active = 0;
    let digest = 0;
    for (const entry of this.chats.values()) {
      if (!entry.active) continue;
      active++;
      byType[entry.type]++;
      if (entry.digestAt) digest++;
    }
    const byTopic: Record<string, number> = {};
    for (const [topic, ids] of this.byTopic) byTopic[topic] = ids.size;
    return { total: this.chats.size, active, inactive: this.chats.size - active, byType, byTopic, digest };
  }

  /** All known chat ids. */
  ids(): number[] {
    return [...this.chats.keys()];
  }
}

function setOf<K>(map: Map<K, Set<number>>, key: K): Set<number> {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}

function dropFrom<K>(map: Map<K, Set<number>>, key: K, id: number): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) map.delete(key);
}
