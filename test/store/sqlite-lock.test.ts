import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, StoreError, type Store } from "../../src/store/index.js";

// Another process takes the write lock (BEGIN IMMEDIATE) and keeps it until told to commit.
const HOLDER = `
const Database = require("better-sqlite3");
const db = new Database(process.argv[1]);
db.exec("BEGIN IMMEDIATE");
process.stdout.write("locked\\n");
process.stdin.on("data", () => {
  db.exec("COMMIT");
  db.close();
  process.stdout.write("released\\n");
  process.exit(0);
});
`;

interface Holder {
  child: ChildProcessWithoutNullStreams;
  release(): Promise<void>;
}

async function holdLock(file: string): Promise<Holder> {
  const child = spawn(process.execPath, ["-e", HOLDER, file], { cwd: process.cwd() });
  let out = "";
  const saw = (word: string) =>
    new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (out.includes(word)) resolve();
      };
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        check();
      });
      child.on("exit", () =>
        out.includes(word) ? resolve() : reject(new Error(`lock holder exited before "${word}"`)),
      );
      check();
    });
  await saw("locked");
  // Once: a test's own release and afterEach's may both run, and a second write to a child that is
  // exiting fails with EPIPE (seen on a loaded machine).
  let releasing: Promise<void> | undefined;
  return {
    child,
    release: () =>
      (releasing ??= (async () => {
        const released = saw("released");
        child.stdin.write("commit\n");
        await released;
      })()),
  };
}

describe("sqlite store while another process holds the write lock", () => {
  let dir: string;
  let file: string;
  let store: Store;
  let holder: Holder | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "newsdesk-lock-"));
    file = join(dir, "s.sqlite");
    store = await openStore(`sqlite://${file}`, { busyDeadlineMs: 10_000 });
    await store.namespace("t").set("before", "ok"); // the table exists before the holder opens the file
  });
  afterEach(async () => {
    if (holder && holder.child.exitCode === null) await holder.release();
    holder = undefined;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the event loop turning during the wait, and writes once the lock is released", async () => {
    holder = await holdLock(file);
    const kv = store.namespace<string>("t");
    const events: string[] = [];
    let ticks = 0;
    const interval = setInterval(() => ticks++, 10);
    setTimeout(() => events.push("timer at 50 ms"), 50);
    // Released from a timer of this process: it can only fire while the event loop is free.
    const releaser = setTimeout(() => {
      events.push(`release after ${ticks > 0 ? "ticks" : "no ticks"}`);
      void holder!.release();
    }, 2000);
    const write = kv.set("during", "written").then(() => events.push("write done"));
    const write2 = kv.set("during", "written later").then(() => events.push("second write done"));
    try {
      await Promise.all([write, write2]);
    } finally {
      clearInterval(interval);
      clearTimeout(releaser);
    }
    expect(events).toEqual(["timer at 50 ms", "release after ticks", "write done", "second write done"]);
    expect(await kv.get("during")).toBe("written later"); // queued writes keep their order
  });

  it("still answers reads while the lock is held (WAL readers do not wait)", async () => {
    holder = await holdLock(file);
    expect(await store.namespace<string>("t").get("before")).toBe("ok");
  });

  it("fails with StoreError(busy) once the deadline passes, instead of hanging", async () => {
    await store.close();
    store = await openStore(`sqlite://${file}`, { busyDeadlineMs: 300 });
    holder = await holdLock(file);
    const kv = store.namespace<string>("t");
    const failed = await kv.set("during", "never").then(
      () => null,
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(StoreError);
    expect(failed).toMatchObject({ code: "busy", kind: "sqlite" });
    expect(holder.child.exitCode).toBeNull(); // failed while the lock was still held
    await holder.release();
    await kv.set("after", "fine");
    expect(await kv.get("after")).toBe("fine");
    expect(await kv.get("during")).toBeUndefined();
  });
});
