import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config/load.js";

const TOKEN = "123456:ABCdefGhIJKlmnoPQRstuVWXyz0123456789";
const files = (map: Record<string, string>) => (path: string) => {
  const v = map[path];
  if (v === undefined) throw Object.assign(new Error("nope"), { code: "ENOENT" });
  return v;
};

describe("loadConfig", () => {
  it("accepts the shipped example config", () => {
    const example = readFileSync("config/newsdesk.example.yaml", "utf8");
    const r = loadConfig({ BOT_TOKEN: TOKEN, NEWSDESK_CONFIG: "x.yaml" }, files({ "x.yaml": example }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.feeds.map((f) => f.id)).toEqual(["weihai", "world"]);
    expect(r.config.topics[1]?.name).toBe("新能源");
    expect(r.config.poll.maxFeedBytes).toBe(5 * 1024 * 1024);
    expect(r.config.mode).toEqual({ kind: "polling" });
  });

  it("runs with defaults when the default config file is missing, and says so", () => {
    const r = loadConfig({ BOT_TOKEN: TOKEN }, files({}));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.locale).toBe("zh-CN");
    expect(r.config.timezone).toBe("Asia/Shanghai");
    expect(r.config.storeUrl).toBe("sqlite://data/newsdesk.sqlite");
    expect(r.config.apiRoot).toBe("https://api.telegram.org");
    expect(r.warnings.join("\n")).toMatch(/no config file/);
  });

  it("fails when an explicitly named config file is missing", () => {
    const r = loadConfig({ BOT_TOKEN: TOKEN, NEWSDESK_CONFIG: "nope.yaml" }, files({}));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(["NEWSDESK_CONFIG: cannot read nope.yaml (ENOENT)"]);
  });

  it("says exactly that BOT_TOKEN is missing", () => {
    const r = loadConfig({}, files({}));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(/^BOT_TOKEN: is not set/);
  });

  it("lists every problem of a config with three mistakes, as path: message", () => {
    const yaml = [
      "locale: fr",
      "poll:",
      "  schedule: every five minutes",
      "feeds:",
      "  - id: ok",
      "    url: ftp://example.com/feed",
    ].join("\n");
    const r = loadConfig({ BOT_TOKEN: TOKEN, NEWSDESK_CONFIG: "c.yaml" }, files({ "c.yaml": yaml }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.problems.map((p) => p.split(":")[0]);
    expect(paths).toEqual(expect.arrayContaining(["locale", "poll.schedule", "feeds[0].url"]));
    expect(r.problems).toHaveLength(3);
  });

  it("reports environment and file problems together, and never echoes the token", () => {
    const secret = "not-a-token-but-secret-value";
    const r = loadConfig(
      { BOT_TOKEN: secret, PORT: "99999", NEWSDESK_CONFIG: "c.yaml" },
      files({ "c.yaml": "timezone: Mars/Olympus\nunknownSection: 1\n" }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.join("\n")).not.toContain(secret);
    const paths = r.problems.map((p) => p.split(":")[0]);
    expect(paths).toEqual(expect.arrayContaining(["BOT_TOKEN", "PORT", "timezone", "(root)"]));
  });

  it("rejects cron expressions node-cron would refuse at start (so they exit 2, not 1)", () => {
    for (const schedule of ["61 * * * *", "*/0 * * * *", "* * * * 8"]) {
      const r = loadConfig({ BOT_TOKEN: TOKEN, NEWSDESK_CONFIG: "c.yaml" }, files({ "c.yaml": `poll: { schedule: "${schedule}" }` }));
      expect(r.ok, schedule).toBe(false);
      if (r.ok) continue;
      expect(r.problems[0]).toMatch(/^poll\.schedule: expected a valid cron expression/);
    }
  });

  it("rejects duplicate ids and unknown topics referenced by feeds", () => {
    const yaml = [
      "topics: [{id: a, name: A}, {id: a, name: B}]",
      "feeds: [{id: f, url: 'https://x.test/f', topics: [zzz]}]",
    ].join("\n");
    const r = loadConfig({ BOT_TOKEN: TOKEN, NEWSDESK_CONFIG: "c.yaml" }, files({ "c.yaml": yaml }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(
      expect.arrayContaining(['topics[1].id: duplicate id "a"', 'feeds[0].topics[0]: unknown topic "zzz"']),
    );
  });

  it("reports YAML syntax errors with the file name", () => {
    const r = loadConfig({ BOT_TOKEN: TOKEN, NEWSDESK_CONFIG: "c.yaml" }, files({ "c.yaml": "feeds: [\n" }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]).toMatch(/^c\.yaml: /);
  });

  it("lets the environment override the file and selects webhook mode", () => {
    const r = loadConfig(
      {
        BOT_TOKEN: TOKEN,
        NEWSROOM_CHAT_ID: "-100777",
        WEBHOOK_URL: "https://bot.example.com/hook",
        WEBHOOK_SECRET: "s3cret",
        PORT: "9000",
        TELEGRAM_API_ROOT: "http://127.0.0.1:8081/",
        NEWSDESK_CONFIG: "c.yaml",
      },
      files({ "c.yaml": "newsroom: { chatId: -1001 }" }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.newsroom.chatId).toBe(-100777);
    expect(r.config.mode).toEqual({ kind: "webhook", url: "https://bot.example.com/hook", secret: "s3cret", port: 9000 });
    expect(r.config.apiRoot).toBe("http://127.0.0.1:8081");
    expect(r.config.httpPort).toBe(9000);
  });

  it("requires WEBHOOK_SECRET with WEBHOOK_URL", () => {
    const r = loadConfig({ BOT_TOKEN: TOKEN, WEBHOOK_URL: "https://x.test/h" }, files({}));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(["WEBHOOK_SECRET: required when WEBHOOK_URL is set"]);
  });
});
