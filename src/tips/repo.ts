import { createHmac, randomBytes } from "node:crypto";
import type Keyv from "keyv";
import type { z } from "zod";
import type { Clock } from "../delivery/time.js";
import { NS } from "../store/keys.js";
import { KeyedMutex, type KeyedLock } from "../store/lock.js";
import {
  BlockIndexSchema,
  BlockSchema,
  DraftSchema,
  LegacyBlockSchema,
  type Block,
  SentMarkSchema,
  LinkSchema,
  RateSchema,
  ReaderIndexSchema,
  TipQueueSchema,
  TipRecordSchema,
  type Draft,
  type TipJob,
  type TipQueue,
  type TipRecord,
} from "./records.js";
import { newBlockRef } from "./ref.js";

/** Where namespaces come from: the app's Store, or a map of `new Keyv()` in tests. */
export interface KeyvSource {
  namespace(name: string): Keyv;
}

/** Link key of a message the bot sent into the newsroom chat (card or copy). */
export const newsroomLink = (chatId: number, messageId: number): string => `n:${chatId}:${messageId}`;
/** Link key of a tip's forum topic in the newsroom (a message in that thread is about the tip). */
export const newsroomThreadLink = (chatId: number, threadId: number): string => `t:${chatId}:${threadId}`;
/** Link key of a newsroom reply relayed into a reader's chat. */
export const readerLink = (chatId: number, messageId: number): string => `r:${chatId}:${messageId}`;

const HOUR_MS = 3_600_000;
const QUEUE_KEY = "queue";
/** An expired draft stays this long in the store so the sweep can still tell the reader (even after downtime). */
const DRAFT_NOTICE_GRACE_MS = 7 * 24 * HOUR_MS;
const SALT_KEY = "salt";
const blockIndexKey = (blockRef: string): string => `ref:${blockRef}`;

/**
 * Tip storage over keyv namespaces. Every record carries `expiresAt`, checked against the injected
 * clock on read (keyv's TTL removes the bytes later), so retention holds even before a purge runs.
 * Read-modify-write goes through per-key locks: parallel updates (album parts) must not lose items.
 */
export class TipRepo {
  private readonly tips: Keyv;
  private readonly drafts: Keyv;
  private readonly links: Keyv;
  private readonly readers: Keyv;
  private readonly blocks: Keyv;
  private readonly rates: Keyv;
  private readonly queue: Keyv;

  constructor(
    source: KeyvSource,
    private readonly clock: Clock,
    private readonly lock: KeyedLock = new KeyedMutex(),
  ) {
    this.tips = source.namespace(NS.tips);
    this.drafts = source.namespace(NS.tipDrafts);
    this.links = source.namespace(NS.tipLinks);
    this.readers = source.namespace(NS.tipReaders);
    this.blocks = source.namespace(NS.tipBlocks);
    this.rates = source.namespace(NS.tipRates);
    this.queue = source.namespace(NS.tipQueue);
  }

  private async read<S extends z.ZodType>(
    kv: Keyv,
    key: string,
    schema: S,
  ): Promise<z.infer<S> | undefined> {
    const raw: unknown = await kv.get(key);
    if (raw === undefined) return undefined;
    const parsed = schema.safeParse(raw);
    // A record we cannot read is worth nothing to anyone: drop it rather than fail every update.
    if (!parsed.success) {
      await kv.delete(key);
      return undefined;
    }
    const expiresAt = (parsed.data as { expiresAt?: unknown }).expiresAt;
    if (typeof expiresAt === "number" && expiresAt <= this.clock.now()) {
      await kv.delete(key);
      return undefined;
    }
    return parsed.data;
  }

  private ttl(expiresAt: number): number {
    return Math.max(1, expiresAt - this.clock.now());
  }

  /** Runs `fn` under the repo's per-key lock (one status message per draft, across instances too). */
  locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.lock.run(key, fn);
  }

  // --- drafts

  /** The open draft; an expired one reads as none (it waits for takeExpiredDraft to tell the reader). */
  async getDraft(chatId: number): Promise<Draft | undefined> {
    const draft = await this.rawDraft(chatId);
    return draft && draft.expiresAt > this.clock.now() ? draft : undefined;
  }

  private async rawDraft(chatId: number): Promise<Draft | undefined> {
    const raw: unknown = await this.drafts.get(String(chatId));
    if (raw === undefined) return undefined;
    const parsed = DraftSchema.safeParse(raw);
    if (parsed.success) return parsed.data;
    await this.drafts.delete(String(chatId));
    return undefined;
  }

  /** Runs `fn` on the chat's draft under a lock; a returned draft is saved, null deletes it. */
  updateDraft<T>(chatId: number, fn: (draft: Draft | undefined) => Promise<{ draft?: Draft | null; result: T }>): Promise<T> {
    return this.lock.run(`draft:${chatId}`, async () => {
      const { draft, result } = await fn(await this.getDraft(chatId));
      if (draft === null) await this.drafts.delete(String(chatId));
      else if (draft !== undefined) await this.drafts.set(String(chatId), draft, this.ttl(draft.expiresAt + DRAFT_NOTICE_GRACE_MS));
      return result;
    });
  }

  /** Removes the chat's draft if it has expired and returns it (once: whoever gets it tells the reader). */
  takeExpiredDraft(chatId: number): Promise<Draft | undefined> {
    return this.lock.run(`draft:${chatId}`, async () => {
      const draft = await this.rawDraft(chatId);
      if (!draft || draft.expiresAt > this.clock.now()) return undefined;
      await this.drafts.delete(String(chatId));
      return draft;
    });
  }

  /** Chat ids with a stored draft, expired ones included (needs an iterable store; others yield none). */
  async draftChats(): Promise<number[]> {
    if (!this.drafts.iterator) return [];
    const out: number[] = [];
    for await (const [key] of this.drafts.iterator(undefined)) {
      const id = Number(key);
      if (Number.isSafeInteger(id)) out.push(id);
    }
    return out;
  }

  /** Remembers the /done of a chat for a few minutes (see SentMarkSchema). */
  async markSent(chatId: number, mark: z.infer<typeof SentMarkSchema>): Promise<void> {
    await this.drafts.set(`sent:${chatId}`, mark, this.ttl(mark.expiresAt));
  }

  sentMark(chatId: number): Promise<z.infer<typeof SentMarkSchema> | undefined> {
    return this.read(this.drafts, `sent:${chatId}`, SentMarkSchema);
  }

  // --- tips

  async refExists(ref: string): Promise<boolean> {
    return (await this.tips.has(ref));
  }

  getTip(ref: string): Promise<TipRecord | undefined> {
    return this.read(this.tips, ref, TipRecordSchema);
  }

  /** Writes a new tip and indexes it under its reader. */
  async createTip(tip: TipRecord): Promise<void> {
    await this.tips.set(tip.ref, tip, this.ttl(tip.expiresAt));
    await this.lock.run(`reader:${tip.readerChatId}`, async () => {
      const index = await this.read(this.readers, String(tip.readerChatId), ReaderIndexSchema);
      const refs = [...(index?.refs ?? []), tip.ref];
      const expiresAt = Math.max(index?.expiresAt ?? 0, tip.expiresAt);
      await this.readers.set(String(tip.readerChatId), { refs, expiresAt }, this.ttl(expiresAt));
    });
  }

  /** Changes a tip under its lock; returns the new record, or undefined when the tip is gone. */
  updateTip(ref: string, fn: (tip: TipRecord) => TipRecord): Promise<TipRecord | undefined> {
    return this.lock.run(`tip:${ref}`, async () => {
      const tip = await this.getTip(ref);
      if (!tip) return undefined;
      const next = fn(tip);
      await this.tips.set(ref, next, this.ttl(next.expiresAt));
      return next;
    });
  }

  /**
   * Tips still open (new or checking), newest first. Needs an iterable store; others return [].
   * Tips are few (retention days × tips a day), so reading them all for a page is fine.
   */
  async openTips(): Promise<TipRecord[]> {
    if (!this.tips.iterator) return [];
    const now = this.clock.now();
    const out: TipRecord[] = [];
    for await (const [, value] of this.tips.iterator(undefined)) {
      const parsed = TipRecordSchema.safeParse(value);
      if (!parsed.success || parsed.data.expiresAt <= now) continue;
      if (parsed.data.status === "new" || parsed.data.status === "checking") out.push(parsed.data);
    }
    return out.sort((a, b) => b.createdAt - a.createdAt || a.ref.localeCompare(b.ref));
  }

  /** Points newsroom or reader messages at a tip; they expire with it. */
  async link(ref: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const tip = await this.updateTip(ref, (t) => ({ ...t, links: [...t.links, ...keys] }));
    if (!tip) return;
    for (const key of keys) await this.links.set(key, { ref, expiresAt: tip.expiresAt }, this.ttl(tip.expiresAt));
  }

  async linkedRef(key: string): Promise<string | undefined> {
    return (await this.read(this.links, key, LinkSchema))?.ref;
  }

  async readerRefs(chatId: number): Promise<string[]> {
    return (await this.read(this.readers, String(chatId), ReaderIndexSchema))?.refs ?? [];
  }

  /** Deletes the reader's tips, links, draft and queued work; returns how many tips went. */
  async forgetReader(chatId: number): Promise<number> {
    const refs = await this.readerRefs(chatId);
    let count = 0;
    for (const ref of refs) {
      await this.lock.run(`tip:${ref}`, async () => {
        const tip = await this.getTip(ref);
        if (!tip) return;
        for (const key of tip.links) await this.links.delete(key);
        await this.tips.delete(ref);
        count++;
      });
    }
    await this.readers.delete(String(chatId));
    await this.rates.delete(String(chatId));
    await this.drafts.delete(`sent:${chatId}`);
    await this.updateDraft(chatId, () => Promise.resolve({ draft: null, result: undefined }));
    const gone = new Set(refs);
    await this.updateQueue((q) => ({ ...q, jobs: q.jobs.filter((j) => !gone.has(j.ref)) }));
    return count;
  }

  // --- blocks and rate

  private salt: string | undefined;

  /** A per-store secret, so a block's key cannot be matched against a list of chat ids without the store. */
  private async blockSalt(): Promise<string> {
    if (this.salt) return this.salt;
    this.salt = await this.lock.run("block-salt", async () => {
      const stored: unknown = await this.blocks.get(SALT_KEY);
      if (typeof stored === "string" && stored.length >= 32) return stored;
      const fresh = randomBytes(32).toString("hex");
      await this.blocks.set(SALT_KEY, fresh);
      return fresh;
    });
    return this.salt;
  }

  /** The one-way key a reader's block is stored under (`f:<hex>`). */
  async blockKey(chatId: number): Promise<string> {
    return `f:${createHmac("sha256", await this.blockSalt()).update(String(chatId)).digest("hex").slice(0, 32)}`;
  }

  async getBlock(chatId: number): Promise<Block | undefined> {
    const key = await this.blockKey(chatId);
    const block = await this.read(this.blocks, key, BlockSchema);
    if (block) return block;
    // Blocks written before fingerprinting sat under the chat id: move them once.
    const legacy = await this.read(this.blocks, String(chatId), LegacyBlockSchema);
    if (!legacy) return undefined;
    const moved = await this.blockReader(chatId, legacy.ref);
    await this.blocks.delete(String(chatId));
    return this.setBlockTold(moved.blockRef, legacy.told);
  }

  /** Blocks the reader (again: the existing block is kept); returns the block. */
  async blockReader(chatId: number, ref: string | undefined): Promise<Block> {
    const key = await this.blockKey(chatId);
    return this.lock.run(`block:${key}`, async () => {
      const existing = await this.read(this.blocks, key, BlockSchema);
      if (existing) return existing;
      const blockRef = await newBlockRef((r) => this.blockRefExists(r));
      const block: Block = { blockRef, ...(ref ? { ref } : {}), told: false, createdAt: this.clock.now() };
      await this.blocks.set(key, block);
      await this.blocks.set(blockIndexKey(blockRef), { key });
      return block;
    });
  }

  async blockRefExists(blockRef: string): Promise<boolean> {
    return this.blocks.has(blockIndexKey(blockRef));
  }

  /** The block of this reader's chat, if any (for /unblock T-… while the tip exists). */
  async blockOfChat(chatId: number): Promise<Block | undefined> {
    return this.read(this.blocks, await this.blockKey(chatId), BlockSchema);
  }

  private async setBlockTold(blockRef: string, told: boolean): Promise<Block | undefined> {
    const index = await this.read(this.blocks, blockIndexKey(blockRef), BlockIndexSchema);
    if (!index) return undefined;
    return this.lock.run(`block:${index.key}`, async () => {
      const block = await this.read(this.blocks, index.key, BlockSchema);
      if (!block) return undefined;
      const next = { ...block, told };
      await this.blocks.set(index.key, next);
      return next;
    });
  }

  /** Remembers that the blocked reader was told (they hear it once). */
  async markBlockTold(blockRef: string): Promise<void> {
    await this.setBlockTold(blockRef, true);
  }

  /** Lifts a block by its `B-…` reference; false when there is none. */
  async unblock(blockRef: string): Promise<boolean> {
    const index = await this.read(this.blocks, blockIndexKey(blockRef), BlockIndexSchema);
    if (!index) return false;
    await this.lock.run(`block:${index.key}`, async () => {
      await this.blocks.delete(index.key);
      await this.blocks.delete(blockIndexKey(blockRef));
    });
    return true;
  }

  /** Tips this reader sent in the last hour. */
  async sentLastHour(chatId: number): Promise<number> {
    const rate = await this.read(this.rates, String(chatId), RateSchema);
    const since = this.clock.now() - HOUR_MS;
    return (rate?.sentAt ?? []).filter((t) => t > since).length;
  }

  async recordSent(chatId: number): Promise<void> {
    await this.lock.run(`rate:${chatId}`, async () => {
      const now = this.clock.now();
      const rate = await this.read(this.rates, String(chatId), RateSchema);
      const sentAt = [...(rate?.sentAt ?? []).filter((t) => t > now - HOUR_MS), now];
      await this.rates.set(String(chatId), { sentAt }, HOUR_MS);
    });
  }

  // --- newsroom queue (one ordered list: tips are few, and order matters more than throughput)

  async readQueue(): Promise<TipQueue> {
    const raw: unknown = await this.queue.get(QUEUE_KEY);
    const parsed = TipQueueSchema.safeParse(raw ?? { nextId: 1, jobs: [] });
    return parsed.success ? parsed.data : { nextId: 1, jobs: [] };
  }

  updateQueue(fn: (q: TipQueue) => TipQueue): Promise<TipQueue> {
    return this.lock.run("queue", async () => {
      const next = fn(await this.readQueue());
      await this.queue.set(QUEUE_KEY, next);
      return next;
    });
  }

  /**
   * Tips not yet fully delivered that have no job in the queue (a crash between writing the tip
   * and queueing it). Needs an iterable store; others return [] and rely on the queue alone.
   */
  async orphanedTips(): Promise<string[]> {
    if (!this.tips.iterator) return [];
    const queued = new Set((await this.readQueue()).jobs.map((j) => j.ref));
    const out: string[] = [];
    for await (const [key, value] of this.tips.iterator(undefined)) {
      const parsed = TipRecordSchema.safeParse(value);
      if (parsed.success && !parsed.data.delivery.done && !queued.has(String(key))) out.push(String(key));
    }
    return out;
  }

  /** Appends work for the newsroom chat; durable once this resolves. */
  async enqueue(job: DistributiveOmit<TipJob, "id" | "failures">): Promise<void> {
    await this.updateQueue((q) => ({ nextId: q.nextId + 1, jobs: [...q.jobs, { ...job, id: q.nextId, failures: 0 }] }));
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
