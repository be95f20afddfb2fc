import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { LocalPacing, Pacer } from "../../src/delivery/pacer.js";
import type { ApiCall } from "../../src/telegram/client.js";
import { paced, type PacedOptions } from "../../src/telegram/pacing.js";

/** Virtual time: sleep moves the clock. */
function virtualTime() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    clock: { now: () => now },
    sleep: (ms: number) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
    sleeps,
    at: () => now,
  };
}

const tooMany = (retryAfter: number) =>
  Object.assign(new Error("429: Too Many Requests"), {
    response: { error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } },
  });

/** The raw call as a script of answers; `telegram.callApi` is the call through the transformer under test. */
function fakeTelegram(script: Array<Error | "ok">) {
  const calls: Array<{ method: string; at: number }> = [];
  const raw: ApiCall = (method) => {
    calls.push({ method, at: 0 });
    const next = script.shift() ?? "ok";
    return next === "ok" ? Promise.resolve({ ok: true }) : Promise.reject(next);
  };
  const telegram = { callApi: (method: string, payload: Record<string, unknown>) => telegram.call(method, payload), call: raw };
  return { telegram, calls };
}

/** Puts the paced transformer, on a LocalPacing over `o.pacer`, in front of the fake's raw call. */
function pacedTelegram(t: { call: ApiCall }, o: Omit<PacedOptions, "pacing"> & { pacer: Pacer }): void {
  t.call = paced({ ...o, pacing: new LocalPacing(o.pacer, o.clock) })(t.call);
}

describe("paced (the replies' transformer)", () => {
  it("spaces sends to one private chat by a second and waits out retry_after before repeating", async () => {
    const vt = virtualTime();
    const pacer = new Pacer(vt.clock);
    const { telegram, calls } = fakeTelegram(["ok", tooMany(3), "ok"]);
    pacedTelegram(telegram, { pacer, clock: vt.clock, sleep: vt.sleep, logger: pino({ level: "silent" }) });
    const start = vt.at();
    await telegram.callApi("sendMessage", { chat_id: 7, text: "a" });
    await telegram.callApi("sendMessage", { chat_id: 7, text: "b" });
    expect(calls.map((c) => c.method)).toEqual(["sendMessage", "sendMessage", "sendMessage"]);
    // ≥ 1 s between the first two sends, then ≥ 3 s for retry_after.
    expect(vt.at() - start).toBeGreaterThanOrEqual(4000);
  });

  it("retries other methods after a 429 without pacing them, and gives up after the retry budget", async () => {
    const vt = virtualTime();
    const pacer = new Pacer(vt.clock);
    const { telegram, calls } = fakeTelegram([tooMany(2), "ok"]);
    pacedTelegram(telegram, { pacer, clock: vt.clock, sleep: vt.sleep, logger: pino({ level: "silent" }) });
    await expect(telegram.callApi("setMyCommands", { commands: [] })).resolves.toEqual({ ok: true });
    expect(vt.sleeps).toEqual([2000]);
    expect(calls).toHaveLength(2);

    const failing = fakeTelegram([tooMany(1), tooMany(1), tooMany(1), tooMany(1), tooMany(1)]);
    pacedTelegram(failing.telegram, { pacer, clock: vt.clock, sleep: vt.sleep, logger: pino({ level: "silent" }), maxRateLimitRetries: 2 });
    await expect(failing.telegram.callApi("getMe", {})).rejects.toThrow("429");
    expect(failing.calls).toHaveLength(3);
  });

  it("does not hold a reply for long and never sends past the limits: at most maxWaitMs for a slot, and no long retry_after", async () => {
    const vt = virtualTime();
    const pacer = new Pacer(vt.clock, { groupPerMinute: 2 });
    const { telegram, calls } = fakeTelegram(["ok", "ok", tooMany(40)]);
    pacedTelegram(telegram, { pacer, clock: vt.clock, sleep: vt.sleep, logger: pino({ level: "silent" }), maxWaitMs: 3000 });
    const start = vt.at();
    for (let i = 0; i < 2; i++) await telegram.callApi("sendMessage", { chat_id: -5, text: String(i) });
    // The group's minute is full after two: the third fails after 3 s instead of waiting ~58 s or passing the limit.
    await expect(telegram.callApi("sendMessage", { chat_id: -5, text: "2" })).rejects.toMatchObject({ kind: "rate-limited" });
    expect(vt.at() - start).toBeLessThanOrEqual(1000 + 3000);
    expect(calls).toHaveLength(2);
    // A 429 asking for longer than 4 × maxWaitMs is not waited out.
    await vt.sleep(60_000);
    await expect(telegram.callApi("sendMessage", { chat_id: -5, text: "x" })).rejects.toThrow("429");
    expect(calls).toHaveLength(3);
  });

  it("passes other errors through at once", async () => {
    const vt = virtualTime();
    const forbidden = Object.assign(new Error("403"), { response: { error_code: 403, description: "Forbidden: bot was blocked by the user" } });
    const { telegram, calls } = fakeTelegram([forbidden]);
    pacedTelegram(telegram, { pacer: new Pacer(vt.clock), clock: vt.clock, sleep: vt.sleep, logger: pino({ level: "silent" }) });
    await expect(telegram.callApi("sendMessage", { chat_id: 9, text: "x" })).rejects.toThrow("403");
    expect(calls).toHaveLength(1);
  });
});
