/**
 * Store benchmark: writes/s (one at a time, 100 concurrent, setMany batches), reads/s, and the time
 * to list and to clear 100k keys, for sqlite and for redis/postgres when reachable. Also sqlite
 * with SQLite's default journal (rollback, synchronous=FULL) to show why the store turns WAL on,
 * and the event-loop delay while another process holds the write lock for 1 s (measured: write
 * waited ~1.1 s, loop delay max ~9 ms; before, the loop froze for the whole hold).
 * Run: npx tsx bench/store.ts [--keys N] [--traps]   (NEWSDESK_TEST_REDIS / NEWSDESK_TEST_POSTGRES override URLs)
 * --traps also shows, with the raw @keyv/redis and @keyv/postgres adapters, the traps src/store/ works around.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import KeyvPostgres from "@keyv/postgres";
import KeyvRedis from "@keyv/redis";
import Database from "better-sqlite3";
import Keyv from "keyv";
import { openStore, type Store } from "../src/store/index.js";
import { loadPg, pgTableName } from "../src/store/postgres.js";
import { SqliteKvTable, SqliteNamespaceAdapter } from "../src/store/sqlite-adapter.js";

const REDIS_URL = process.env.NEWSDESK_TEST_REDIS ?? "redis://127.0.0.1:6379";
const POSTGRES_URL = process.env.NEWSDESK_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";
const PREFIX = `bench${process.pid}`;
const SINGLE_OPS = 3000;

/** A record the size of a subscriber entry. */
const record = (i: number) => ({
  chatId: -1001234567890 - i,
  topics: ["新能源", "旅游", "economy"],
  lang: "zh",
  since: 1718000000000 + i,
});

function perSecond(count: number, ms: number): string {
  return `${Math.round((count * 1000) / Math.max(ms, 1)).toLocaleString("en-US")}/s`;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** Sequential single-key writes through one Keyv: the figure the default journal mode ruins. */
async function singleWrites(keyv: Keyv, count = SINGLE_OPS): Promise<string> {
  const ms = await timed(async () => {
    for (let i = 0; i < count; i++) await keyv.set(`s${i}`, record(i));
  });
  return perSecond(count, ms);
}

async function benchStore(label: string, store: Store, keyCount: number): Promise<void> {
  const keyv = store.namespace("bench");
  await keyv.clear();
  const single = await singleWrites(keyv);
  const concurrentMs = await timed(async () => {
    for (let from = 0; from < SINGLE_OPS; from += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => keyv.set(`c${from + j}`, record(from + j))));
    }
  });
  const readMs = await timed(async () => {
    for (let i = 0; i < SINGLE_OPS; i++) await keyv.get(`s${i}`);
  });
  await keyv.clear();
  const batchMs = await timed(async () => {
    for (let from = 0; from < keyCount; from += 5000) {
      const batch = Array.from({ length: Math.min(5000, keyCount - from) }, (_, j) => ({
        key: `k${String(from + j).padStart(7, "0")}`,
        value: record(from + j),
      }));
      await keyv.setMany(batch);
    }
  });
  let listed = 0;
  const listMs = await timed(async () => {
    for await (const _entry of store.entries("bench")) listed++;
  });
  const clearMs = await timed(() => keyv.clear());
  console.log(
    `${label.padEnd(34)} writes ${single.padStart(9)} seq, ${perSecond(SINGLE_OPS, concurrentMs).padStart(9)} ×100 conc, ` +
      `${perSecond(keyCount, batchMs).padStart(10)} setMany | reads ${perSecond(SINGLE_OPS, readMs).padStart(9)} | ` +
      `list ${listed.toLocaleString("en-US")} keys ${(listMs / 1000).toFixed(2)} s | clear ${(clearMs / 1000).toFixed(2)} s`,
  );
}

/** The same adapter with SQLite's defaults switched back on (what @keyv/sqlite leaves in place). */
async function benchDefaultJournal(dir: string): Promise<void> {
  const db = new Database(join(dir, "default-journal.sqlite"));
  const table = new SqliteKvTable(db);
  db.pragma("journal_mode = DELETE");
  db.pragma("synchronous = FULL");
  const keyv = new Keyv(new SqliteNamespaceAdapter(table, "bench", "sqlite://default"), {
    useKeyPrefix: false,
  });
  console.log(
    `${"sqlite, journal=DELETE sync=FULL".padEnd(34)} writes ${(await singleWrites(keyv, 300)).padStart(9)} seq`,
  );
  db.close();
}

/**
 * Event-loop delay while another process holds the write lock for `holdMs` and the bot writes:
 * the store waits on timers, so the loop should stay within a few ms (it froze for the whole hold
 * when SQLite's busy_timeout did the waiting).
 */
async function benchHeldLock(dir: string, holdMs = 1000): Promise<void> {
  const file = join(dir, "locked.sqlite");
  const store = await openStore(`sqlite://${file}`, { busyDeadlineMs: holdMs * 5 });
  const keyv = store.namespace("bench");
  await keyv.set("warm", 1);
  const holder = spawn(
    process.execPath,
    [
      "-e",
      `const db = new (require("better-sqlite3"))(process.argv[1]); db.exec("BEGIN IMMEDIATE"); console.log("locked"); setTimeout(() => { db.exec("COMMIT"); process.exit(0); }, ${holdMs});`,
      file,
    ],
    { cwd: process.cwd(), stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise<void>((resolve) => holder.stdout.once("data", () => resolve()));
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const started = performance.now();
  await keyv.set("during", record(1));
  const waitedMs = performance.now() - started;
  delay.disable();
  await store.close();
  console.log(
    `${"sqlite, write lock held elsewhere".padEnd(34)} write waited ${Math.round(waitedMs)} ms | event-loop delay max ${(delay.max / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms`,
  );
}

async function tryOpen(url: string): Promise<Store | undefined> {
  try {
    return await openStore(url, { prefix: PREFIX, connectTimeoutMs: 1500 });
  } catch (error) {
    console.log(
      `${url.replace(/\/\/.*@/, "//")}: skipped (${error instanceof Error ? error.message : String(error)})`,
    );
    return undefined;
  }
}

/** Raw-adapter behaviour that src/store/redis.ts and postgres.ts correct (see docs/store.md). */
async function showTraps(redisUp: boolean, postgresUp: boolean): Promise<void> {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  if (postgresUp) {
    const table = `${PREFIX}_traps`;
    const a = new Keyv(new KeyvPostgres({ uri: POSTGRES_URL, table }), { namespace: "a_b" });
    const b = new Keyv(new KeyvPostgres({ uri: POSTGRES_URL, table }), { namespace: "axb" });
    await a.set("k", 1);
    await b.set("k", 2);
    await a.clear();
    console.log(
      `trap @keyv/postgres: after namespace a_b clear(), axb.get("k") = ${String(await b.get("k"))} (was 2)`,
    );
    await b.set("t", 1, 20);
    await sleep(60);
    console.log(`trap @keyv/postgres: has() of a key whose TTL passed = ${String(await b.has("t"))}`);
    await b.set("x", 3);
    await a.disconnect();
    console.log(
      `trap @keyv/postgres: after a.disconnect(), b.get("x") quietly = ${String(await b.get("x"))} (was 3)`,
    );
    const pool = new (loadPg().Pool)({ connectionString: POSTGRES_URL });
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
  }
  if (redisUp) {
    const shared = new KeyvRedis<string>(REDIS_URL);
    const a = new Keyv(shared, { namespace: `${PREFIX}a` });
    new Keyv(shared, { namespace: `${PREFIX}b` });
    await a.set("k", "v");
    const client = (await shared.getClient()) as unknown as { keys(pattern: string): Promise<string[]> };
    console.log(
      `trap @keyv/redis: one adapter, two Keyvs: adapter namespace is now "${String(shared.namespace)}"`,
    );
    console.log(
      `trap @keyv/redis: key stored as ${JSON.stringify(await client.keys(`${PREFIX}*`))} (double prefix)`,
    );
    await a.delete("k");
    await shared.disconnect();
  }
}

/** Prints the figures for every reachable backend. */
export async function run(): Promise<void> {
  const keysArg = process.argv.indexOf("--keys");
  const keyCount = keysArg > 0 ? Number(process.argv[keysArg + 1]) : 100_000;
  const dir = mkdtempSync(join(tmpdir(), "newsdesk-bench-"));
  try {
    const sqlite = await openStore(`sqlite://${join(dir, "store.sqlite")}`);
    await benchStore("sqlite (WAL, synchronous=NORMAL)", sqlite, keyCount);
    await sqlite.close();
    await benchDefaultJournal(dir);
    await benchHeldLock(dir);

    const redis = await tryOpen(REDIS_URL);
    const postgres = await tryOpen(POSTGRES_URL);
    if (process.argv.includes("--traps")) await showTraps(redis !== undefined, postgres !== undefined);
    if (redis) {
      await benchStore("redis", redis, keyCount);
      await redis.close();
    }
    if (postgres) {
      await benchStore("postgres (synchronous_commit=off)", postgres, keyCount);
      await postgres.close();
      const pool = new (loadPg().Pool)({ connectionString: POSTGRES_URL });
      await pool.query(`DROP TABLE IF EXISTS ${pgTableName(PREFIX, "bench")}`);
      await pool.end();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith("store.ts")) await run();
