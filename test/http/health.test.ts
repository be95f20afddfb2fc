import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createHealthProbe, type HealthChecks, type HealthReport } from "../../src/http/health.js";
import { createHttpServer, type HttpServer } from "../../src/http/server.js";
import { openStore } from "../../src/store/index.js";
import { recordingLogger } from "./helpers.js";

let server: HttpServer | undefined;
const cleanups: Array<() => void> = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const c of cleanups.splice(0)) c();
});

async function healthz(checks: HealthChecks): Promise<{ status: number; body: HealthReport }> {
  server = createHttpServer({ logger: recordingLogger(), health: createHealthProbe(checks) });
  const port = await server.listen(0, "127.0.0.1");
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: res.status, body: (await res.json()) as HealthReport };
}

describe("/healthz and the store", () => {
  it("is 200 when the store answers", async () => {
    const { status, body } = await healthz({ pingStore: () => Promise.resolve() });
    expect(status).toBe(200);
    expect(body.status).toBe("ok");
    expect(body.checks.store?.ok).toBe(true);
  });

  it("is 503 when the store ping fails, without the error text", async () => {
    const { status, body } = await healthz({
      pingStore: () => Promise.reject(new Error("ECONNREFUSED redis://:hunter2@db")),
    });
    expect(status).toBe(503);
    expect(body.checks.store).toEqual({ ok: false, error: "failed" });
    expect(JSON.stringify(body)).not.toContain("hunter2");
  });

  it("is 503 when the store ping throws synchronously", async () => {
    const { status } = await healthz({
      pingStore: () => {
        throw new Error("boom");
      },
    });
    expect(status).toBe(503);
  });

  it("is 503 when the store ping hangs past the timeout", async () => {
    const { status, body } = await healthz({
      pingStore: () => new Promise<void>(() => {}),
      storeTimeoutMs: 50,
    });
    expect(status).toBe(503);
    expect(body.checks.store).toEqual({ ok: false, error: "timeout" });
  });

  it("turns from 200 to 503 when a real SQLite store is closed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "newsdesk-health-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const store = await openStore(`sqlite://${join(dir, "s.sqlite")}`);
    const probe = createHealthProbe({ pingStore: () => store.ping() });
    expect((await probe()).status).toBe("ok");
    await store.close();
    const after = await probe();
    expect(after.status).toBe("unhealthy");
    expect(after.checks.store?.ok).toBe(false);
  });
});

describe("/healthz poll age and outbox", () => {
  const ok = () => Promise.resolve();

  it("counts poll age from start-up until the first successful poll", async () => {
    let nowMs = 1_000_000;
    const probe = createHealthProbe({
      pingStore: ok,
      lastPollSuccessAtMs: () => undefined,
      maxPollAgeMs: 900_000,
      now: () => nowMs,
    });
    expect((await probe()).status).toBe("ok");
    nowMs += 900_001;
    const late = await probe();
    expect(late.status).toBe("unhealthy");
    expect(late.checks.poll).toMatchObject({ ok: false, everSucceeded: false, ageSeconds: 900 });
  });

  it("is healthy while the last poll is recent and unhealthy once it is too old", async () => {
    let nowMs = 5_000_000;
    const lastPoll = 4_990_000;
    const probe = createHealthProbe({
      pingStore: ok,
      lastPollSuccessAtMs: () => lastPoll,
      maxPollAgeMs: 60_000,
      now: () => nowMs,
    });
    expect((await probe()).checks.poll).toMatchObject({ ok: true, ageSeconds: 10, maxAgeSeconds: 60 });
    nowMs = lastPoll + 61_000;
    expect((await probe()).status).toBe("unhealthy");
  });

  it("skips the poll check while there are no feeds to poll (all paused, or none yet added from chat)", async () => {
    let nowMs = 1_000_000;
    let feeds = 0;
    const probe = createHealthProbe({
      pingStore: ok,
      lastPollSuccessAtMs: () => (feeds > 0 ? undefined : null),
      maxPollAgeMs: 900_000,
      now: () => nowMs,
    });
    nowMs += 900_001;
    const idle = await probe();
    expect(idle.status).toBe("ok");
    expect(idle.checks.poll).toBeUndefined();
    feeds = 1; // a feed added from chat that never polled since start-up
    expect((await probe()).checks.poll).toMatchObject({ ok: false, everSucceeded: false });
  });

  it("reports the outbox backlog and fails only above the threshold", async () => {
    let depth = 120;
    const probe = createHealthProbe({ pingStore: ok, outboxDepth: () => depth, maxOutboxDepth: 500 });
    const fine = await probe();
    expect(fine.status).toBe("ok");
    expect(fine.checks.outbox).toEqual({ ok: true, depth: 120, max: 500 });
    depth = 501;
    expect((await probe()).status).toBe("unhealthy");
  });

  it("only reports the backlog when no threshold is set", async () => {
    const probe = createHealthProbe({ pingStore: ok, outboxDepth: () => Promise.resolve(10_000) });
    const report = await probe();
    expect(report.status).toBe("ok");
    expect(report.checks.outbox).toEqual({ ok: true, depth: 10_000 });
  });
});
