import { FeedError } from "./errors.js";

/** Default byte cap on a feed body after content decoding: 5 MiB. */
export const DEFAULT_MAX_FEED_BYTES = 5 * 1024 * 1024;
/** Default User-Agent sent with every feed request. */
export const DEFAULT_USER_AGENT = "Newsdesk/0.1 (+feed reader)";
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface FetchFeedOptions {
  /** Whole-request budget including the body read; default 20000 ms. */
  timeoutMs?: number;
  /** Cap on decoded body bytes; default 5 MiB. */
  maxBytes?: number;
  /** Redirect hops followed; default 5. */
  maxRedirects?: number;
  /** Default "Newsdesk/0.1 (+feed reader)". */
  userAgent?: string;
  /** Validators from the previous successful poll (conditional GET). */
  etag?: string;
  lastModified?: string;
  /** Injected for tests; default global fetch. */
  fetchImpl?: FetchLike;
  /** Aborts the request from outside (e.g. shutdown). */
  signal?: AbortSignal;
}

export type FetchFeedResult =
  | { status: "not-modified"; url: string }
  | {
      status: "ok";
      /** Final URL after redirects. */
      url: string;
      bytes: Uint8Array;
      contentType?: string;
      /** charset parameter of Content-Type, lower-cased, when present. */
      charset?: string;
      etag?: string;
      lastModified?: string;
    };

/** Parses and checks a feed URL: only absolute http(s) URLs pass. */
export function checkFeedUrl(raw: string | URL, base?: string): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch (err) {
    throw new FeedError("bad-url", `invalid URL: ${String(raw).slice(0, 200)}`, { cause: err });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new FeedError("bad-url", `unsupported URL scheme ${url.protocol}`);
  }
  return url;
}

/** Extracts the lower-cased charset parameter from a Content-Type header. */
export function charsetFromContentType(contentType: string | null | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType ?? "");
  return m?.[1]?.toLowerCase();
}

/** Fetches a feed with timeout, byte cap, conditional GET and re-checked manual redirects. */
export async function fetchFeed(feedUrl: string, options: FetchFeedOptions = {}): Promise<FetchFeedResult> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FEED_BYTES;
  const maxRedirects = options.maxRedirects ?? 5;
  const doFetch = options.fetchImpl ?? fetch;
  const timeoutSignal = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeoutSignal]) : timeoutSignal;
  const headers: Record<string, string> = {
    "user-agent": options.userAgent ?? DEFAULT_USER_AGENT,
    accept: "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5",
  };
  if (options.etag) headers["if-none-match"] = options.etag;
  if (options.lastModified) headers["if-modified-since"] = options.lastModified;

  let url = checkFeedUrl(feedUrl);
  const onAbort = (err: unknown): FeedError =>
    timeoutSignal.aborted
      ? new FeedError("timeout", `no complete response within ${timeoutMs} ms`, { cause: err })
      : new FeedError("network", "request aborted", { cause: err });

  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      res = await doFetch(url, { headers, redirect: "manual", signal });
    } catch (err) {
      if (signal.aborted) throw onAbort(err);
      throw new FeedError("network", `${url.host}: ${describeNetworkError(err)}`, { cause: err });
    }
    if (REDIRECT_STATUSES.has(res.status)) {
      await res.body?.cancel().catch(() => undefined);
      const location = res.headers.get("location");
      if (!location) throw new FeedError("redirect", `HTTP ${res.status} without Location`, { status: res.status });
      if (hop >= maxRedirects) throw new FeedError("redirect", `more than ${maxRedirects} redirects`, { status: res.status });
      try {
        url = checkFeedUrl(location, url.href);
      } catch (err) {
        throw new FeedError("redirect", `redirect to a refused URL`, { status: res.status, cause: err });
      }
      continue;
    }
    if (res.status === 304) {
      await res.body?.cancel().catch(() => undefined);
      return { status: "not-modified", url: url.href };
    }
    if (res.status < 200 || res.status > 299) {
      await res.body?.cancel().catch(() => undefined);
      throw new FeedError("http-status", `HTTP ${res.status}`, { status: res.status });
    }
    const bytes = await readCapped(res, maxBytes, signal, onAbort);
    const contentType = res.headers.get("content-type") ?? undefined;
    const result: FetchFeedResult = { status: "ok", url: url.href, bytes };
    if (contentType) result.contentType = contentType;
    const charset = charsetFromContentType(contentType);
    if (charset) result.charset = charset;
    const etag = res.headers.get("etag");
    if (etag) result.etag = etag;
    const lastModified = res.headers.get("last-modified");
    if (lastModified) result.lastModified = lastModified;
    return result;
  }
}

/** Reads the (already content-decoded) body, counting bytes as they arrive so a gzip bomb stops at the cap. */
async function readCapped(
  res: Response,
  maxBytes: number,
  signal: AbortSignal,
  onAbort: (err: unknown) => FeedError,
): Promise<Uint8Array> {
  const declared = Number(res.headers.get("content-length"));
  if (!res.headers.get("content-encoding") && Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new FeedError("too-large", `Content-Length ${declared} exceeds ${maxBytes} bytes`);
  }
  if (!res.body) return new Uint8Array(0);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new FeedError("too-large", `body exceeds ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof FeedError) throw err;
    if (signal.aborted) throw onAbort(err);
    throw new FeedError("network", `body read failed: ${describeNetworkError(err)}`, { cause: err });
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause;
    if (cause instanceof Error && "code" in cause) return `${err.message} (${String(cause.code)})`;
    return err.message;
  }
  return String(err);
}
