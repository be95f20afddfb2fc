import { describe, expect, it } from "vitest";
import { Pacer } from "../../src/delivery/pacer.js";

function manualClock(start = 1_000_000): { now: () => number; set: (t: number) => void } {
  let t = start;
  return { now: () => t, set: (v) => void (t = v) };
}

describe("Pacer", () => {
  it("lets at most globalPerSecond messages out in any rolling second, spaced a little", () => {
    const clock = manualClock();
    const pacer = new Pacer(clock, { globalPerSecond: 10 });
    const sentAt: number[] = [];
    for (let i = 0; i < 30; i++) {
      clock.set(Math.max(clock.now(), pacer.globalReadyAt()));
      pacer.take(1000 + i);
      sentAt.push(clock.now());
    }
    for (let i = 10; i < sentAt.length; i++) expect(sentAt[i]! - sentAt[i - 10]!).toBeGreaterThanOrEqual(1000);
    for (let i = 1; i < sentAt.length; i++) expect(sentAt[i]! - sentAt[i - 1]!).toBeGreaterThanOrEqual(50);
    // long-run rate is the configured one, not less
    expect(sentAt[29]! - sentAt[0]!).toBeLessThanOrEqual(3000);
  });

  it("keeps one private chat at one message per second", () => {
    const clock = manualClock();
    const pacer = new Pacer(clock);
    pacer.take(7);
    expect(pacer.chatReadyAt(7)).toBe(clock.now() + 1000);
    expect(pacer.chatReadyAt(8)).toBe(0);
  });

  it("counts a chat's spacing from when the previous send finished", () => {
    const clock = manualClock();
    const pacer = new Pacer(clock);
    const start = clock.now();
    pacer.take(7);
    clock.set(start + 300);
    pacer.settle(7);
    expect(pacer.chatReadyAt(7)).toBe(start + 1300);
  });

  it("a slow call pushes the global window on: counted as arriving at its end while the return trip is unknown, then halfway through", () => {
    const clock = manualClock();
    const pacer = new Pacer(clock, { globalPerSecond: 1 });
    const start = clock.now();
    const token = pacer.take(1);
    clock.set(start + 400);
    pacer.settle(1, token);
    // A first call (a new connection) may have arrived late: counted at start+400; a new message
    // would arrive ~40 ms (running estimate) after it leaves.
    expect(pacer.globalReadyAt()).toBe(start + 400 + 1000 - 40);
    // Once a few calls have shown the return trip, a slow one counts as arriving halfway through.
    for (let i = 0; i < 5; i++) {
      clock.set(Math.max(clock.now(), pacer.globalReadyAt()));
      const t = pacer.take(2 + i);
      clock.set(clock.now() + 400);
      pacer.settle(2 + i, t);
    }
    const taken = clock.now();
    const last = pacer.take(9);
    clock.set(taken + 400);
    pacer.settle(9, last);
    expect(pacer.globalReadyAt()).toBeLessThan(taken + 400 + 1000 - 150);
  });

  it("keeps a group at groupPerMinute in any rolling minute", () => {
    const clock = manualClock();
    const pacer = new Pacer(clock, { groupPerMinute: 20 });
    const start = clock.now();
    for (let i = 0; i < 20; i++) {
      clock.set(Math.max(clock.now(), pacer.chatReadyAt(-100)));
      pacer.take(-100);
    }
    expect(clock.now() - start).toBe(19_000);
    expect(pacer.chatReadyAt(-100)).toBe(start + 60_000);
  });

  it("a chat-scoped 429 pauses that chat only; a global one pauses everything and lowers the rate for a while", () => {
    const clock = manualClock();
    const pacer = new Pacer(clock, { globalPerSecond: 29, recoverAfterMs: 60_000 });
    pacer.pause("chat", 5, -100);
    expect(pacer.chatReadyAt(-100)).toBe(clock.now() + 5000);
    expect(pacer.globalReadyAt()).toBeLessThanOrEqual(clock.now());
    pacer.pause("global", 3, 42);
    expect(pacer.globalReadyAt()).toBe(clock.now() + 3000);
    expect(pacer.globalPerSecond).toBe(28);
    clock.set(clock.now() + 60_000);
    pacer.globalReadyAt();
    expect(pacer.globalPerSecond).toBe(29);
  });

  it("one reader's 429s pause that reader only; 429s from several chats at once are taken as the global limit, which recovers in seconds", () => {
    const clock = manualClock();
    const pacer = new Pacer(clock, { globalPerSecond: 29 });
    for (let i = 0; i < 100; i++) {
      expect(pacer.rateLimited(42, 5)).toBe("chat");
      clock.set(clock.now() + 10);
    }
    expect(pacer.chatReadyAt(42)).toBeGreaterThan(clock.now());
    expect(pacer.globalReadyAt()).toBeLessThanOrEqual(clock.now());
    expect(pacer.globalPerSecond).toBe(29);
    clock.set(clock.now() + 10_000);
    expect(pacer.rateLimited(1, 2)).toBe("chat");
    expect(pacer.rateLimited(2, 2)).toBe("chat");
    expect(pacer.rateLimited(3, 2)).toBe("global");
    expect(pacer.globalReadyAt()).toBe(clock.now() + 2000);
    expect(pacer.globalPerSecond).toBe(28);
    clock.set(clock.now() + 5000);
    pacer.globalReadyAt();
    expect(pacer.globalPerSecond).toBe(29);
  });
});
