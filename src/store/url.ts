import { StoreUrlError } from "./errors.js";

/** The embedded store used when `NEWSDESK_STORE` is unset. */
export const DEFAULT_STORE_URL = "sqlite://data/newsdesk.sqlite";

/** A parsed `NEWSDESK_STORE` value. `path` is as written (relative paths resolve against the cwd). */
export type StoreUrl =
  | { kind: "sqlite"; path: string }
  | { kind: "redis"; url: string }
  | { kind: "postgres"; url: string };

const HINT = "use sqlite://path, redis://host:port or postgres://user@host/db";

/** Replaces the password of a URL-like string with `***` so it can be logged. */
export function redactStoreUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*:)[^@/]*@/i, "$1***@");
}

/** Parses a store URL (`sqlite://path`, `redis[s]://…`, `postgres[ql]://…`); throws StoreUrlError. */
export function parseStoreUrl(url: string): StoreUrl {
  const redacted = redactStoreUrl(url.trim());
  const text = url.trim();
  if (text === "") throw new StoreUrlError(`store URL is empty; ${HINT}`, redacted);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    throw new StoreUrlError(`store URL "${redacted}" has no scheme; ${HINT}`, redacted);
  }
  if (scheme === "sqlite") {
    const path = text.slice("sqlite://".length);
    if (path === "") throw new StoreUrlError(`store URL "${redacted}" has no file path`, redacted);
    if (path.includes("?") || path.includes("#")) {
      throw new StoreUrlError(`store URL "${redacted}": sqlite takes no query or fragment`, redacted);
    }
    return { kind: "sqlite", path };
  }
  if (scheme === "redis" || scheme === "rediss" || scheme === "postgres" || scheme === "postgresql") {
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      throw new StoreUrlError(`store URL "${redacted}" is not a valid URL`, redacted);
    }
    // postgres:///db (local socket) is valid; a redis URL needs a host.
    if (scheme.startsWith("redis") && parsed.hostname === "") {
      throw new StoreUrlError(`store URL "${redacted}" has no host`, redacted);
    }
    return scheme.startsWith("redis") ? { kind: "redis", url: text } : { kind: "postgres", url: text };
  }
  throw new StoreUrlError(`store URL "${redacted}" has unsupported scheme "${scheme}:"; ${HINT}`, redacted);
}
