import type { Update, UserFromGetMe } from "telegraf/types";
import type Keyv from "keyv";
import type { UpdateMode } from "../../config/load.js";
import type { Metrics } from "../metrics.js";
import { KeyvDeduper, type UpdateDeduper } from "./dedupe.js";
import { createHealthProbe, type HealthChecks } from "./health.js";
import { registerWebhook, webhookPath, type WebhookApi } from "./register.js";
import { createHttpServer, type HttpServer } from "./server.js";
import { createWebhookHandler, type HttpLogger } from "./webhook.js";

/** Where the HTTP server listens unless `http.host` says otherwise. */
export const DEFAULT_HTTP_HOST = "127.0.0.1";

/** The HTTP server could not listen; the message says which port or host and what to change. */
export class HttpListenError extends Error {
  override readonly name = "HttpListenError";

  constructor(
    message: string,
    readonly code: string,
    readonly port: number,
    readonly host: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Turns listen's EADDRINUSE & co. into a sentence an operator can act on. */
function listenError(err: unknown, port: number, host: string, mode: UpdateMode["kind"]): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  // In webhook mode the port is PORT only (http.port is for polling mode).
  const change =
    mode === "webhook"
      ? "set PORT to a free port (and point your proxy or WEBHOOK_URL at it)"
      : "set PORT or http.port in the config file to a free port, or 0 to turn the HTTP server (/healthz, /metrics) off";
  switch (code) {
    case "EADDRINUSE":
      return new HttpListenError(
        `HTTP port ${port} on ${host} is already in use (another Newsdesk or another program): ${change}`,
        code,
        port,
        host,
        { cause: err },
      );
    case "EACCES":
      return new HttpListenError(`no permission to listen on HTTP port ${port} on ${host} (ports below 1024 need privileges): ${change}`, code, port, host, { cause: err });
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new HttpListenError(
        `cannot listen on ${host}:${port}: ${host} is not an address of this machine; set http.host (default ${DEFAULT_HTTP_HOST}, 0.0.0.0 for every interface)`,
        code,
        port,
        host,
        { cause: err },
      );
    default:
      return err;
  }
}

/** The parts of a Telegraf bot the webhook needs (a Telegraf instance fits). */
export interface WebhookBot {
  botInfo?: UserFromGetMe;
  telegram: WebhookApi & { getMe(): Promise<UserFromGetMe> };
  handleUpdate(update: Update): Promise<unknown>;
}

export interface ServeHttpOptions {
  mode: UpdateMode;
  /** 0 disables the server (polling mode only; webhook mode always has a port). */
  port: number;
  /** Interface to bind (config `http.host`). Default "127.0.0.1", so /metrics is not on the network. */
  host?: string;
  store: { ping(): Promise<void>; namespace(name: string): Keyv };
  metrics: Metrics;
  logger: HttpLogger & { info(obj: object, msg?: string): void };
  bot: WebhookBot;
  /** Claims each update_id once; default a KeyvDeduper on the store (several instances on Redis pass an atomic SET NX one). */
  deduper?: UpdateDeduper;
  /** Extra /healthz checks (poll age, outbox backlog) once the poller and outbox exist. */
  health?: Omit<HealthChecks, "pingStore">;
}

/**
 * Starts /healthz and /metrics and, in webhook mode, the webhook: the server listens before
 * setWebhook so Telegram's first POST finds it. Returns null when the port is 0 in polling mode.
 */
export async function serveHttp(opts: ServeHttpOptions): Promise<HttpServer | null> {
  const { mode, bot, logger, metrics } = opts;
  if (mode.kind === "polling" && opts.port === 0) return null;

  let webhook: Parameters<typeof createHttpServer>[0]["webhook"];
  if (mode.kind === "webhook") {
    // handleUpdate would otherwise call getMe lazily, once per concurrent first update.
    bot.botInfo ??= await bot.telegram.getMe();
    const handler = createWebhookHandler({
      secret: mode.secret,
      handleUpdate: (update) => bot.handleUpdate(update),
      deduper: opts.deduper ?? new KeyvDeduper(opts.store.namespace("webhook_updates")),
      logger,
      metrics,
    });
    webhook = { path: webhookPath(mode.url), handler };
  }

  const server = createHttpServer({
    logger,
    metrics: metrics.registry,
    health: createHealthProbe({ ...opts.health, pingStore: () => opts.store.ping() }),
    webhook,
  });
  const host = opts.host ?? DEFAULT_HTTP_HOST;
  let port: number;
  try {
    port = await server.listen(opts.port, host);
  } catch (err) {
    throw listenError(err, opts.port, host, mode.kind);
  }
  logger.info({ port, webhook: webhook !== undefined }, "http server listening (/healthz, /metrics)");

  if (mode.kind === "webhook") {
    try {
      await registerWebhook(bot.telegram, mode.url, { secretToken: mode.secret });
    } catch (err) {
      await server.close();
      throw err;
    }
    // The URL's path may itself be secret-ish; the host is enough to recognise it.
    logger.info({ host: new URL(mode.url).host, bot: bot.botInfo?.username }, "webhook set");
  }
  return server;
}
