import { createServer, type Server } from "node:net";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { HttpListenError, serveHttp, type ServeHttpOptions } from "../../src/http/serve.js";
import type { HttpServer } from "../../src/http/server.js";
import { createMetrics } from "../../src/metrics.js";
import { openStore, type Store } from "../../src/store/index.js";

let store: Store | undefined;
let served: HttpServer | null = null;
let blocker: Server | undefined;
afterEach(async () => {
  await served?.close();
  served = null;
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  blocker = undefined;
  await store?.close();
  store = undefined;
});

const setWebhookCalls: string[] = [];
async function options(over: Partial<ServeHttpOptions>): Promise<ServeHttpOptions> {
  store = await openStore("sqlite://:memory:");
  const noCall = () => Promise.reject(new Error("no Bot API call expected"));
  return {
    mode: { kind: "polling" },
    port: 0,
    store,
    metrics: createMetrics({ processMetrics: false }),
    logger: pino({ level: "silent" }),
    bot: {
      botInfo: { id: 1, is_bot: true, first_name: "B", username: "b_bot", can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: true },
      telegram: {
        getMe: noCall,
        setWebhook: (url) => {
          setWebhookCalls.push(url);
          return Promise.resolve(true);
        },
      },
      handleUpdate: noCall,
    },
    ...over,
  };
}

/** A port that was free a moment ago (port 0 turns the polling-mode server off). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** Holds a port on 127.0.0.1 the way another program would. */
async function occupyPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  blocker = srv;
  return (srv.address() as { port: number }).port;
}

describe("serveHttp binding", () => {
  it("binds 127.0.0.1 when no host is given, so /metrics is not on the network", async () => {
    served = await serveHttp(await options({ port: await freePort() }));
    expect(served).not.toBeNull();
    expect(served!.server.address()).toMatchObject({ address: "127.0.0.1" });
  });

  it("binds the configured host", async () => {
    served = await serveHttp(await options({ port: await freePort(), host: "0.0.0.0" }));
    expect(served!.server.address()).toMatchObject({ address: "0.0.0.0" });
  });

  it("names a busy port and how to change it (polling mode: PORT or http.port)", async () => {
    const port = await occupyPort();
    const err: unknown = await serveHttp(await options({ port })).then(
      () => new Error("expected serveHttp to fail"),
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HttpListenError);
    const message = (err as Error).message;
    expect(message).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(message).toMatch(/\bPORT\b/);
    expect(message).toContain("http.port");
    expect(message).not.toMatch(/^listen EADDRINUSE/);
    expect(err).toMatchObject({ code: "EADDRINUSE", port, host: "127.0.0.1" });
  });

  it("names a busy port in webhook mode, says PORT, and sets no webhook", async () => {
    const port = await occupyPort();
    setWebhookCalls.length = 0;
    const opts = await options({
      port,
      mode: { kind: "webhook", url: "https://bot.example.org/hook", secret: "0123456789abcdef", port },
    });
    await expect(serveHttp(opts)).rejects.toThrow(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use.*set PORT`));
    expect(setWebhookCalls).toEqual([]);
  });

  it("says that http.host is not an address of this machine", async () => {
    // 192.0.2.0/24 is TEST-NET-1: never assigned to a local interface.
    await expect(serveHttp(await options({ port: await freePort(), host: "192.0.2.1" }))).rejects.toThrow(/192\.0\.2\.1 is not an address of this machine; set http\.host/);
  });
});
