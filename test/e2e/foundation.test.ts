import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startBotApiDouble, type BotApiDouble } from "../support/bot-api-double.js";
import { command, user } from "../support/updates.js";

const TOKEN = "424242:AAFoundationTestTokenXYZ_0123456789";

/** Starts the real entry point (src/main.ts under tsx) like `npm start` does, with its own env. */
function startProcess(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let out = "";
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

describe("the bot as an operator runs it", () => {
  let double: BotApiDouble;
  let dir: string;
  beforeEach(async () => {
    double = await startBotApiDouble({ token: TOKEN });
    dir = mkdtempSync(join(tmpdir(), "newsdesk-e2e-"));
  });
  afterEach(async () => {
    await double.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("long-polls, registers its commands, answers /start and /help in Chinese, then English after /lang en", async () => {
    const { child, output } = startProcess({
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: double.apiRoot,
      NEWSDESK_STORE: `sqlite://${join(dir, "store.sqlite")}`,
      NEWSDESK_CONFIG: "config/newsdesk.example.yaml",
      PORT: "0",
      LOG_LEVEL: "info",
    });
    try {
      await until(() => double.isLongPolling(), 20_000);
      // The menus go out beside start-up (the readers' first, in every language); staff menus follow.
      const readerMenus = (c: { method: string; ok: boolean; params: Record<string, unknown> }) => c.method === "setMyCommands" && c.ok && c.params.scope === undefined;
      await double.waitFor((c) => readerMenus(c) && c.params.language_code === "en", 10_000);
      const menus = double.calls.filter(readerMenus);
      expect(menus.map((c) => c.params.language_code ?? "default").sort()).toEqual(["default", "en", "zh"]);

      const reader = user({ id: 5001, first_name: "小王", language_code: undefined });
      double.pushUpdate(command(reader, "/start"));
      await double.waitFor((c) => c.method === "sendMessage" && c.params.chat_id === 5001, 10_000);
      double.pushUpdate(command(reader, "/help"));
      await double.waitFor((c) => c.method === "sendMessage" && double.sent(5001).length === 2, 10_000);
      double.pushUpdate(command(reader, "/lang en"));
      await double.waitFor(() => double.sent(5001).length === 3, 10_000);
      double.pushUpdate(command(reader, "/help"));
      await double.waitFor(() => double.sent(5001).length === 4, 10_000);

      const texts = double.sent(5001).map((m) => m.text);
      expect(texts[0]).toContain("小王，您好");
      expect(texts[1]).toContain("/tip 或 /tips");
      expect(texts[2]).toBe("Language set: English.");
      expect(texts[3]).toContain("/tip or /tips: send a news tip");

      child.kill("SIGTERM");
      const started = Date.now();
      expect(await exitOf(child)).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(output()).not.toContain(TOKEN);
      expect(output()).not.toContain(TOKEN.split(":")[1]);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("exits 2 and names every problem of a bad environment, without a stack trace", async () => {
    const { child, output } = startProcess({
      TELEGRAM_API_ROOT: "not a url",
      NEWSDESK_STORE: "mysql://nope",
      NEWSDESK_CONFIG: "config/newsdesk.example.yaml",
    });
    expect(await exitOf(child)).toBe(2);
    const text = output();
    expect(text).toMatch(/BOT_TOKEN: is not set/);
    expect(text).toMatch(/TELEGRAM_API_ROOT: /);
    expect(text).toMatch(/NEWSDESK_STORE: /);
    expect(text).not.toMatch(/\bat .*\.ts:\d+/);
  });
});
