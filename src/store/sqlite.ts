import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import Keyv from "keyv";
import { KEYV_OPTIONS, type Backend, type BackendOptions } from "./backend.js";
import { SqliteKvTable, SqliteNamespaceAdapter } from "./sqlite-adapter.js";

/** Opens (creating the file and its parent directory) the embedded store at `path`. */
export function openSqlite(path: string, opts: BackendOptions): Backend {
  const inMemory = path === ":memory:";
  const file = inMemory ? path : resolve(path);
  if (!inMemory) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  const table = new SqliteKvTable(db, { busyDeadlineMs: opts.busyDeadlineMs });
  const url = `sqlite://${path}`;

  let purging = false;
  const purge = async (): Promise<void> => {
    if (purging || !db.open) return;
    purging = true;
    try {
      await table.purgeExpired(Date.now());
    } catch (error) {
      opts.onError(error);
    } finally {
      purging = false;
    }
  };
  // Reads already hide expired rows; the purge only reclaims space, so it may lag.
  const timer = setInterval(() => void purge(), opts.purgeIntervalMs);
  timer.unref();
  void purge();

  return {
    kind: "sqlite",
    createKeyv(name) {
      return new Keyv(new SqliteNamespaceAdapter(table, name, url), { ...KEYV_OPTIONS, namespace: name });
    },
    async ping() {
      db.prepare("SELECT 1").get();
      return Promise.resolve();
    },
    async close() {
      clearInterval(timer);
      if (db.open) db.close();
      return Promise.resolve();
    },
  };
}
