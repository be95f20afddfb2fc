import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FeedError } from "../../src/feeds/errors.js";
import { charsetFromContentType, fetchFeed, type FetchFeedOptions } from "../../src/feeds/fetch.js";
import { rss } from "./helpers.js";
import { TestServer } from "./server.js";

const server = new TestServer();
const body = rss([{ title: "One", link: "https://x.example/1" }]);

beforeAll(async () => {
  await server.start();
  server.routes.set("/feed", (req, res) => {
    if (req.headers["if-none-match"] === '"v1"' || req.headers["if-modified-since"] === "Tue, 05 Mar 2024 00:00:00 GMT") {
      res.statusCode = 304;
      res.end();
      return;
    }
    res.setHeader("content-type", "application/rss+xml; charset=GB2312");
    res.setHeader("etag", '"v1"');
    res.setHeader("last-modified", "Tue, 05 Mar 2024 00:00:00 GMT");
    res.end(body);
  });
  server.routes.set("/gzip", (_req, res) => {
    res.setHeader("content-encoding", "gzip");
    res.end(gzipSync(Buffer.from(body)));
  });
  server.routes.set("/gzip-bomb", (_req, res) => {
    res.setHeader("content-encoding", "gzip");
    res.end(gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20)));
  });
  server.routes.set("/slow", (_req, res) => {
    res.setHeader("content-type", "text/xml");
    res.write("<rss>");
    // Never finishes: the timeout must cover the body read too.
  });
  server.routes.set("/hang", () => undefined);
  server.routes.set("/500", (_req, res) => {
    res.statusCode = 500;
    res.end("oops");
  });
  server.routes.set("/endless", (_req, res) => {
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    const pump = (): void => {
      while (res.write(chunk)) {
        /* keep writing until backpressure */
      }
      res.once("drain", pump);
    };
    res.on("error", () => undefined);
    pump();
  });
  server.routes.set("/oversize", (_req, res) => {
    res.setHeader("content-length", String(3 * 1024 * 1024));
    res.end(Buffer.alloc(3 * 1024 * 1024, 0x41));
  });
  server.routes.set("/loop", (_req, res) => {
    res.statusCode = 302;
    res.setHeader("location", "/loop");
    res.end();
  });
  server.routes.set("/hop", (_req, res) => {
    res.statusCode = 301;
    res.setHeader("location", "/feed");
    res.end();
  });
  server.routes.set("/to-ftp", (_req, res) => {
    res.statusCode = 302;
    res.setHeader("location", "ftp://127.0.0.1/feed");
    res.end();
  });
});
afterAll(() => server.stop());

async function kindOf(path: string, options: FetchFeedOptions = {}): Promise<string> {
  try {
    await fetchFeed(server.url(path), options);
    return "ok";
  } catch (err) {
    return err instanceof FeedError ? err.kind : `untyped: ${String(err)}`;
  }
}

describe("fetchFeed against a local server", () => {
  it("reads the body, charset and validators, sending our User-Agent", async () => {
    const res = await fetchFeed(server.url("/feed"));
    expect(res.status).toBe("ok");
    if (res.status !== "ok") return;
    expect(Buffer.from(res.bytes).toString()).toBe(body);
    expect(res).toMatchObject({ charset: "gb2312", etag: '"v1"', lastModified: "Tue, 05 Mar 2024 00:00:00 GMT" });
    expect(server.requests.at(-1)!.headers["user-agent"]).toBe("Newsdesk/0.1 (+feed reader)");
  });

  it("conditional GET: ETag or Last-Modified → not-modified", async () => {
    expect(await fetchFeed(server.url("/feed"), { etag: '"v1"' })).toEqual({ status: "not-modified", url: server.url("/feed") });
    expect((await fetchFeed(server.url("/feed"), { lastModified: "Tue, 05 Mar 2024 00:00:00 GMT" })).status).toBe("not-modified");
    expect(server.requests.at(-1)!.headers["if-modified-since"]).toBe("Tue, 05 Mar 2024 00:00:00 GMT");
  });

  it("gzip content-encoding is decoded", async () => {
    const res = await fetchFeed(server.url("/gzip"));
    expect(res.status === "ok" && Buffer.from(res.bytes).toString()).toBe(body);
  });

  it("a gzip bomb stops at the decoded byte cap", async () => {
    expect(await kindOf("/gzip-bomb", { maxBytes: 1024 * 1024 })).toBe("too-large");
  });

  it("slow body and silent server → timeout", async () => {
    expect(await kindOf("/slow", { timeoutMs: 300 })).toBe("timeout");
    expect(await kindOf("/hang", { timeoutMs: 300 })).toBe("timeout");
  });

  it("HTTP 500 → http-status with the status", async () => {
    await expect(fetchFeed(server.url("/500"))).rejects.toMatchObject({ kind: "http-status", status: 500 });
  });

  it("endless body and declared oversize → too-large", async () => {
    expect(await kindOf("/endless", { maxBytes: 1024 * 1024 })).toBe("too-large");
    expect(await kindOf("/oversize", { maxBytes: 1024 * 1024 })).toBe("too-large");
  });

  it("redirects are followed, re-checked and bounded", async () => {
    const res = await fetchFeed(server.url("/hop"));
    expect(res).toMatchObject({ status: "ok", url: server.url("/feed") });
    expect(await kindOf("/loop")).toBe("redirect");
    expect(await kindOf("/to-ftp")).toBe("redirect");
  });

  it("bad URLs and refused connections are typed", async () => {
    await expect(fetchFeed("file:///etc/passwd")).rejects.toMatchObject({ kind: "bad-url" });
    await expect(fetchFeed("not a url")).rejects.toMatchObject({ kind: "bad-url" });
    await expect(fetchFeed("http://127.0.0.1:1/feed", { timeoutMs: 2000 })).rejects.toMatchObject({ kind: "network" });
  });

  it("parses Content-Type charsets", () => {
    expect(charsetFromContentType('text/xml; charset="Big5"')).toBe("big5");
    expect(charsetFromContentType("text/xml")).toBeUndefined();
  });
});
