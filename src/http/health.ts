/** The injected probes behind /healthz; each one is optional except the store. */
export interface HealthChecks {
  /** Resolves when the store answers; rejects (or hangs) when it cannot be reached. */
  pingStore: () => Promise<void>;
  /** How long the store may take to answer before it counts as unreachable. Default 2000. */
  storeTimeoutMs?: number;
  /** Epoch ms of the last successful poll round, undefined before the first one, null when not checked now (no feeds). Omit: never checked. */
  lastPollSuccessAtMs?: () => number | undefined | null;
  /** Unhealthy when the last successful poll (or process start, before one) is older. E.g. 3× the poll interval. */
  maxPollAgeMs?: number;
  /** Deliveries waiting in the outbox. Omit: not reported. */
  outboxDepth?: () => number | Promise<number>;
  /** Unhealthy above this many pending deliveries. Default: never (reported only). */
  maxOutboxDepth?: number;
  /** Clock. Default Date.now. */
  now?: () => number;
}

/** One check's verdict; never carries error messages (the endpoint may be reachable from outside). */
export interface CheckResult {
  ok: boolean;
  [detail: string]: unknown;
}

/** The /healthz body. */
export interface HealthReport {
  status: "ok" | "unhealthy";
  checks: Record<string, CheckResult>;
}

/** Builds the probe run by each /healthz request; the poll age counts from creation until the first poll. */
export function createHealthProbe(checks: HealthChecks): () => Promise<HealthReport> {
  const now = checks.now ?? Date.now;
  const startedAtMs = now();
  const storeTimeoutMs = checks.storeTimeoutMs ?? 2000;

  return async () => {
    const results: Record<string, CheckResult> = {};
    const started = now();
    const ping = await settleWithin(
      // A ping that throws synchronously counts as failed, not as a crashed request.
      Promise.resolve().then(() => checks.pingStore()),
      storeTimeoutMs,
    );
    results.store = ping === "ok" ? { ok: true, latencyMs: now() - started } : { ok: false, error: ping };

    const last = checks.lastPollSuccessAtMs?.();
    if (last !== null && checks.lastPollSuccessAtMs) {
      const ageMs = now() - (last ?? startedAtMs);
      const max = checks.maxPollAgeMs;
      results.poll = {
        ok: max === undefined || ageMs <= max,
        everSucceeded: last !== undefined,
        ageSeconds: Math.round(ageMs / 1000),
        ...(max !== undefined ? { maxAgeSeconds: Math.round(max / 1000) } : {}),
      };
    }

    if (checks.outboxDepth) {
      try {
        const depth = await checks.outboxDepth();
        const max = checks.maxOutboxDepth;
        results.outbox = {
          ok: max === undefined || depth <= max,
          depth,
          ...(max !== undefined ? { max } : {}),
        };
      } catch {
        results.outbox = { ok: false, error: "failed" };
      }
    }

    const healthy = Object.values(results).every((r) => r.ok);
    return { status: healthy ? "ok" : "unhealthy", checks: results };
  };
}

/** "ok", "timeout" or "failed"; the timer never keeps the process alive. */
async function settleWithin(work: Promise<unknown>, timeoutMs: number): Promise<"ok" | "timeout" | "failed"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([
      work.then(
        () => "ok" as const,
        () => "failed" as const,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
