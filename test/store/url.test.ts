import { describe, expect, it } from "vitest";
import { DEFAULT_STORE_URL, parseStoreUrl, redactStoreUrl, StoreUrlError } from "../../src/store/index.js";
import { isExpired } from "../../src/store/postgres.js";

describe("parseStoreUrl", () => {
  it.each([
    [DEFAULT_STORE_URL, { kind: "sqlite", path: "data/newsdesk.sqlite" }],
    ["sqlite:///var/lib/newsdesk/db.sqlite", { kind: "sqlite", path: "/var/lib/newsdesk/db.sqlite" }],
    ["  sqlite://:memory:  ", { kind: "sqlite", path: ":memory:" }],
    ["redis://127.0.0.1:6379/2", { kind: "redis", url: "redis://127.0.0.1:6379/2" }],
    ["rediss://:pw@cache.example:6380", { kind: "redis", url: "rediss://:pw@cache.example:6380" }],
    ["postgres://u@db/newsdesk", { kind: "postgres", url: "postgres://u@db/newsdesk" }],
    ["postgresql://u:p@db:5432/newsdesk", { kind: "postgres", url: "postgresql://u:p@db:5432/newsdesk" }],
    ["POSTGRES:///newsdesk", { kind: "postgres", url: "POSTGRES:///newsdesk" }],
  ])("accepts %s", (url, expected) => {
    expect(parseStoreUrl(url)).toEqual(expected);
  });

  it.each([
    ["", /empty/],
    ["data/newsdesk.sqlite", /no scheme/],
    ["sqlite://", /no file path/],
    ["sqlite://db.sqlite?mode=ro", /no query/],
    ["mysql://root:hunter2@db/x", /unsupported scheme "mysql:"/],
    ["redis://", /no host/],
    ["postgres://[bad", /not a valid URL/],
  ])("rejects %j with a clear message", (url, message) => {
    expect(() => parseStoreUrl(url)).toThrow(StoreUrlError);
    expect(() => parseStoreUrl(url)).toThrow(message);
  });

  it("never puts the password in the error", () => {
    const error: unknown = (() => {
      try {
        return parseStoreUrl("mysql://root:hunter2@db/x");
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(StoreUrlError);
    expect((error as StoreUrlError).message).not.toContain("hunter2");
    expect((error as StoreUrlError).redactedUrl).toBe("mysql://root:***@db/x");
  });

  it("redacts only the password", () => {
    expect(redactStoreUrl("redis://:s3cret@h:6379")).toBe("redis://:***@h:6379");
    expect(redactStoreUrl("postgres://u@h/db")).toBe("postgres://u@h/db");
  });
});

describe("isExpired (keyv-serialized rows)", () => {
  it("reads only a top-level trailing expires", () => {
    expect(isExpired('{"value":1,"expires":100}', 101)).toBe(true);
    expect(isExpired('{"value":1,"expires":100}', 99)).toBe(false);
    expect(isExpired('{"value":1}', 1e15)).toBe(false);
    expect(isExpired('{"value":{"expires":100}}', 1e15)).toBe(false);
  });
});
