import { z } from "zod";
import { NS } from "../store/keys.js";
import { KeyedMutex, type KeyedLock } from "../store/lock.js";
import type { Store } from "../store/index.js";
import type { TopicDef, TopicName } from "./topics.js";

/** Topic ids: lower-case letters, digits, _ or -, at most 32 (config's IdSchema; `t:<id>` buttons rely on it). */
export const TOPIC_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** A topic as the newsroom manages it: from the YAML seed or from chat, whichever wins (see README). */
export interface LiveTopic extends TopicDef {
  /** "config": from `topics[]` in the YAML; "chat": added or edited with /addtopic, /edittopic. */
  origin: "config" | "chat";
}

/** What the newsroom adds or changes: names in both languages, keywords in any. */
export interface TopicInput {
  id: string;
  name: Readonly<{ "zh-CN": string; en: string }>;
  keywords: readonly string[];
}

/** Where every consumer reads the topics now (matching, subscriptions, queries, hashtags, /stats…). */
export interface TopicSource {
  /** The live topics, in order: the YAML's, then those added from chat by age. Same array until something changes. */
  list(): readonly LiveTopic[];
}

/**
 * One stored record per topic id. With `name` and `keywords` it defines the topic and wins over a
 * YAML topic of the same id; with `removed` it hides the topic of that id, the YAML's included.
 */
const TopicRecordSchema = z.object({
  id: z.string(),
  name: z.union([z.string().min(1), z.object({ "zh-CN": z.string().min(1), en: z.string().min(1) })]).optional(),
  keywords: z.array(z.string()).optional(),
  removed: z.boolean().default(false),
  addedAt: z.number().optional(),
  changedAt: z.number(),
  /** Telegram user id of the staff member who made the change (0: a channel post). */
  changedBy: z.number().optional(),
});
type TopicRecord = z.infer<typeof TopicRecordSchema>;

/** Thrown by add() when a live topic already has this id. */
export class DuplicateTopic extends Error {
  constructor(readonly existing: LiveTopic) {
    super(`topic ${existing.id} already exists`);
    this.name = "DuplicateTopic";
  }
}

export interface TopicRegistryOptions {
  /** Default Date.now. */
  now?: () => number;
  /** Serialises changes (the Redis runtime's lock serialises them across instances); default in-process. */
  lock?: KeyedLock;
  /** After this process changed a topic (the runtime tells other instances, which refresh()); default none. */
  onChanged?: (topicId: string) => void;
}

/**
 * The live topic list: the YAML `topics[]` as the seed, overlaid by what staff changed from chat
 * (kept in the store, so it survives restarts and every instance reads the same). Readers of the
 * list are synchronous (matching runs inside a poll, hashtags inside a render), so it is a snapshot
 * kept in memory: refreshed after every change made here, and by `refresh()` when another
 * instance announces one (or on a timer, as pub/sub may lose a message).
 */
export class TopicRegistry implements TopicSource {
  private readonly lock: KeyedLock;
  private readonly now: () => number;
  private readonly onChanged: (topicId: string) => void;
  private snapshot: readonly LiveTopic[];
  private generation = 0;

  constructor(
    private readonly store: Pick<Store, "namespace" | "entries">,
    private readonly seed: readonly TopicDef[],
    options: TopicRegistryOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.lock = options.lock ?? new KeyedMutex();
    this.onChanged = options.onChanged ?? (() => undefined);
    // A failing store must never read as "no changes": the YAML alone would bring removed topics back.
    this.store.namespace(NS.topicRegistry).throwOnErrors = true;
    this.snapshot = seed.map((t) => ({ ...t, keywords: [...t.keywords], origin: "config" as const }));
  }

  list(): readonly LiveTopic[] {
    return this.snapshot;
  }

  get(id: string): LiveTopic | undefined {
    return this.snapshot.find((t) => t.id === id);
  }

  /** Re-reads the store (at start, and when another instance changed a topic). */
  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const topics = this.merge(await this.records());
    // A slower, older read must not overwrite a newer one; an unchanged list keeps its array (and the compiled keywords).
    if (generation === this.generation && JSON.stringify(topics) !== JSON.stringify(this.snapshot)) this.snapshot = topics;
  }

  /** Adds a topic; throws DuplicateTopic when a live topic has its id. */
  add(topic: TopicInput, by?: number): Promise<LiveTopic> {
    return this.change((records, live) => {
      const existing = live.find((t) => t.id === topic.id);
      if (existing) throw new DuplicateTopic(existing);
      const now = this.now();
      // Strictly increasing, so topics added within one millisecond keep their order.
      const addedAt = Math.max(now, ...[...records.values()].map((r) => (r.addedAt ?? 0) + 1));
      const record = stamp({ id: topic.id, name: cloneName(topic.name), keywords: [...topic.keywords], removed: false, addedAt, changedAt: now }, by);
      return { record, result: fromRecord(record) };
    }) as Promise<LiveTopic>;
  }

  /** Changes a live topic's names and/or keywords; undefined when there is no such topic. */
  update(id: string, change: { name?: TopicName; keywords?: readonly string[] }, by?: number): Promise<LiveTopic | undefined> {
    return this.change((records, live) => {
      const current = live.find((t) => t.id === id);
      if (!current) return undefined;
      const addedAt = records.get(id)?.addedAt;
      const record = stamp(
        {
          id,
          name: cloneName(change.name ?? current.name),
          keywords: [...(change.keywords ?? current.keywords)],
          removed: false,
          ...(addedAt !== undefined ? { addedAt } : {}),
          changedAt: this.now(),
        },
        by,
      );
      return { record, result: fromRecord(record) };
    });
  }

  /** Removes a live topic (a YAML topic stays removed, whatever the YAML says later); undefined when unknown. */
  remove(id: string, by?: number): Promise<LiveTopic | undefined> {
    return this.change((_records, live) => {
      const current = live.find((t) => t.id === id);
      if (!current) return undefined;
      return { record: stamp({ id, removed: true, changedAt: this.now() }, by), result: current };
    });
  }

  /** One change under the registry's lock, on a fresh read of the store; then this snapshot is renewed and others are told. */
  private async change(
    work: (records: ReadonlyMap<string, TopicRecord>, live: readonly LiveTopic[]) => { record: TopicRecord; result: LiveTopic } | undefined,
  ): Promise<LiveTopic | undefined> {
    const result = await this.lock.run("topic-registry", async () => {
      const records = await this.records();
      const out = work(records, this.merge(records));
      if (out) await this.write(out.record);
      return out?.result;
    });
    if (result) {
      await this.refresh();
      this.onChanged(result.id);
    }
    return result;
  }

  private async write(record: TopicRecord): Promise<void> {
    await this.store.namespace(NS.topicRegistry).set(record.id, record);
  }

  /** The YAML's topics in order (a stored definition replacing one of them in place), then those added from chat by age. */
  private merge(records: ReadonlyMap<string, TopicRecord>): LiveTopic[] {
    const out: LiveTopic[] = [];
    for (const topic of this.seed) {
      const record = records.get(topic.id);
      if (record?.removed) continue;
      out.push(record && defines(record) ? fromRecord(record) : { ...topic, keywords: [...topic.keywords], origin: "config" });
    }
    const seedIds = new Set(this.seed.map((t) => t.id));
    const added = [...records.values()]
      .filter((r) => !seedIds.has(r.id) && !r.removed && defines(r))
      .sort((a, b) => (a.addedAt ?? a.changedAt) - (b.addedAt ?? b.changedAt) || a.id.localeCompare(b.id));
    for (const record of added) out.push(fromRecord(record));
    return out;
  }

  private async records(): Promise<Map<string, TopicRecord>> {
    const out = new Map<string, TopicRecord>();
    for await (const [key, value] of this.store.entries(NS.topicRegistry)) {
      const parsed = TopicRecordSchema.safeParse(value);
      if (parsed.success && parsed.data.id === key) out.set(key, parsed.data);
    }
    return out;
  }
}

function defines(record: TopicRecord): boolean {
  return record.name !== undefined && record.keywords !== undefined;
}

function fromRecord(record: TopicRecord): LiveTopic {
  return { id: record.id, name: record.name ?? record.id, keywords: [...(record.keywords ?? [])], origin: "chat" };
}

function stamp(record: TopicRecord, by: number | undefined): TopicRecord {
  return by !== undefined ? { ...record, changedBy: by } : record;
}

function cloneName(name: TopicName): NonNullable<TopicRecord["name"]> {
  return typeof name === "string" ? name : { "zh-CN": name["zh-CN"], en: name.en };
}
