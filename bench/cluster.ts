/**
 * Cluster benchmark: one article fanned out to N subscribers (default 600) by one and by three bot
 * processes on one Redis, behind a round-robin balancer, against the Bot API double with
 * Telegram's limits enforced (30/s global, 1/s per private chat). Prints the fan-out rate (the
 * ceiling is Telegram's, so one and three instances should match), the peak in any rolling
 * second, 429s, duplicates and missing deliveries; then the poller hand-over time after a SIGKILL.
 * Needs Redis on 127.0.0.1:6379 (uses db 15, flushed). Run: npx tsx bench/cluster.ts [--subscribers N] [--lease-ms MS (default 15000)]
 */
import type { ApiCall } from "../test/support/bot-api-double.js";
import { article, startCluster, type ClusterHarness } from "../test/cluster/harness.js";
import { redisReachable, until } from "../test/cluster/redis.js";

const DB = 15;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

function peakPerSecond(times: number[]): number {
  let peak = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

async function fanOut(instances: number, subscribers: number, leaseMs: number): Promise<{ h: ClusterHarness; line: string }> {
  const ids = Array.from({ length: subscribers }, (_, i) => 700_001 + i);
  const h = await startCluster({ db: DB, seedSubscribers: ids, leaseMs, items: [article(1, "背景文章 一", 90)] });
  await Promise.all(Array.from({ length: instances }, (_, n) => h.start(n)));
  await until(() => h.leader() !== undefined, leaseMs + 10_000, "leader");
  await until(() => h.instances.some((i) => i.logs.some((l) => l.msg === "first poll: backlog archived")), 30_000, "first poll");
  const title = `新能源基准文章 ${instances}`;
  const callsBefore = h.double.calls.length;
  const r429Before = h.double.stats().rejected429;
  h.feed.items.unshift(article(2, title));
  const got = (id: number) => h.double.sent(id).filter((m) => m.text.includes(title)).length;
  await until(() => ids.every((id) => got(id) >= 1), subscribers * 200 + 60_000, "all delivered");
  await new Promise((r) => setTimeout(r, 3000));
  const sends: ApiCall[] = h.double.calls.slice(callsBefore).filter((c) => c.ok && c.method === "sendMessage");
  const times = sends.map((c) => c.at).sort((a, b) => a - b);
  const seconds = (times.at(-1)! - times[0]!) / 1000;
  const dupes = ids.filter((id) => got(id) > 1).length;
  const missing = ids.filter((id) => got(id) === 0).length;
  const line =
    `${instances} instance(s): ${sends.length} messages in ${seconds.toFixed(1)} s = ${(sends.length / seconds).toFixed(1)} msg/s ` +
    `(${((sends.length / seconds / 30) * 100).toFixed(0)}% of 30/s); peak ${peakPerSecond(times)} in a rolling second; ` +
    `429s ${h.double.stats().rejected429 - r429Before}; duplicates ${dupes}; missing ${missing}`;
  return { h, line };
}

/** Runs both fan-outs and the hand-over measurement, printing one line each. */
export async function run(): Promise<void> {
  if (!(await redisReachable())) {
    console.log("bench/cluster: skipped, no Redis on 127.0.0.1:6379");
    return;
  }
  const subscribers = arg("subscribers", 600);
  const leaseMs = arg("lease-ms", 15_000);
  console.log(`fan-out of one article to ${subscribers} private chats; double enforces 30/s global, 1/s per chat; lease ${leaseMs} ms`);
  const one = await fanOut(1, subscribers, leaseMs);
  console.log(one.line);
  await one.h.close();
  const three = await fanOut(3, subscribers, leaseMs);
  console.log(three.line);
  // Hand-over: SIGKILL the poller (no release), time until another instance is elected.
  const old = three.h.leader()!;
  const killedAt = Date.now();
  old.child.kill("SIGKILL");
  await old.exited;
  await until(() => three.h.leader() !== undefined && three.h.leader() !== old, leaseMs * 3, "new leader");
  console.log(`poller SIGKILLed: instance ${three.h.leader()!.n} elected after ${((Date.now() - killedAt) / 1000).toFixed(1)} s (lease ${leaseMs / 1000} s)`);
  await three.h.close();
}

if (process.argv[1]?.endsWith("cluster.ts")) await run();
