import { createServer } from "node:net";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig, type AppConfig } from "../../config/load.js";
import { createApp, type App } from "../../src/app.js";
import { serveHttp } from "../../src/http/serve.js";
import { createMetrics } from "../../src/metrics.js";
import { openStore } from "../../src/store/index.js";
import { startBotApiDouble, type BotApiDouble } from "../support/bot-api-double.js";
import { command, user } from "../support/updates.js";
import { textUpdate } from "./helpers.js";

const SECRET = "app-test-secret_0123456789";
const TOKEN = "123456789:TEST-newsdesk-token-for-http-0123";

/** A port that was free a moment ago (the app needs a fixed port to tell Telegram its URL). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** Polls a condition (the double has no event for "update delivered"); fails after 5 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !condition(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(condition()).toBe(true);
}

function baseConfig(api: BotApiDouble): AppConfig {
  const loaded = loadConfig(
    { BOT_TOKEN: api.token, TELEGRAM_API_ROOT: api.apiRoot, LOG_LEVEL: "silent" },
    () => "",
  );
  if (!loaded.ok) throw new Error(loaded.problems.join("; "));
  return loaded.config;
}

let api: BotApiDouble | undefined;
let app: App | undefined;
afterEach(async () => {
  await app?.stop();
  await api?.close();
  app = undefined;
  api = undefined;
});

async function startApp(config: AppConfig): Promise<App> {
  const store = await openStore("sqlite://:memory:");
  app = await createApp({ config, logger: pino({ level: "silent" }), store });
  await app.start();
  return app;
}

describe("createApp in webhook mode", () => {
  it("sets the webhook with the secret, answers Telegram's POSTs, and handles a repeated update once", async () => {
    api = await startBotApiDouble({ token: TOKEN });
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/tg/hook`;
    await startApp({
      ...baseConfig(api),
      mode: { kind: "webhook", url, secret: SECRET, port },
      httpPort: port,
    });

    const set = api.calls.find((c) => c.method === "setWebhook");
    expect(set?.params).toMatchObject({ url, secret_token: SECRET, drop_pending_updates: false });
    expect(api.calls.some((c) => c.method === "getUpdates")).toBe(false);

    const reader = user();
    const start = command(reader, "/start");
    const chatId = start.message.chat.id;
    api.pushUpdate(start);
    api.pushUpdate(structuredClone(start));
    api.pushUpdate(command(reader, "/help"));
    await until(() => api!.stats().updatesDelivered === 3 && api!.sent(chatId).length >= 2);
    // The duplicate was answered 200 (so Telegram stops resending) but produced no second welcome.
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^newsdesk_webhook_requests_total\{status="200"\} 3$/m);
    expect(metrics).toMatch(/^newsdesk_updates_duplicate_total 1$/m);
    expect(api.sent(chatId)).toHaveLength(2);

    const forged = await fetch(url, { method: "POST", body: JSON.stringify(textUpdate(502, "/start")) });
    expect(forged.status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });
});

describe("createApp in polling mode", () => {
  it("deletes a stale webhook before polling and serves /healthz, which fails once the store is gone", async () => {
    api = await startBotApiDouble({ token: TOKEN });
    const port = await freePort();
    // A webhook left over from an earlier webhook-mode run: getUpdates answers 409 while it exists.
    const stale = await fetch(`${api.apiRoot}/bot${api.token}/setWebhook?url=https://old.example.org/hook`);
    expect(stale.ok).toBe(true);
    expect(api.webhookUrl()).toBe("https://old.example.org/hook");
    const started = await startApp({ ...baseConfig(api), httpPort: port });
    await until(() => api!.isLongPolling());
    expect(api.webhookUrl()).toBe("");
    expect(api.calls.find((c) => c.method === "deleteWebhook")?.params).not.toMatchObject({
      drop_pending_updates: true,
    });

    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await started.store.close();
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: "unhealthy", checks: { store: { ok: false } } });
  });

  it("fails to start with a message naming a busy port and how to change it", async () => {
    api = await startBotApiDouble({ token: TOKEN });
    const other = createServer();
    await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
    const { port } = other.address() as { port: number };
    try {
      const config = baseConfig(api);
      expect(config.http.host).toBe("127.0.0.1");
      await expect(startApp({ ...config, httpPort: port })).rejects.toThrow(
        `HTTP port ${port} on 127.0.0.1 is already in use (another Newsdesk or another program): set PORT or http.port`,
      );
      expect(api.calls.some((c) => c.method === "getUpdates")).toBe(false);
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });

  it("starts no HTTP server when httpPort is 0", async () => {
    api = await startBotApiDouble({ token: TOKEN });
    const store = await openStore("sqlite://:memory:");
    const noCall = () => Promise.reject(new Error("no Bot API call expected"));
    const server = await serveHttp({
      mode: { kind: "polling" },
      port: 0,
      store,
      metrics: createMetrics({ processMetrics: false }),
      logger: pino({ level: "silent" }),
      bot: { telegram: { getMe: noCall, setWebhook: noCall }, handleUpdate: noCall },
    });
    expect(server).toBeNull();
    await store.close();
  });
});
