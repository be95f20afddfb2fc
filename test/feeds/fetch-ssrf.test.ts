import type { IncomingMessage, ServerResponse } from "node:http";
import Keyv from "keyv";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Article } from "../../src/articles/article.js";
import { ArticleArchive } from "../../src/articles/archive.js";
import { FeedError } from "../../src/feeds/errors.js";
import { checkFeedUrl, fetchFeed, internalAddressCategory, type FetchLike, type LookupHost } from "../../src/feeds/fetch.js";
import { createInlineProcessor } from "../../src/feeds/parse-pool.js";
import { FeedScheduler, type PollConfig } from "../../src/feeds/scheduler.js";
import { rss } from "./helpers.js";
import { TestServer } from "./server.js";

// A hostile feed (the operator subscribed to it; here on loopback like any local test server) and
// the newsroom's internal service on another port, which must never see a request from a redirect.
const hostile = new TestServer();
const internal = new TestServer();
const internalFeed = rss([{ title: "Internal salary list", link: "https://intranet.example/secret", guid: "secret-1" }]);

const redirect = (status: number, location: () => string) => (_req: IncomingMessage, res: ServerResponse) => {
  res.statusCode = status;
  res.setHeader("location", location());
  res.end();
};

beforeAll(async () => {
  await Promise.all([hostile.start(), internal.start()]);
  internal.routes.set("/internal.rss", (_req, res) => {
    res.setHeader("content-type", "application/rss+xml");
    res.end(internalFeed);
  });
  internal.routes.set("/admin/delete", (_req, res) => res.end("deleted everything"));
  const internalPort = new URL(internal.base).port;
  hostile.routes.set("/to-internal", redirect(302, () => internal.url("/internal.rss")));
  hostile.routes.set("/to-admin", redirect(307, () => `http://localhost:${internalPort}/admin/delete?all=1`));
  hostile.routes.set("/to-mapped", redirect(301, () => `http://[::ffff:127.0.0.1]:${internalPort}/internal.rss`));
  hostile.routes.set("/to-hex", redirect(302, () => `http://0x7f000001:${internalPort}/internal.rss`));
  hostile.routes.set("/hop", redirect(301, () => "/feed"));
  hostile.routes.set("/feed", (_req, res) => res.end(rss([{ title: "Public", link: "https://x.example/1" }])));
});
afterAll(() => Promise.all([hostile.stop(), internal.stop()]));
beforeEach(() => {
  internal.requests.length = 0;
});

async function failure(p: Promise<unknown>): Promise<FeedError> {
  const err = await p.then(
    () => new Error("expected the fetch to fail"),
    (e: unknown) => e,
  );
  if (!(err instanceof FeedError)) throw err instanceof Error ? err : new Error(String(err));
  return err;
}

describe("redirects into the internal network (local feed servers)", () => {
  it("refuses a 302 to 127.0.0.1 and never requests it", async () => {
    const err = await failure(fetchFeed(hostile.url("/to-internal")));
    expect(err.kind).toBe("redirect");
    expect(err.status).toBe(302);
    expect(err.message).toMatch(/refused: 127\.0\.0\.1 is a loopback address; list the host in poll\.allowHosts/);
    expect(internal.requests).toEqual([]);
  });

  it("refuses a 307 to localhost (the admin endpoint is never hit)", async () => {
    const err = await failure(fetchFeed(hostile.url("/to-admin")));
    expect(err).toMatchObject({ kind: "redirect", status: 307 });
    expect(err.message).toContain("localhost");
    expect(internal.requests).toEqual([]);
  });

  it("refuses IPv4-mapped IPv6 and numeric spellings of loopback", async () => {
    for (const path of ["/to-mapped", "/to-hex"]) {
      expect((await failure(fetchFeed(hostile.url(path)))).kind, path).toBe("redirect");
    }
    expect(internal.requests).toEqual([]);
  });

  it("follows it when the operator allows the host in poll.allowHosts", async () => {
    const res = await fetchFeed(hostile.url("/to-internal"), { allowHosts: ["127.0.0.1"] });
    expect(res.status === "ok" && Buffer.from(res.bytes).toString()).toBe(internalFeed);
    expect(internal.requests.map((r) => r.path)).toEqual(["/internal.rss"]);
    // localhost resolves to loopback addresses; allowing the name is enough.
    const admin = await fetchFeed(hostile.url("/to-admin"), { allowHosts: ["LOCALHOST"] });
    expect(admin.status).toBe("ok");
  });

  it("keeps a configured feed on 127.0.0.1 working, redirects within its own origin included", async () => {
    const direct = await fetchFeed(internal.url("/internal.rss"));
    expect(direct.status).toBe("ok");
    const hop = await fetchFeed(hostile.url("/hop"));
    expect(hop).toMatchObject({ status: "ok", url: hostile.url("/feed") });
  });

  it("checks the feed URL itself when it did not come from the config (trustFeedUrl: false)", async () => {
    const err = await failure(fetchFeed(internal.url("/internal.rss"), { trustFeedUrl: false }));
    expect(err.kind).toBe("bad-url");
    expect(internal.requests).toEqual([]);
    expect((await fetchFeed(internal.url("/internal.rss"), { trustFeedUrl: false, allowHosts: ["127.0.0.1"] })).status).toBe("ok");
  });
});

/** A fetch that answers the first request with a redirect to `target` and any other with a feed, recording URLs. */
function redirector(target: string, status = 302): { fetchImpl: FetchLike; requested: string[] } {
  const requested: string[] = [];
  const fetchImpl: FetchLike = (input) => {
    requested.push(String(input));
    if (requested.length === 1) return Promise.resolve(new Response(null, { status, headers: { location: target } }));
    return Promise.resolve(new Response(internalFeed, { status: 200 }));
  };
  return { fetchImpl, requested };
}

const START = "https://feeds.example.org/rss";
const publicDns: LookupHost = () => Promise.resolve(["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"]);

describe("redirect targets by address", () => {
  it.each([
    "http://10.1.2.3/feed",
    "http://172.16.0.1/feed",
    "http://172.31.255.255/feed",
    "http://192.168.1.1/feed",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0:8080/",
    "http://127.255.0.1/",
    "http://2130706433/",
    "http://[::1]:6379/",
    "http://[::]/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[fe80::1]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://100.100.100.100/",
  ])("refuses %s without requesting it", async (target) => {
    const { fetchImpl, requested } = redirector(target);
    const err = await failure(fetchFeed(START, { fetchImpl, lookup: publicDns }));
    expect(err.kind).toBe("redirect");
    expect(requested).toEqual([START]);
  });

  it("refuses a name that resolves to a private address (any of its addresses)", async () => {
    for (const addresses of [["192.168.7.7"], ["93.184.216.34", "10.0.0.1"], ["fd00::5"], ["::ffff:127.0.0.1"]]) {
      const { fetchImpl, requested } = redirector("http://cms.newsroom.test/feed");
      const err = await failure(fetchFeed(START, { fetchImpl, lookup: () => Promise.resolve(addresses) }));
      expect(err.kind, addresses.join()).toBe("redirect");
      expect(err.message).toContain("cms.newsroom.test (");
      expect(requested).toEqual([START]);
    }
  });

  it("follows redirects to public addresses and names", async () => {
    for (const target of ["https://cdn.example.net/rss.xml", "http://93.184.216.34/rss", "http://[2001:4860::8888]/rss", "http://172.32.0.1/", "http://100.128.0.1/"]) {
      const { fetchImpl, requested } = redirector(target);
      const res = await fetchFeed(START, { fetchImpl, lookup: publicDns });
      expect(res.status, target).toBe("ok");
      expect(requested).toEqual([START, target]);
    }
  });

  it("allows a private address by host name or by the address it resolves to", async () => {
    const lookup: LookupHost = () => Promise.resolve(["10.0.0.7"]);
    for (const allowHosts of [["cms.newsroom.test"], ["10.0.0.7"], ["CMS.Newsroom.Test."]]) {
      const { fetchImpl } = redirector("http://cms.newsroom.test/feed");
      expect((await fetchFeed(START, { fetchImpl, lookup, allowHosts })).status, allowHosts.join()).toBe("ok");
    }
    const v6 = redirector("http://[::1]:8080/feed");
    expect((await fetchFeed(START, { fetchImpl: v6.fetchImpl, allowHosts: ["::1"] })).status).toBe("ok");
    const mapped = redirector("http://[::ffff:127.0.0.1]/feed");
    expect((await fetchFeed(START, { fetchImpl: mapped.fetchImpl, allowHosts: ["[::ffff:7f00:1]"] })).status).toBe("ok");
  });

  it("trusts only the configured URL's own origin (and its upgrade to https), not its host's other ports", async () => {
    const lookup: LookupHost = () => Promise.resolve(["10.0.0.7"]);
    const feed = "http://cms.newsroom.test/rss";
    for (const target of ["http://cms.newsroom.test/rss/", "https://cms.newsroom.test/rss"]) {
      const { fetchImpl } = redirector(target);
      expect((await fetchFeed(feed, { fetchImpl, lookup })).status, target).toBe("ok");
    }
    for (const target of ["http://cms.newsroom.test:6379/", "https://cms.newsroom.test:8443/rss", "http://wiki.newsroom.test/rss"]) {
      const { fetchImpl, requested } = redirector(target);
      expect((await failure(fetchFeed(feed, { fetchImpl, lookup }))).kind, target).toBe("redirect");
      expect(requested).toEqual([feed]);
    }
  });

  it("checks every hop, not only the first", async () => {
    const requested: string[] = [];
    const hops = ["https://a.example.net/1", "http://192.168.0.10/2"];
    const fetchImpl: FetchLike = (input) => {
      requested.push(String(input));
      const next = hops[requested.length - 1];
      return Promise.resolve(next ? new Response(null, { status: 301, headers: { location: next } }) : new Response(internalFeed));
    };
    const err = await failure(fetchFeed(START, { fetchImpl, lookup: publicDns }));
    expect(err).toMatchObject({ kind: "redirect", status: 301 });
    expect(requested).toEqual([START, "https://a.example.net/1"]);
  });

  it("a name that does not resolve is a network error, not a refusal", async () => {
    const { fetchImpl } = redirector("http://gone.example.test/feed");
    const lookup: LookupHost = () => Promise.reject(Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" }));
    expect((await failure(fetchFeed(START, { fetchImpl, lookup }))).kind).toBe("network");
  });
});

describe("checkFeedUrl (for feeds added from chat)", () => {
  it("passes public URLs and refuses internal ones unless allowed", async () => {
    expect((await checkFeedUrl("https://news.example.org/rss", [], publicDns)).href).toBe("https://news.example.org/rss");
    await expect(checkFeedUrl("http://127.0.0.1:8080/rss", [])).rejects.toMatchObject({ kind: "bad-url" });
    await expect(checkFeedUrl("http://metadata.internal/", [], () => Promise.resolve(["169.254.169.254"]))).rejects.toThrow(
      /metadata\.internal \(169\.254\.169\.254\) is a link-local address/,
    );
    await expect(checkFeedUrl("ftp://news.example.org/rss", [])).rejects.toMatchObject({ kind: "bad-url" });
    expect((await checkFeedUrl("http://127.0.0.1:8080/rss", ["127.0.0.1"])).port).toBe("8080");
  });

  it("classifies addresses", () => {
    const table: Array<[string, string | undefined]> = [
      ["127.0.0.1", "loopback"],
      ["10.255.255.255", "private"],
      ["172.15.0.1", undefined],
      ["172.16.0.1", "private"],
      ["192.168.0.1", "private"],
      ["192.169.0.1", undefined],
      ["169.254.1.1", "link-local"],
      ["0.1.2.3", "unspecified"],
      ["8.8.8.8", undefined],
      ["::1", "loopback"],
      ["[::1]", "loopback"],
      ["::", "unspecified"],
      ["fc00::", "unique-local"],
      ["fdff:ffff::1", "unique-local"],
      ["fe80::1%eth0", "link-local"],
      ["febf::1", "link-local"],
      ["::ffff:192.168.1.1", "private"],
      ["::ffff:c0a8:101", "private"],
      ["::ffff:8.8.8.8", undefined],
      ["2001:db8::1", undefined],
      ["not-an-ip", undefined],
    ];
    for (const [ip, category] of table) expect(internalAddressCategory(ip), ip).toBe(category);
  });
});

describe("FeedScheduler with poll.allowHosts", () => {
  const poll: PollConfig = { schedule: "*/10 * * * *", timeoutSeconds: 2, maxFeedBytes: 1 << 20, concurrency: 2, perHostConcurrency: 2, maxBackoffMinutes: 60, alertAfterMinutes: 30 };

  function scheduler(feedPath: string, allowHosts?: string[]) {
    const archive = new ArticleArchive(new Keyv());
    const archived: Article[] = [];
    const s = new FeedScheduler({
      feeds: [{ id: "hostile", url: hostile.url(feedPath), name: "Hostile", topics: [] }],
      poll: allowHosts ? { ...poll, allowHosts } : poll,
      timeZone: "Asia/Shanghai",
      store: new Keyv(),
      archive,
      processor: createInlineProcessor(),
      onArchived: (articles) => archived.push(...articles),
    });
    return { s, archived };
  }

  it("records a refused redirect in feed health and delivers nothing from the internal server", async () => {
    const { s, archived } = scheduler("/to-internal");
    const summary = await s.pollAll();
    expect(summary.errors).toEqual([expect.objectContaining({ feedId: "hostile", kind: "redirect" })]);
    const [health] = await s.health();
    expect(health).toMatchObject({ status: "failing", lastErrorKind: "redirect", lastErrorStatus: 302, consecutiveFailures: 1 });
    expect(health?.lastErrorMessage).toMatch(/redirect to 127\.0\.0\.1:\d+ refused: 127\.0\.0\.1 is a loopback address/);
    expect(archived).toEqual([]);
    expect(internal.requests).toEqual([]);
    await s.stop();
  });

  it("passes poll.allowHosts to the fetcher", async () => {
    const { s, archived } = scheduler("/to-internal", ["127.0.0.1"]);
    const summary = await s.pollAll();
    expect(summary).toMatchObject({ ok: 1, failed: 0 });
    expect(archived.map((a) => a.title)).toEqual(["Internal salary list"]);
    await s.stop();
  });
});
