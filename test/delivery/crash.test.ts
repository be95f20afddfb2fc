import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { startBotApiDouble, type BotApiDouble } from "../support/bot-api-double.js";

const fixture = fileURLToPath(new URL("./fixtures/fanout-child.ts", import.meta.url));
const MAX_IN_FLIGHT = 8;
const FANOUT_CHATS = 300;
const SINGLE_CHATS = 20;

let double: BotApiDouble | undefined;
let dir: string | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.pid) killGroup(child.pid);
  await double?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** `npx tsx fixture` in its own process group, so SIGKILL reaches the node process behind npx. */
function run(env: Record<string, string>): { child: ChildProcess; exited: Promise<{ code: number | null; signal: string | null; out: string }> } {
  const child = spawn("npx", ["tsx", fixture], { env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (out += b.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal, out })));
  return { child, exited };
}

describe("crash recovery", () => {
  it("a fan-out SIGKILLed mid-way is finished by the next process: every chat gets it, duplicates only for sends in flight", async () => {
    double = await startBotApiDouble({ limits: { globalPerSecond: 1000 } });
    dir = mkdtempSync(join(tmpdir(), "newsdesk-crash-"));
    const env = {
      STORE_PATH: join(dir, "store.sqlite"),
      API_ROOT: double.apiRoot,
      TOKEN: double.token,
      FANOUT_CHATS: String(FANOUT_CHATS),
      SINGLE_CHATS: String(SINGLE_CHATS),
      RATE: "100",
      MAX_IN_FLIGHT: String(MAX_IN_FLIGHT),
    };
    const first = run({ ...env, MODE: "create" });
    const d = double;
    await d.waitFor(() => d.calls.filter((c) => c.ok && c.method === "sendMessage").length >= 120, 30_000);
    killGroup(first.child.pid!);
    const killed = await first.exited;
    expect(killed.signal).toBe("SIGKILL");
    const beforeRestart = d.calls.filter((c) => c.ok).length;
    expect(beforeRestart).toBeLessThan(FANOUT_CHATS + SINGLE_CHATS);

    const second = run({ ...env, MODE: "resume" });
    const done = await second.exited;
    expect(done.code, done.out).toBe(0);
    expect(done.out).toMatch(/idle .*"pending":0/);

    const all = [...Array.from({ length: FANOUT_CHATS }, (_, i) => 10_001 + i), ...Array.from({ length: SINGLE_CHATS }, (_, i) => 20_001 + i)];
    const counts = all.map((id) => d.sent(id).length);
    expect(counts.filter((n) => n === 0)).toEqual([]);
    const duplicates = counts.reduce((sum, n) => sum + (n - 1), 0);
    console.log(`crash test: ${beforeRestart} accepted before SIGKILL, ${duplicates} duplicate(s) after restart`);
    expect(duplicates).toBeLessThanOrEqual(MAX_IN_FLIGHT);
    // the restart resumed rather than started over
    expect(d.calls.filter((c) => c.ok).length).toBeLessThanOrEqual(all.length + MAX_IN_FLIGHT);
  }, 60_000);
});
