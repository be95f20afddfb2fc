import Keyv from "keyv";
import { describe, expect, it } from "vitest";
import { KeyvDeduper, MemoryDeduper } from "../../src/http/dedupe.js";
import { registerWebhook, webhookPath, type WebhookApi } from "../../src/http/register.js";

describe("MemoryDeduper", () => {
  it("lets each id through once and forgets the least recently seen past capacity", async () => {
    const d = new MemoryDeduper(2);
    expect(await d.claim(1)).toBe(true);
    expect(await d.claim(1)).toBe(false);
    expect(await d.claim(2)).toBe(true);
    expect(await d.claim(1)).toBe(false); // refreshes 1, so 2 is now the oldest
    expect(await d.claim(3)).toBe(true); // evicts 2
    expect(await d.claim(1)).toBe(false);
    expect(await d.claim(2)).toBe(true);
  });
});

describe("KeyvDeduper", () => {
  it("stores upd:<id> with the TTL and refuses it afterwards", async () => {
    const keyv = new Keyv();
    const sets: Array<[string, number | undefined]> = [];
    const spy = new Proxy(keyv, {
      get(target, prop, receiver) {
        if (prop === "set")
          return (key: string, value: unknown, ttl?: number) => {
            sets.push([key, ttl]);
            return target.set(key, value, ttl);
          };
        return Reflect.get(target, prop, receiver) as unknown;
      },
    });
    const d = new KeyvDeduper(spy);
    expect(await d.claim(41)).toBe(true);
    expect(await d.claim(41)).toBe(false);
    expect(sets).toEqual([["upd:41", 24 * 60 * 60 * 1000]]);
    expect(await keyv.get("upd:41")).toBe(1);
    expect(await new KeyvDeduper(keyv).claim(41)).toBe(false);
  });

  it("forgets an id once its TTL has passed", async () => {
    const keyv = new Keyv();
    expect(await new KeyvDeduper(keyv, { ttlMs: 20 }).claim(8)).toBe(true);
    await new Promise((r) => setTimeout(r, 40));
    expect(await new KeyvDeduper(keyv, { ttlMs: 20 }).claim(8)).toBe(true);
  });
});

describe("registerWebhook", () => {
  it("sets the webhook with the secret, all default update types, and keeps pending updates", async () => {
    const calls: unknown[] = [];
    const api: WebhookApi = {
      setWebhook: (url, extra) => {
        calls.push([url, extra]);
        return Promise.resolve(true);
      },
    };
    await registerWebhook(api, "https://bot.example.org/tg/hook", { secretToken: "abc_DEF-123" });
    expect(calls).toEqual([
      [
        "https://bot.example.org/tg/hook",
        { secret_token: "abc_DEF-123", allowed_updates: [], drop_pending_updates: false },
      ],
    ]);
    expect(webhookPath("https://bot.example.org/tg/hook?x=1")).toBe("/tg/hook");
  });
});
