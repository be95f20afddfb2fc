import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChatRepo } from "../../src/chats/repo.js";
import { openStore } from "../../src/store/index.js";
import { startBotApiDouble, type BotApiDouble } from "../support/bot-api-double.js";
import { startFeedServer, type FeedServer } from "../support/feed-server.js";
import { command, privateText, user } from "../support/updates.js";

const TOKEN = "777003:AACrashTestTokenXYZ_0123456789abc";
const NEWSROOM = -1009100;

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The real entry point, as `npm start` runs it, in its own process so it can be SIGKILLed. */
function startBot(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "warn", PORT: "0", ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return child;
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => child.once("exit", () => resolve()));

describe("crash safety of the running process (SIGKILL, then restart on the same store)", () => {
  let double: BotApiDouble;
  let feed: FeedServer;
  let dir: string;
  let env: Record<string, string>;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    double = await startBotApiDouble({ token: TOKEN });
    feed = await startFeedServer([
      { guid: "old", title: "Backlog story about the harbour", link: "https://n.example/old", description: "Old.", pubDate: new Date(Date.now() - 86_400_000) },
    ]);
    dir = mkdtempSync(join(tmpdir(), "newsdesk-crash-"));
    writeFileSync(
      join(dir, "c.yaml"),
      [
        "locale: en",
        "poll: { schedule: '*/2 * * * * *' }",
        `feeds: [{ id: f, url: '${feed.url()}', name: Harbour News, topics: [city] }]`,
        "topics: [{ id: city, name: City, keywords: [harbour] }]",
        `newsroom: { chatId: ${NEWSROOM}, admins: [] }`,
        "delivery: { relatedCount: 1 }",
      ].join("\n"),
    );
    env = {
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: double.apiRoot,
      NEWSDESK_CONFIG: join(dir, "c.yaml"),
      NEWSDESK_STORE: `sqlite://${join(dir, "s.sqlite")}`,
    };
  });

  afterEach(async () => {
    for (const c of children) c.kill("SIGKILL");
    await double.close();
    await feed.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a fan-out to 300 subscribers killed half-way reaches all 300 after a restart", async () => {
    const subscribers = Array.from({ length: 300 }, (_, i) => 100_000 + i);
    const store = await openStore(env.NEWSDESK_STORE!);
    const chats = new ChatRepo(store.namespace("chats"));
    for (const id of subscribers) {
      await chats.ensure(id, "private");
      await chats.subscribe(id, "city");
    }
    await store.close();

    const first = startBot(env);
    children.push(first);
    // Wait for the first poll (backlog only), then publish.
    await until(() => feed.requests >= 1, 20_000, "the first poll");
    await new Promise((r) => setTimeout(r, 500));
    feed.items.unshift({ guid: "new", title: "Harbour reopens after the storm", link: "https://n.example/new", description: "Ships are back.", pubDate: new Date() });
    const got = () => new Set(double.calls.filter((c) => c.ok && c.method === "sendMessage" && subscribers.includes(c.params.chat_id as number)).map((c) => c.params.chat_id));
    await until(() => got().size >= 90, 30_000, "a third of the fan-out");
    first.kill("SIGKILL");
    await exited(first);
    const beforeRestart = got().size;
    expect(beforeRestart).toBeLessThan(300);

    const second = startBot(env);
    children.push(second);
    await until(() => got().size === 300, 40_000, "every subscriber after the restart");
    const perChat = new Map<unknown, number>();
    for (const c of double.calls) if (c.ok && c.method === "sendMessage" && subscribers.includes(c.params.chat_id as number)) perChat.set(c.params.chat_id, (perChat.get(c.params.chat_id) ?? 0) + 1);
    const duplicates = [...perChat.values()].reduce((n, k) => n + (k - 1), 0);
    console.log(`fan-out crash: ${beforeRestart}/300 delivered before SIGKILL, ${duplicates} duplicate(s) after restart`);
    // At least once for everyone; duplicates only for sends in flight at the kill (≤ the sender's concurrency).
    expect(duplicates).toBeLessThanOrEqual(32);
    expect(double.stats().rejected429).toBe(0);
    second.kill("SIGTERM");
    await exited(second);
  }, 120_000);

  it("a tip stored while the newsroom chat is down survives a SIGKILL and arrives after the restart", async () => {
    double.setDown({ chatId: NEWSROOM, status: 502, description: "Bad Gateway" });
    const first = startBot(env);
    children.push(first);
    await until(() => double.isLongPolling(), 20_000, "long polling");
    const reader = user({ id: 5555, first_name: "Tipster", language_code: "en" });
    double.pushUpdate(command(reader, "/tip"));
    await until(() => double.sent(5555).length >= 1, 10_000, "the tip intro");
    double.pushUpdate(privateText(reader, "The bridge inspection report was falsified"));
    await new Promise((r) => setTimeout(r, 1500));
    double.pushUpdate(command(reader, "/done"));
    await until(() => double.sent(5555).some((m) => /T-[A-Z0-9]{4,6}/.test(m.text)), 10_000, "the thank-you");
    const ref = /T-[A-Z0-9]{4,6}/.exec(double.sent(5555).map((m) => m.text).join("\n"))![0];
    await until(() => double.calls.some((c) => !c.ok && c.params.chat_id === NEWSROOM), 10_000, "a failed newsroom attempt");
    first.kill("SIGKILL");
    await exited(first);
    expect(double.sent(NEWSROOM)).toHaveLength(0);

    double.setDown(null);
    const second = startBot(env);
    children.push(second);
    await until(() => double.sent(NEWSROOM).some((m) => m.text.includes(ref)), 30_000, "the tip card");
    await until(() => double.sent(NEWSROOM).some((m) => m.text.includes("bridge inspection")), 10_000, "the tip's copy");
    expect(double.calls.some((c) => c.method === "forwardMessage")).toBe(false);
    second.kill("SIGTERM");
    await exited(second);
  }, 90_000);
});
