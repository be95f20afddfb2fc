import type Keyv from "keyv";
import { ChatIndex, type ChatCounts } from "./chat-index.js";
import { ChatRecordSchema, chatKey, type ChatRecord, type ChatType, type ThreadRef } from "./record.js";
import { topicsInThread } from "./threads.js";
import { KeyedMutex } from "../store/lock.js";

/** Injectable time source (ms since the epoch). */
export interface RepoClock {
  now(): number;
}

/** Options of the chat repository. */
export interface ChatRepoOptions {
  /** Default: Date.now. */
  clock?: RepoClock;
  /** Called after this process changed or deleted a chat record (the runtime tells other instances); default none. */
  onChanged?: (id: number) => void;
  /** Called before a group's record moves to its supergroup id (the newsroom policy follows it); default none. */
  onMigrated?: (oldId: number, newId: number) => Promise<void>;
}

/**
 * Chat records and subscriptions, one `chat:<id>` record each in a Keyv namespace of their own,
 * plus an in-memory index (`load()` once at start) for subscriber look-ups and counts. Every change
 * must go through this repo so the index stays right. Changes are announced (`onChanged`) so that
 * other instances, if any, apply them with `refresh(id)` / `reload()`.
 */
export class ChatRepo {
  private index = new ChatIndex();
  private readonly clock: RepoClock;
  private readonly onChanged: (id: number) => void;
  private touchedDuringReload: Set<number> | undefined;
  private readonly locks = new KeyedMutex();
  private readonly onMigrated: (oldId: number, newId: number) => Promise<void>;

  /** Sets `throwOnErrors` on `kv` so a failing store never reads as "no such chat". */
  constructor(
    private readonly kv: Keyv,
    options: ChatRepoOptions = {},
  ) {
    kv.throwOnErrors = true;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.onChanged = options.onChanged ?? (() => undefined);
    this.onMigrated = options.onMigrated ?? (() => Promise.resolve());
  }

  /** Builds the in-memory index from the store (needs an iterable Keyv adapter); invalid records are skipped and counted. */
  async load(): Promise<{ loaded: number; invalid: number }> {
    return this.loadInto(this.index);
  }

  /** Rebuilds the index from the store and swaps it in (catches changes another instance made). */
  async reload(): Promise<{ loaded: number; invalid: number }> {
    const fresh = new ChatIndex();
    const touched = new Set<number>();
    this.touchedDuringReload = touched;
    try {
      const result = await this.loadInto(fresh);
      this.index = fresh;
      // A local change that landed while the store was being read may be missing from the copy.
      for (const id of touched) await this.refresh(id);
      return result;
    } finally {
      if (this.touchedDuringReload === touched) this.touchedDuringReload = undefined;
    }
  }

  /** Re-reads one chat's record into the index (another instance changed it); a missing record leaves the index. */
  async refresh(id: number): Promise<void> {
    await this.locked(id, async () => {
      const value: unknown = await this.kv.get(chatKey(id));
      const parsed = value === undefined ? undefined : ChatRecordSchema.safeParse(value);
      if (parsed?.success) this.index.put(parsed.data);
      else if (value === undefined) this.index.remove(id);
    });
  }

  private async loadInto(index: ChatIndex): Promise<{ loaded: number; invalid: number }> {
    if (!this.kv.iterator) throw new Error("ChatRepo.load needs a Keyv store that can be iterated");
    let loaded = 0;
    let invalid = 0;
    for await (const [key, value] of this.kv.iterator(undefined)) {
      if (typeof key !== "string" || !key.startsWith("chat:")) continue;
      const parsed = ChatRecordSchema.safeParse(value);
      if (parsed.success) {
        index.put(parsed.data);
        loaded++;
      } else {
        invalid++;
      }
    }
    return { loaded, invalid };
  }

  /** The chat's record, or undefined; throws a ZodError when the stored record is corrupt. */
  async get(id: number): Promise<ChatRecord | undefined> {
    const value: unknown = await this.kv.get(chatKey(id));
    return value === undefined ? undefined : ChatRecordSchema.parse(value);
  }

  /** The chat's record, created active with no topics if new; a changed type (group → supergroup) is updated. */
  async ensure(id: number, type: ChatType): Promise<ChatRecord> {
    return this.locked(id, async () => {
      const existing = await this.get(id);
      if (existing && existing.type === type) return existing;
      const now = this.clock.now();
      const record: ChatRecord = existing ? { ...existing, type, updatedAt: now } : { id, type, topics: [], active: true, createdAt: now, updatedAt: now };
      return this.write(record);
    });
  }

  /** Applies `change` to a copy of the record and stores it; undefined when the chat is unknown. */
  async update(id: number, change: (record: ChatRecord) => ChatRecord | void): Promise<ChatRecord | undefined> {
    return this.locked(id, async () => {
      const existing = await this.get(id);
      if (!existing) return undefined;
      const draft = structuredClone(existing);
      const next = change(draft) ?? draft;
      return this.write(ChatRecordSchema.parse({ ...next, id, updatedAt: this.clock.now() }));
    });
  }

  /**
   * Adds a topic (idempotent) delivered to forum thread `thread`, or to the General topic (the chat
   * itself) without one; a topic already followed moves there. Undefined when the chat is unknown
   * (call ensure first).
   */
  subscribe(id: number, topicId: string, thread?: ThreadRef): Promise<ChatRecord | undefined> {
    return this.update(id, (r) => {
      if (!r.topics.includes(topicId)) r.topics.push(topicId);
      setThread(r, topicId, thread);
    });
  }

  /** Removes one topic, or every topic with "all" (with the threads they went to). */
  unsubscribe(id: number, topicId: string): Promise<ChatRecord | undefined> {
    return this.update(id, (r) => {
      r.topics = topicId === "all" ? [] : r.topics.filter((t) => t !== topicId);
      if (topicId === "all") delete r.threads;
      else setThread(r, topicId, undefined);
    });
  }

  /**
   * Sends the topics routed to forum thread `threadId` to the General topic from now on (Telegram
   * said the thread is closed or deleted); returns those topic ids, none when another change
   * already moved them.
   */
  async forgetThread(id: number, threadId: number): Promise<string[]> {
    let moved: string[] = [];
    await this.update(id, (r) => {
      moved = topicsInThread(r, threadId);
      for (const topic of moved) setThread(r, topic, undefined);
    });
    return moved;
  }

  /** Marks the chat gone (blocked, kicked…); topics are kept so /start can reactivate it. */
  deactivate(id: number, reason: string): Promise<ChatRecord | undefined> {
    return this.update(id, (r) => {
      r.active = false;
      r.inactiveReason = reason;
    });
  }

  /** Marks the chat active again (e.g. on /start after unblocking). */
  reactivate(id: number): Promise<ChatRecord | undefined> {
    return this.update(id, (r) => {
      r.active = true;
      delete r.inactiveReason;
    });
  }

  /**
   * Moves a group's settings to its new supergroup id (topics merged if the new id already has a
   * record) and deletes the old record. Idempotent: a second call finds nothing to move.
   */
  async migrate(oldId: number, newId: number): Promise<ChatRecord | undefined> {
    await this.onMigrated(oldId, newId);
    return this.locked(oldId, () =>
      this.locked(newId, async () => {
        const old = await this.get(oldId);
        const target = await this.get(newId);
        if (!old) return target;
        const now = this.clock.now();
        const merged: ChatRecord = {
          ...old,
          ...(target ?? {}),
          id: newId,
          type: "supergroup",
          topics: [...new Set([...old.topics, ...(target?.topics ?? [])])],
          // Only supergroups have forum threads: the old group's record has none of its own.
          threads: target?.threads ?? old.threads,
          lang: target?.lang ?? old.lang,
          digestAt: target?.digestAt ?? old.digestAt,
          quiet: target?.quiet ?? old.quiet,
          active: true,
          createdAt: Math.min(old.createdAt, target?.createdAt ?? Infinity),
          updatedAt: now,
        };
        delete merged.inactiveReason;
        if (!merged.threads) delete merged.threads;
        const written = await this.write(merged);
        await this.kv.delete(chatKey(oldId));
        this.index.remove(oldId);
        this.touchedDuringReload?.add(oldId);
        this.onChanged(oldId);
        return written;
      }),
    );
  }

  /** Deletes everything kept about the chat (/forget); true if there was a record. */
  async delete(id: number): Promise<boolean> {
    return this.locked(id, async () => {
      const existed = (await this.kv.get(chatKey(id))) !== undefined;
      await this.kv.delete(chatKey(id));
      this.index.remove(id);
      this.touchedDuringReload?.add(id);
      this.onChanged(id);
      return existed;
    });
  }

  /** Every chat record, read from the store in batches of 500 (unreadable ones skipped). */
  async *list(): AsyncIterable<ChatRecord> {
    const ids = this.index.ids();
    for (let i = 0; i < ids.length; i += 500) {
      const values = await this.kv.getMany(ids.slice(i, i + 500).map(chatKey));
      for (const value of values) {
        const parsed = ChatRecordSchema.safeParse(value);
        if (parsed.success) yield parsed.data;
      }
    }
  }

  /** Active chats subscribed to any of the topics, each once; `instantOnly` leaves out chats on a daily digest (default false). */
  subscribersFor(topicIds: readonly string[], options: { instantOnly?: boolean } = {}): Promise<number[]> {
    return Promise.resolve(this.index.subscribers(topicIds, options.instantOnly ?? false));
  }

  /** Active chats whose daily digest is at local time `hhmm` ("08:00"). */
  digestChatsAt(hhmm: string): number[] {
    return this.index.digestAt(hhmm);
  }

  /** true/false for a known chat, undefined for one never seen (from memory, no store read). */
  isActive(id: number): boolean | undefined {
    return this.index.isActive(id);
  }

  /** Totals for /stats. */
  counts(): ChatCounts {
    return this.index.counts();
  }

  private async write(record: ChatRecord): Promise<ChatRecord> {
    const ok = await this.kv.set(chatKey(record.id), record);
    if (ok === false) throw new Error(`store did not accept chat ${record.id}`);
    this.index.put(record);
    this.touchedDuringReload?.add(record.id);
    this.onChanged(record.id);
    return record;
  }

  /** Serialises read-modify-write per chat id within this process. */
  private locked<T>(id: number, work: () => Promise<T>): Promise<T> {
    return this.locks.run(String(id), work);
  }
}

/** Routes one topic of a record to a thread, or to General (no entry; no empty map left behind). */
function setThread(record: ChatRecord, topicId: string, thread: ThreadRef | undefined): void {
  const threads = { ...record.threads };
  // A message that does not show the thread's name (a reply to something else) keeps the one known.
  const knownName = thread && thread.name === undefined ? Object.values(threads).find((t) => t.id === thread.id && t.name)?.name : undefined;
  if (thread) threads[topicId] = knownName ? { ...thread, name: knownName } : thread;
  else delete threads[topicId];
  if (Object.keys(threads).length > 0) record.threads = threads;
  else delete record.threads;
}
