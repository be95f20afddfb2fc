import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { HealthReport } from "./health.js";
import type { HttpLogger, WebhookHandler } from "./webhook.js";

export interface HttpServerOptions {
  logger: HttpLogger;
  /** Runs the /healthz checks; omit to serve no /healthz. */
  health?: () => Promise<HealthReport>;
  /** Registry rendered on /metrics; omit to serve no /metrics. */
  metrics?: Registry;
  /** Webhook mode: the path of WEBHOOK_URL (e.g. "/telegram/abc") and its handler. */
  webhook?: { path: string; handler: WebhookHandler };
  /** How long close() waits for accepted updates to finish. Default 8000 (main.ts kills at 10 s). */
  drainTimeoutMs?: number;
}

/** One node:http server for /healthz, /metrics and, in webhook mode, the webhook. */
export interface HttpServer {
  readonly server: Server;
  /** Starts listening; resolves with the bound port (useful with port 0 in tests). */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting connections, waits for in-flight updates, then closes idle keep-alive sockets. */
  close(): Promise<void>;
}

/** Builds the server; nothing listens until listen(). */
export function createHttpServer(opts: HttpServerOptions): HttpServer {
  const drainTimeoutMs = opts.drainTimeoutMs ?? 8000;

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (opts.webhook && path === opts.webhook.path) return opts.webhook.handler.handle(req, res);
    const readOnly = req.method === "GET" || req.method === "HEAD";
    if (path === "/healthz" && opts.health && readOnly) {
      const report = await opts.health();
      return send(res, report.status === "ok" ? 200 : 503, "application/json", JSON.stringify(report));
    }
    if (path === "/metrics" && opts.metrics && readOnly) {
      return send(res, 200, opts.metrics.contentType, await opts.metrics.metrics());
    }
    send(res, 404, "text/plain; charset=utf-8", "not found\n");
  };

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      opts.logger.error({ err, path: req.url?.split("?")[0] }, "http request failed");
      if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", "internal error\n");
      else res.destroy();
    });
  });
  // Telegram and load balancers keep connections open; bound how long a slow client may hold one.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    async close() {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await opts.webhook?.handler.drain(drainTimeoutMs);
      // Whatever is still open now is a client that would keep us alive past the deadline.
      server.closeAllConnections();
      await closed;
    },
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  res.end(res.req.method === "HEAD" ? undefined : body);
}
