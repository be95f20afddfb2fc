// How long `npm start` takes to reach its first getUpdates on an installed clone: once with dist/
// removed (the first start compiles) and twice with dist/ up to date (nothing to compile).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startBotApiDouble } from "../test/support/bot-api-double.js";

const TOKEN = "424242:AAStartupBenchTokenXYZ_0123456789";

async function timeToFirstPoll(label: string): Promise<void> {
  const double = await startBotApiDouble({ token: TOKEN });
  const dir = mkdtempSync(join(tmpdir(), "newsdesk-startup-"));
  const started = Date.now();
  const child = spawn("npm", ["start", "--silent"], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? dir,
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: double.apiRoot,
      NEWSDESK_STORE: `sqlite://${join(dir, "store.sqlite")}`,
      NEWSDESK_CONFIG: "config/newsdesk.example.yaml",
      PORT: "0",
      LOG_LEVEL: "warn",
    },
    stdio: "ignore",
    detached: true,
  });
  try {
    const first = await double.waitFor((c) => c.method === "getUpdates", 120_000);
    console.log(`${label}: first getUpdates after ${((first.at - started) / 1000).toFixed(2)} s`);
  } finally {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await double.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  rmSync("dist", { recursive: true, force: true });
  await timeToFirstPoll("npm start, dist/ removed (compiles once)");
  await timeToFirstPoll("npm start, dist/ up to date");
  await timeToFirstPoll("npm start, dist/ up to date (again)");
}
