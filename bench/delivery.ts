/**
 * Delivery benchmark: one article fanned out to N private chats through telegraf and the Bot API
 * double with Telegram's limits enforced (30/s global, 1/s per chat), outbox on SQLite, with an
 * artificial 50–300 ms per call to look like the real network. Prints throughput as a share of the
 * 30/s ceiling, 429s, peak RSS and store writes before the first message; then subscriber look-ups
 * over 100k chats.
 * Run: npx tsx bench/delivery.ts [--chats N (default 10000, ~6 min)] [--latency-ms lo-hi (default 50-300)]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Keyv from "keyv";
import { ChatRepo } from "../src/chats/repo.js";
import { Outbox } from "../src/delivery/outbox.js";
import { Pacer } from "../src/delivery/pacer.js";
import { Sender } from "../src/delivery/sender.js";
import { TelegramClient } from "../src/telegram/client.js";
import { systemClock } from "../src/delivery/time.js";
import { openStore } from "../src/store/index.js";
import { startBotApiDouble } from "../test/support/bot-api-double.js";

const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** Counts the writes the outbox makes (a setMany counts once as a call, and per key). */
function countWrites(kv: Keyv): { calls: number; keys: number; setMs: number } {
  const counts = { calls: 0, keys: 0, setMs: 0 };
  const set = kv.set.bind(kv);
  const setMany = kv.setMany.bind(kv);
  const del = kv.delete.bind(kv);
  const deleteMany = kv.deleteMany.bind(kv);
  kv.set = (async (...args: Parameters<Keyv["set"]>) => {
    counts.calls++;
    counts.keys++;
    const t = performance.now();
    try {
      return await set(...args);
    } finally {
      counts.setMs += performance.now() - t;
    }
  });
  kv.setMany = ((entries: Parameters<Keyv["setMany"]>[0]) => (counts.calls++, (counts.keys += entries.length), setMany(entries)));
  kv.delete = ((key: Parameters<Keyv["delete"]>[0]) => (counts.calls++, counts.keys++, del(key)));
  kv.deleteMany = ((keys: string[]) => (counts.calls++, (counts.keys += keys.length), deleteMany(keys)));
  return counts;
}

async function fanOutBench(chats: number, latency: [number, number]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "newsdesk-bench-delivery-"));
  const double = await startBotApiDouble();
  const store = await openStore(`sqlite://${join(dir, "store.sqlite")}`);
  try {
    const kv = store.namespace("outbox");
    const writes = countWrites(kv);
    const outbox = new Outbox(kv);
    await outbox.load();
    const telegraf = { call: new TelegramClient(double.token, { apiRoot: double.apiRoot }).call };
    const [lo, hi] = latency;
    const sender = new Sender({
      outbox,
      chats: { deactivate: () => Promise.resolve(), migrate: () => Promise.resolve() },
      pacer: new Pacer(systemClock),
      telegram: {
        // Latency as on a real network, so concurrency matters: a little jitter on the way there
        // (Telegram counts requests as they arrive), the bulk of it on the way back.
        call: async (method, payload) => {
          const latencyMs = lo + Math.random() * (hi - lo);
          await sleepMs(Math.random() * latencyMs * 0.1);
          const result = await telegraf.call(method, payload);
          await sleepMs(latencyMs * 0.9);
          return result;
        },
      },
    });
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    const recipients = Array.from({ length: chats }, (_, i) => 100_000_000 + i);
    const started = Date.now();
    await outbox.fanOut({ priority: "bulk", payload: { kind: "call", method: "sendMessage", params: { text: "<b>Bench article</b>", parse_mode: "HTML" } }, recipients });
    const writesBeforeFirst = { ...writes };
    sender.start();
    await double.waitFor((c) => c.ok && c.method === "sendMessage", 30_000);
    const firstAt = Date.now();
    let lastReport = firstAt;
    const progress = setInterval(() => {
      if (Date.now() - lastReport < 30_000) return;
      lastReport = Date.now();
      console.log(`  … ${double.stats().messagesSent}/${chats} sent, ${double.stats().rejected429} × 429`);
    }, 1000);
    await sender.whenIdle();
    const doneAt = Date.now();
    clearInterval(progress);
    clearInterval(sampler);
    await sender.stop();

    const accepted = double.calls.filter((c) => c.ok && c.method === "sendMessage").map((c) => c.at);
    const spanSeconds = (Math.max(...accepted) - Math.min(...accepted)) / 1000;
    const rate = (accepted.length - 1) / spanSeconds;
    const stats = double.stats();
    const missing = recipients.filter((id) => double.sent(id).length === 0).length;
    console.log(`fan-out to ${chats} private chats${chats < 10_000 ? ` (shortened with --chats; the full run is 10000)` : ""}, call latency ${lo}-${hi} ms`);
    console.log(`  delivered ${accepted.length}/${chats}, missing ${missing}, in ${((doneAt - started) / 1000).toFixed(1)} s (first message after ${firstAt - started} ms)`);
    console.log(`  throughput ${rate.toFixed(2)} msg/s = ${(rate / 30).toFixed(3)} of the 30/s ceiling (target ≥ 0.9)`);
    const t0 = Math.min(...accepted);
    const at429 = double.calls.filter((c) => c.errorCode === 429).map((c) => `${((c.at - t0) / 1000).toFixed(1)} s`);
    console.log(`  429s received: ${stats.rejected429} (target 0)${at429.length ? `, at ${at429.slice(0, 10).join(", ")} after the first message` : ""}`);
    console.log(`  store writes before the first message: ${writesBeforeFirst.calls} calls, ${writesBeforeFirst.keys} keys (job meta, index, ${Math.ceil(chats / 1000)} chunk(s))`);
    console.log(`  store writes in total: ${writes.calls} calls (${(writes.calls / chats).toFixed(2)} per message: one cursor write per completed send, coalesced only when sends finish during a write); mean set ${(writes.setMs / Math.max(1, writes.calls)).toFixed(3)} ms`);
    console.log(`  peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    await store.close();
    await double.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function subscriberBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "newsdesk-bench-chats-"));
  const store = await openStore(`sqlite://${join(dir, "store.sqlite")}`);
  const repo = new ChatRepo(store.namespace("chats"));
  await repo.load();
  const total = 100_000;
  let t = Date.now();
  for (let id = 1; id <= total; id++) {
    await repo.ensure(id, "private");
    await repo.update(id, (r) => void (r.topics = [`t${id % 10}`, `t${(id * 7) % 10}`]));
  }
  const buildMs = Date.now() - t;
  t = performance.now();
  const runs = 20;
  let n = 0;
  for (let i = 0; i < runs; i++) n = (await repo.subscribersFor(["t1", "t2", "t3"])).length;
  const lookupMs = (performance.now() - t) / runs;
  t = performance.now();
  const again = new ChatRepo(store.namespace("chats"));
  await again.load();
  const loadMs = performance.now() - t;
  console.log(`subscribers over ${total} chats (SQLite): subscribersFor(3 topics) → ${n} ids in ${lookupMs.toFixed(1)} ms; load() at start ${loadMs.toFixed(0)} ms; writing them took ${(buildMs / 1000).toFixed(1)} s`);
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

/** Runs both parts with the command-line options. */
export async function run(): Promise<void> {
  const chats = Number(arg("chats", "10000"));
  const [lo, hi] = arg("latency-ms", "50-300").split("-").map(Number);
  await fanOutBench(chats, [lo ?? 50, hi ?? lo ?? 300]);
  await subscriberBench();
}

if (process.argv[1]?.endsWith("delivery.ts")) await run();
