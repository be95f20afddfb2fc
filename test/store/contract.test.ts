import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, StoreError, type Store } from "../../src/store/index.js";
import { loadPg, pgTableName } from "../../src/store/postgres.js";

const REDIS_URL = process.env.NEWSDESK_TEST_REDIS ?? "redis://127.0.0.1:6379";
const POSTGRES_URL = process.env.NEWSDESK_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";
/** Unique per run so parallel runs on one server never see each other's keys or tables. */
const RUN_PREFIX = `t${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function reachable(url: string): Promise<boolean> {
  try {
    const store = await openStore(url, { connectTimeoutMs: 1500, prefix: RUN_PREFIX });
    await store.close();
    return true;
  } catch {
    return false;
  }
}

const tmp = mkdtempSync(join(tmpdir(), "newsdesk-store-"));
const sqliteFile = join(tmp, "nested", "dir", "store.sqlite");
const backends = [
  { kind: "sqlite", url: `sqlite://${sqliteFile}`, up: true, where: sqliteFile },
  { kind: "redis", url: REDIS_URL, up: await reachable(REDIS_URL), where: "127.0.0.1:6379" },
  { kind: "postgres", url: POSTGRES_URL, up: await reachable(POSTGRES_URL), where: "127.0.0.1:5432" },
] as const;

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function collect<V>(store: Store, name: string): Promise<Array<[string, V]>> {
  const out: Array<[string, V]> = [];
  for await (const entry of store.entries<V>(name)) out.push(entry);
  return out;
}

/** Writes `count` keys `k000000…` with setMany in batches (one transaction / MULTI / UNNEST each). */
async function fill(store: Store, name: string, count: number, ttlMs?: number, start = 0): Promise<void> {
  const keyv = store.namespace<number>(name);
  for (let from = start; from < start + count; from += 5000) {
    const batch = [];
    for (let i = from; i < Math.min(from + 5000, start + count); i++) {
      batch.push({ key: `k${String(i).padStart(6, "0")}`, value: i, ttl: ttlMs });
    }
    await keyv.setMany(batch);
  }
}

for (const backend of backends) {
  const title = backend.up
    ? `${backend.kind} store contract`
    : `${backend.kind} store contract (skipped: ${backend.kind} at ${backend.where} unreachable)`;

  describe.skipIf(!backend.up)(title, () => {
    let store: Store;
    const used = new Set<string>();
    const ns = (name: string) => {
      used.add(name);
      return store.namespace(name);
    };

    beforeAll(async () => {
      store = await openStore(backend.url, { prefix: RUN_PREFIX });
    });

    afterAll(async () => {
      for (const name of used) await store.namespace(name).clear();
      await store.close();
      if (backend.kind === "postgres") {
        const pool = new (loadPg().Pool)({ connectionString: backend.url });
        for (const name of used) await pool.query(`DROP TABLE IF EXISTS ${pgTableName(RUN_PREFIX, name)}`);
        await pool.end();
      }
    });

    it("gets, sets, deletes, checks and clears keys", async () => {
      const keyv = ns("basic");
      expect(await keyv.get("missing")).toBeUndefined();
      expect(await keyv.set("a", 1)).toBe(true);
      await keyv.set("b:with:colons", "two");
      expect(await keyv.get("a")).toBe(1);
      expect(await keyv.has("a")).toBe(true);
      expect(await keyv.has("missing")).toBe(false);
      expect(await keyv.get(["a", "missing", "b:with:colons"])).toEqual([1, undefined, "two"]);
      expect(await keyv.delete("a")).toBe(true);
      expect(await keyv.delete("a")).toBe(false);
      expect(await keyv.get("a")).toBeUndefined();
      expect(await collect(store, "basic")).toEqual([["b:with:colons", "two"]]);
      await keyv.clear();
      expect(await keyv.has("b:with:colons")).toBe(false);
      expect(await collect(store, "basic")).toEqual([]);
    });

    it("returns the same Keyv for the same name and rejects unsafe names", () => {
      expect(ns("same")).toBe(store.namespace("same"));
      for (const bad of ["", "Tips", "a:b", "a*", "a-b", "1x", "x".repeat(41)]) {
        expect(() => store.namespace(bad)).toThrow(StoreError);
      }
    });

    it("expires keys after their TTL (get, has, entries)", async () => {
      const keyv = ns("ttl");
      // Only the long TTL is read before expiry: a slow first query must not make this flaky.
      await keyv.set("short", "gone soon", 60);
      await keyv.set("long", "stays", 60_000);
      await keyv.set("forever", "stays");
      expect(await keyv.get("long")).toBe("stays");
      await sleep(150);
      expect(await keyv.get("short")).toBeUndefined();
      await keyv.set("short2", "gone soon", 60);
      await sleep(150);
      expect(await keyv.has("short2")).toBe(false);
      expect(await keyv.get(["short2", "long"])).toEqual([undefined, "stays"]);
      expect((await collect(store, "ttl")).map(([key]) => key).sort()).toEqual(["forever", "long"]);
    });

    it("isolates namespaces: same keys, delete and clear never cross", async () => {
      // "tip"/"tips" share a string prefix; "a_b"/"axb" would collide under an unescaped LIKE 'a_b%'.
      const names = ["tip", "tips", "a_b", "axb"];
      for (const name of names) await ns(name).set("k", name);
      await ns("tip").delete("k");
      expect(await ns("tips").get("k")).toBe("tips");
      await ns("a_b").clear();
      expect(await ns("axb").get("k")).toBe("axb");
      expect(await ns("tips").get("k")).toBe("tips");
      expect(await ns("a_b").get("k")).toBeUndefined();
      expect(await collect(store, "axb")).toEqual([["k", "axb"]]);
      expect(await collect(store, "tip")).toEqual([]);
    });

    it("round-trips JSON values: objects, unicode, colon strings, 1 MB", async () => {
      const keyv = ns("json");
      const values: Record<string, unknown> = {
        object: { title: "新能源汽车 🚗", tags: ["a", "b"], nested: { n: 1.5, ok: true, none: null } },
        array: [1, "二", { three: 3 }],
        colon: ":starts with a colon",
        unicode: "招商引资 — «quotes» \u2028 \u{1F4F0}",
        number: 42,
        falsy: false,
        large: "新".repeat(350_000) + "x".repeat(100_000), // > 1 MB of UTF-8
      };
      for (const [key, value] of Object.entries(values)) await keyv.set(key, value);
      for (const [key, value] of Object.entries(values)) expect(await keyv.get(key)).toEqual(value);
      const listed = Object.fromEntries(await collect(store, "json"));
      expect(listed).toEqual(values);
    });

    it("lists 100k keys exactly once, with live keys deleted during the listing", async () => {
      const count = 100_000;
      await fill(store, "bulk", count);
      const keyv = ns("bulk");
      const seen = new Set<string>();
      let yielded = 0;
      let wrongValues = 0;
      for await (const [key, value] of store.entries<number>("bulk")) {
        yielded++;
        seen.add(key);
        if (value !== Number(key.slice(1))) wrongValues++;
        // Deleting rows behind the cursor must not make the listing skip rows ahead of it.
        if (yielded % 50 === 0) await keyv.delete(key);
      }
      expect(wrongValues).toBe(0);
      expect(yielded).toBe(count);
      expect(seen.size).toBe(count);
      expect(seen.has("k000000") && seen.has("k099999")).toBe(true);
    });

    it("lists only live keys, exactly once, while expired rows exist and get deleted", async () => {
      await fill(store, "mixed", 3000, 50, 0); // k000000..k002999 expire
      await fill(store, "mixed", 3000, undefined, 3000); // k003000..k005999 stay
      await ns("mixed").set("k001500x", "live between expired rows");
      await sleep(150);
      const keys = (await collect(store, "mixed")).map(([key]) => key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.length).toBe(3001);
      expect(keys).toContain("k001500x");
      expect(keys.every((key) => key === "k001500x" || Number(key.slice(1)) >= 3000)).toBe(true);
    });

    it("keeps every one of many concurrent writes", async () => {
      const keyv = ns("concurrent");
      await Promise.all(Array.from({ length: 500 }, (_, i) => keyv.set(`c${i}`, { i })));
      await Promise.all(Array.from({ length: 50 }, (_, i) => keyv.set("same", i)));
      const entries = await collect<{ i: number }>(store, "concurrent");
      expect(entries.length).toBe(501);
      expect(await keyv.get("c499")).toEqual({ i: 499 });
      expect(typeof (await keyv.get("same"))).toBe("number");
    });

    it("answers ping while open", async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

describe("sqlite store file", () => {
  it("persists across close and reopen, in WAL mode, and refuses use after close", async () => {
    const url = `sqlite://${join(tmp, "reopen", "data.sqlite")}`;
    const first = await openStore(url);
    await first.namespace("tips").set("T-7K3Q", { text: "爆料" });
    await first.namespace("tips").set("short", 1, 1);
    await first.close();
    await expect(first.ping()).rejects.toThrow(StoreError);
    expect(() => first.namespace("tips")).toThrow(StoreError);

    const db = new Database(join(tmp, "reopen", "data.sqlite"));
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();

    const second = await openStore(url);
    expect(await second.namespace("tips").get("T-7K3Q")).toEqual({ text: "爆料" });
    expect(await second.namespace("tips").get("short")).toBeUndefined();
    await second.close();
  });

  it("purges expired rows from the file", async () => {
    const file = join(tmp, "purge", "data.sqlite");
    const store = await openStore(`sqlite://${file}`, { purgeIntervalMs: 20 });
    await store.namespace("old").set("gone", "x", 1);
    await store.namespace("old").set("kept", "y");
    await sleep(120);
    await store.close();
    const db = new Database(file);
    const rows = db.prepare("SELECT key FROM keyv_entries ORDER BY key").all();
    db.close();
    expect(rows).toEqual([{ key: "kept" }]);
  });
});

describe("unreachable servers", () => {
  it.each(["redis://127.0.0.1:1", "postgres://postgres@127.0.0.1:1/test"])(
    "openStore(%s) rejects with StoreError('unreachable')",
    async (url) => {
      const error: unknown = await openStore(url, { connectTimeoutMs: 1000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe("unreachable");
    },
  );
});
