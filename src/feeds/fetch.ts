import { lookup as dnsLookup } from "node:dns/promises";
import { isIP } from "node:net";
import { FeedError } from "./errors.js";
import { truncateText } from "../delivery/text.js";
import { readBodyCapped } from "../net/body.js";

/** Default byte cap on a feed body after content decoding: 5 MiB. */
export const DEFAULT_MAX_FEED_BYTES = 5 * 1024 * 1024;
/** Default User-Agent sent with every feed request. */
export const DEFAULT_USER_AGENT = "Newsdesk/0.1 (+feed reader)";
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** Every address a host name resolves to (IPv4 and IPv6). */
export type LookupHost = (hostname: string) => Promise<string[]>;

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
  /**
   * Hosts a redirect may lead to although they are (or resolve to) a loopback, private, link-local
   * or unique-local address (config `poll.allowHosts`). Default [].
   */
  allowHosts?: readonly string[];
  /**
   * True (default) for a URL the operator configured: it is fetched wherever it points, and so are
   * redirects within its own origin. False for a URL from elsewhere (e.g. added from chat): the URL
   * itself is checked like a redirect target on every fetch.
   */
  trustFeedUrl?: boolean;
  /** DNS used to check redirect targets; default node's resolver (all addresses). */
  lookup?: LookupHost;
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
      /** The Content-Location header as sent (the document's own URL, a base for its relative links). */
      contentLocation?: string;
    };

/** Parses a feed URL (relative to `base`, for a Location header): only absolute http(s) URLs pass. */
export function parseFeedUrl(raw: string | URL, base?: string): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch (err) {
    throw new FeedError("bad-url", `invalid URL: ${truncateText(String(raw), 200)}`, { cause: err });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new FeedError("bad-url", `unsupported URL scheme ${url.protocol}`);
  }
  return url;
}

/**
 * Checks a URL that did not come from the operator's config (a redirect target, a feed added from
 * chat): it must be http(s), and its host must not be, or resolve to, a loopback, private,
 * link-local or unique-local address unless the host (or each such address) is in `allowHosts`.
 * Throws FeedError "bad-url" when refused, "network" when the name does not resolve.
 *
 * The answer holds for this lookup: `fetch` resolves the name again, so a hostile DNS server that
 * changes its answer in between (rebinding) is not stopped here; that needs a pinned resolver.
 */
export async function checkFeedUrl(
  url: string | URL,
  allowHosts: readonly string[] = [],
  lookup: LookupHost = lookupAll,
): Promise<URL> {
  const parsed = parseFeedUrl(url);
  const allowed = new Set(allowHosts.map(normaliseHost));
  const host = normaliseHost(parsed.hostname);
  if (allowed.has(host)) return parsed;
  const refuse = (address: string, category: string): FeedError =>
    new FeedError(
      "bad-url",
      `${address === host ? host : `${host} (${address})`} is a ${category} address; list the host in poll.allowHosts to allow it`,
    );
  if (isIP(host) !== 0) {
    const category = internalAddressCategory(host);
    if (category) throw refuse(host, category);
    return parsed;
  }
  // RFC 6761: these are loopback whatever a resolver says.
  if (host === "localhost" || host.endsWith(".localhost")) throw refuse(host, "loopback");
  let addresses: string[];
  try {
    addresses = await lookup(host);
  } catch (err) {
    throw new FeedError("network", `${host}: cannot resolve (${describeNetworkError(err)})`, { cause: err });
  }
  for (const address of addresses) {
    const normalised = normaliseHost(address);
    const category = internalAddressCategory(normalised);
    if (category && !allowed.has(normalised)) throw refuse(normalised, category);
  }
  return parsed;
}

/**
 * What kind of internal address `ip` is ("loopback", "private", "link-local", "unique-local",
 * "unspecified", "shared"), or undefined for an ordinary public address or a non-IP.
 * IPv4-mapped and IPv4-compatible IPv6 addresses are judged by their IPv4 part.
 */
export function internalAddressCategory(ip: string): string | undefined {
  const bare = ip.replace(/^\[(.*)\]$/, "$1");
  const family = isIP(bare);
  if (family === 4) return ipv4Category(bare.split(".").map(Number));
  if (family !== 6) return undefined;
  const groups = ipv6Groups(bare);
  if (!groups) return undefined;
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const zeroPrefix = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (zeroPrefix && g5 === 0 && g6 === 0 && g7 === 0) return "unspecified";
  if (zeroPrefix && g5 === 0 && g6 === 0 && g7 === 1) return "loopback";
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated) reach the IPv4 address.
  if (zeroPrefix && (g5 === 0xffff || g5 === 0)) return ipv4Category([g6 >> 8, g6 & 255, g7 >> 8, g7 & 255]);
  if ((g0 & 0xfe00) === 0xfc00) return "unique-local";
  if ((g0 & 0xffc0) === 0xfe80) return "link-local";
  // fec0::/10, the deprecated site-local range, is still routed inside some networks.
  if ((g0 & 0xffc0) === 0xfec0) return "private";
  return undefined;
}

function ipv4Category([a = 0, b = 0]: number[]): string | undefined {
  if (a === 0) return "unspecified";
  if (a === 127) return "loopback";
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "private";
  if (a === 169 && b === 254) return "link-local";
  // 100.64/10, carrier-grade NAT and overlay networks (e.g. Tailscale): internal too.
  if (a === 100 && b >= 64 && b <= 127) return "shared";
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (an embedded dotted IPv4 tail included). */
function ipv6Groups(ip: string): number[] | undefined {
  let text = ip.toLowerCase().split("%")[0] ?? "";
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const parse = (part: string): number[] => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  const groups = [...left, ...Array<number>(missing).fill(0), ...right];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}

/** Lower case, no brackets, no trailing dot; IPv6 in the URL parser's canonical form. */
function normaliseHost(host: string): string {
  const bare = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
  if (isIP(bare) === 6) {
    try {
      return new URL(`http://[${bare}]/`).hostname.replace(/^\[(.*)\]$/, "$1");
    } catch {
      return bare;
    }
  }
  return bare;
}

const lookupAll: LookupHost = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

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

  const allowHosts = options.allowHosts ?? [];
  const lookup = options.lookup ?? lookupAll;
  const onAbort = (err: unknown): FeedError =>
    timeoutSignal.aborted
      ? new FeedError("timeout", `no complete response within ${timeoutMs} ms`, { cause: err })
      : new FeedError("network", "request aborted", { cause: err });
  const trustFeedUrl = options.trustFeedUrl ?? true;
  let url = trustFeedUrl ? parseFeedUrl(feedUrl) : await withSignal(checkFeedUrl(feedUrl, allowHosts, lookup), signal, onAbort);
  // The operator pointed us at this origin, so a redirect within it (/rss → /rss/) is theirs too.
  const trusted = trustFeedUrl ? url : undefined;

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
      let target: URL;
      try {
        target = parseFeedUrl(location, url.href);
      } catch (err) {
        throw new FeedError("redirect", `redirect to a refused URL`, { status: res.status, cause: err });
      }
      if (!trusted || !withinOrigin(target, trusted)) {
        try {
          await withSignal(checkFeedUrl(target, allowHosts, lookup), signal, onAbort);
        } catch (err) {
          if (!(err instanceof FeedError) || err.kind !== "bad-url") throw err;
          // Never requested: a hostile feed must not reach the newsroom's internal network.
          throw new FeedError("redirect", `HTTP ${res.status} redirect to ${target.host} refused: ${err.message}`, {
            status: res.status,
            cause: err,
          });
        }
      }
      url = target;
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
    const contentLocation = res.headers.get("content-location");
    if (contentLocation) result.contentLocation = contentLocation;
    return result;
  }
}

/** Same origin as the configured URL, or its http → https upgrade on the default ports. */
function withinOrigin(target: URL, feed: URL): boolean {
  if (target.origin === feed.origin) return true;
  return feed.protocol === "http:" && feed.port === "" && target.protocol === "https:" && target.port === "" && target.hostname === feed.hostname;
}

/** Awaits `work` unless `signal` aborts first (a DNS lookup has no signal of its own). */
function withSignal<T>(work: Promise<T>, signal: AbortSignal, onAbort: (err: unknown) => FeedError): Promise<T> {
  if (signal.aborted) return Promise.reject(onAbort(signal.reason));
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => reject(onAbort(signal.reason));
    signal.addEventListener("abort", abort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener("abort", abort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", abort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
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
  let body: Uint8Array | "too-large";
  try {
    body = await readBodyCapped(res.body as ReadableStream<Uint8Array>, maxBytes);
  } catch (err) {
    if (signal.aborted) throw onAbort(err);
    throw new FeedError("network", `body read failed: ${describeNetworkError(err)}`, { cause: err });
  }
  if (body === "too-large") throw new FeedError("too-large", `body exceeds ${maxBytes} bytes`);
  return body;
}

function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause;
    if (cause instanceof Error && "code" in cause) return `${err.message} (${String(cause.code)})`;
    return err.message;
  }
  return String(err);
}
