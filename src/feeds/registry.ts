import { z } from "zod";
import { KeyedMutex, type KeyedLock } from "../store/lock.js";
import { NS } from "../store/keys.js";
import type { Store } from "../store/index.js";
import type { FeedConfig, FeedSource } from "./scheduler.js";

/** A feed as the newsroom manages it: the YAML seed or a chat edit, whichever wins (see README). */
export interface RegistryFeed extends FeedConfig {
  paused: boolean;
  /** "config": from `feeds[]` in the YAML; "chat": added with /addfeed or an OPML import. */
  origin: "config" | "chat";
  /** False for a feed added from chat: its URL is checked like a redirect target on every fetch. */
  trusted: boolean;
}

/** What the newsroom adds: the id is chosen by the registry when absent. */
export interface NewFeed {
  url: string;
  name: string;
  topics: readonly string[];
  /** Wanted id (an OPML export's); taken ids get a suffix. Default: from the URL's host. */
  id?: string;
}

/**
 * One stored record per feed id. With `url` it defines a feed added from chat, and wins over a YAML
 * feed of the same id; without, it only pauses or removes the YAML feed of that id.
 */
const FeedRecordSchema = z.object({
  id: z.string(),
  url: z.string().optional(),
  name: z.string().optional(),
  topics: z.array(z.string()).optional(),
  paused: z.boolean().default(false),
  removed: z.boolean().default(false),
  addedAt: z.number().optional(),
  changedAt: z.number(),
  /** Telegram user id of the staff member who made the change (0: a channel post). */
  changedBy: z.number().optional(),
});
type FeedRecord = z.infer<typeof FeedRecordSchema>;

/** Feed ids: lower-case letters, digits, _ or -, at most 32 (config's IdSchema). */
export const FEED_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** Thrown by add() when a live feed already has this URL. */
export class DuplicateFeed extends Error {
  constructor(readonly existing: RegistryFeed) {
    super(`feed ${existing.id} already has this URL`);
    this.name = "DuplicateFeed";
  }
}

export interface FeedRegistryOptions {
  /** Default Date.now. */
  now?: () => number;
  /** Serialises changes (the Redis runtime's lock serialises them across instances); default in-process. */
  lock?: KeyedLock;
  /** After this process changed a feed (the runtime may tell other instances); default none. */
  onChanged?: (feedId: string) => void;
}

/**
 * The live feed list: the YAML `feeds[]` as the seed, overlaid by what staff changed from chat
 * (kept in the store, so it survives restarts and every instance reads the same). Read afresh on
 * every call, so a change made on any instance shows at the next poll round.
 */
export class FeedRegistry implements FeedSource {
  private readonly lock: KeyedLock;
  private readonly now: () => number;
  private readonly onChanged: (feedId: string) => void;
  private lastActive: number;

  constructor(
    private readonly store: Pick<Store, "namespace" | "entries">,
    private readonly seed: readonly FeedConfig[],
    options: FeedRegistryOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.lock = options.lock ?? new KeyedMutex();
    this.onChanged = options.onChanged ?? (() => undefined);
    this.lastActive = seed.length;
    // A failing store must never read as "no feeds".
    this.store.namespace(NS.feedRegistry).throwOnErrors = true;
  }

  /** Every feed, paused ones included: the YAML's in their order, then those added from chat by age. */
  async list(): Promise<RegistryFeed[]> {
    const records = await this.records();
    const out: RegistryFeed[] = [];
    for (const feed of this.seed) {
      const record = records.get(feed.id);
      if (record?.removed) continue;
      if (record?.url !== undefined) out.push(fromRecord(record));
      else out.push({ ...feed, topics: [...feed.topics], paused: record?.paused ?? false, origin: "config", trusted: true });
    }
    const seedIds = new Set(this.seed.map((f) => f.id));
    const added = [...records.values()]
      .filter((r) => !seedIds.has(r.id) && !r.removed && r.url !== undefined)
      .sort((a, b) => (a.addedAt ?? a.changedAt) - (b.addedAt ?? b.changedAt) || a.id.localeCompare(b.id));
    for (const record of added) out.push(fromRecord(record));
    this.lastActive = out.filter((f) => !f.paused).length;
    return out;
  }

  /** Feeds not paused as of the last read (every poll round reads the list): for /healthz, which cannot wait on the store. */
  get activeCount(): number {
    return this.lastActive;
  }

  /** The feeds to poll now (not paused). */
  async active(): Promise<RegistryFeed[]> {
    return (await this.list()).filter((f) => !f.paused);
  }

  async get(id: string): Promise<RegistryFeed | undefined> {
    return (await this.list()).find((f) => f.id === id);
  }

  /** The live feed with this URL (scheme and a trailing slash aside), if any. */
  async findByUrl(url: string): Promise<RegistryFeed | undefined> {
    const key = urlKey(url);
    return (await this.list()).find((f) => urlKey(f.url) === key);
  }

  /**
   * Adds a feed; throws DuplicateFeed when a live feed has its URL. Its first poll archives its
   * backlog: `beforeSave` (e.g. the scheduler's forget) clears any poll state its id had before.
   */
  add(feed: NewFeed, opts: { by?: number | undefined; beforeSave?: (id: string) => Promise<void> } = {}): Promise<RegistryFeed> {
    const { by, beforeSave } = opts;
    return this.lock.run("feed-registry", async () => {
      const existing = await this.findByUrl(feed.url);
      if (existing) throw new DuplicateFeed(existing);
      const records = await this.records();
      const id = uniqueId(feed.id !== undefined && FEED_ID.test(feed.id) ? feed.id : idFromUrl(feed.url), takenIds(this.seed, records));
      const now = this.now();
      // Strictly increasing, so feeds imported within one millisecond keep the file's order.
      const addedAt = Math.max(now, ...[...records.values()].map((r) => (r.addedAt ?? 0) + 1));
      const record: FeedRecord = { id, url: feed.url, name: feed.name, topics: [...feed.topics], paused: false, removed: false, addedAt, changedAt: now };
      if (by !== undefined) record.changedBy = by;
      await beforeSave?.(id);
      await this.write(record);
      return fromRecord(record);
    });
  }

  /** Pauses or resumes a live feed; undefined when there is no such feed. */
  setPaused(id: string, paused: boolean, by?: number): Promise<RegistryFeed | undefined> {
    return this.lock.run("feed-registry", async () => {
      const feed = await this.get(id);
      if (!feed) return undefined;
      const record = await this.recordFor(feed);
      await this.write({ ...record, paused, changedAt: this.now(), ...(by !== undefined ? { changedBy: by } : {}) });
      return { ...feed, paused };
    });
  }

  /** Removes a live feed (a YAML feed stays removed, whatever the YAML says later); undefined when unknown. */
  remove(id: string, by?: number): Promise<RegistryFeed | undefined> {
    return this.lock.run("feed-registry", async () => {
      const feed = await this.get(id);
      if (!feed) return undefined;
      const record = await this.recordFor(feed);
      await this.write({ ...record, removed: true, changedAt: this.now(), ...(by !== undefined ? { changedBy: by } : {}) });
      return feed;
    });
  }

  /** The stored record for a feed (a YAML feed gets a bare overlay record). */
  private async recordFor(feed: RegistryFeed): Promise<FeedRecord> {
    const stored = (await this.records()).get(feed.id);
    if (stored) return stored;
    return { id: feed.id, paused: feed.paused, removed: false, changedAt: this.now() };
  }

  private async write(record: FeedRecord): Promise<void> {
    await this.store.namespace(NS.feedRegistry).set(record.id, record);
    this.onChanged(record.id);
  }

  private async records(): Promise<Map<string, FeedRecord>> {
    const out = new Map<string, FeedRecord>();
    for await (const [key, value] of this.store.entries(NS.feedRegistry)) {
      const parsed = FeedRecordSchema.safeParse(value);
      if (parsed.success && parsed.data.id === key) out.set(key, parsed.data);
    }
    return out;
  }
}

/** Ids in use: every YAML id (a removed YAML feed's too) and every record's, but a removed chat feed's. */
function takenIds(seed: readonly FeedConfig[], records: ReadonlyMap<string, FeedRecord>): Set<string> {
  const ids = new Set(seed.map((f) => f.id));
  for (const r of records.values()) if (!(r.removed && r.url !== undefined)) ids.add(r.id);
  return ids;
}

function fromRecord(record: FeedRecord): RegistryFeed {
  return {
    id: record.id,
    url: record.url ?? "",
    name: record.name ?? "",
    topics: [...(record.topics ?? [])],
    paused: record.paused,
    origin: "chat",
    trusted: false,
  };
}

/** Compares feed URLs: http and https, a trailing slash and the host's case make no difference. */
export function urlKey(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname.replace(/\/+$/, "")}${u.search}`;
  } catch {
    return url.trim().toLowerCase();
  }
}

/** A feed id from a URL's host: "https://www.news.example.com/rss" → "news-example-com". */
export function idFromUrl(url: string): string {
  let host = "feed";
  try {
    host = new URL(url).hostname;
  } catch {
    // keep "feed"
  }
  const slug = host
    .toLowerCase()
    .replace(/^www\./, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 28)
    .replace(/-+$/, "");
  return FEED_ID.test(slug) ? slug : "feed";
}

function uniqueId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const id = `${base.slice(0, 32 - suffix.length)}${suffix}`;
    if (!taken.has(id)) return id;
  }
}
