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
    expect(r.config.topics[1]?.name).toEqual({ "zh-CN": "新能源", en: "New energy" });
    expect(r.config.poll.maxFeedBytes).toBe(5 * 1024 * 1024);
    expect(r.config.mode).toEqual({ kind: "polling" });
  });

  it("takes a topic name as one string for every language or one per language, and names what is wrong", () => {
    const load = (topics: string) => loadConfig({ BOT_TOKEN: TOKEN, NEWSDESK_CONFIG: "c.yaml" }, files({ "c.yaml": `topics:\n${topics}` }));
    const ok = load("  - { id: a, name: 新能源 }\n  - id: b\n    name: { zh-CN: 旅游, en: Travel }");
    expect(ok.ok && ok.config.topics.map((t) => t.name)).toEqual(["新能源", { "zh-CN": "旅游", en: "Travel" }]);
    const bad = load(
      [
        "  - { id: a, name: { zh-CN: 新能源 } }",
        "  - { id: b, name: { zh-CN: 旅游, en: Travel, zh: 旅行 } }",
        "  - { id: c, name: { zh-CN: ' ', en: Sport } }",
        "  - { id: d, name: [x] }",
        "  - { id: e }",
      ].join("\n"),
    );
    expect(bad.ok ? [] : bad.problems).toEqual([
      "topics[0].name.en: expected the English name too (en: …)",
      'topics[1].name: Unrecognized key: "zh"',
      "topics[2].name.zh-CN: expected the Chinese name too (zh-CN: …)",
      "topics[3].name: expected a name, or one per language: { zh-CN: 新能源, en: New energy }",
      "topics[4].name: expected a name, or one per language: { zh-CN: 新能源, en: New energy }",
    ]);
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
        WEBHOOK_SECRET: "s3cret-s3cret-s3cret",
        PORT: "9000",
        TELEGRAM_API_ROOT: "http://127.0.0.1:8081/",
        NEWSDESK_CONFIG: "c.yaml",
      },
      files({ "c.yaml": "newsroom: { chatId: -1001 }" }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.newsroom.chatId).toBe(-100777);
    expect(r.config.mode).toEqual({ kind: "webhook", url: "https://bot.example.com/hook", secret: "s3cret-s3cret-s3cret", port: 9000 });
    expect(r.config.apiRoot).toBe("http://127.0.0.1:8081");
    expect(r.config.httpPort).toBe(9000);
  });

  it("requires WEBHOOK_SECRET with WEBHOOK_URL", () => {
    const r = loadConfig({ BOT_TOKEN: TOKEN, WEBHOOK_URL: "https://x.test/h" }, files({}));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(["WEBHOOK_SECRET: required when WEBHOOK_URL is set"]);
  });

  it("binds the HTTP server to 127.0.0.1 unless http.host says otherwise", () => {
    const defaults = loadConfig({ BOT_TOKEN: TOKEN }, files({}));
    expect(defaults.ok && defaults.config.http.host).toBe("127.0.0.1");
    const open = loadConfig({ BOT_TOKEN: TOKEN, NEWSDESK_CONFIG: "c.yaml" }, files({ "c.yaml": "http: { host: 0.0.0.0 }" }));
    expect(open.ok && open.config.http.host).toBe("0.0.0.0");
    // HTTP_HOST wins (the image sets 0.0.0.0: inside a container 127.0.0.1 is unreachable from outside).
    const env = loadConfig({ BOT_TOKEN: TOKEN, NEWSDESK_CONFIG: "c.yaml", HTTP_HOST: "::" }, files({ "c.yaml": "http: { host: 0.0.0.0 }" }));
    expect(env.ok && env.config.http.host).toBe("::");
  });

  it("refuses the README's example token with a message that states the rule, without echoing it", () => {
    for (const token of ["123456:ABC…", "123456:ABCdefGhIJKlmnoPQRstu", "ABC:123456789012345678901234567890123"]) {
      const r = loadConfig({ BOT_TOKEN: token }, files({}));
      expect(r.ok, token).toBe(false);
      if (r.ok) continue;
      expect(r.problems).toHaveLength(1);
      const [problem] = r.problems;
      expect(problem).toMatch(/^BOT_TOKEN: /);
      expect(problem).toMatch(/digits/);
      expect(problem).toMatch(/colon/);
      expect(problem).toMatch(/30 or more of A-Z a-z 0-9 _ -/);
      expect(problem).not.toContain(token);
    }
  });

  it("reports a YAML syntax error with its line and column", () => {
    const yaml = ["name: Daily", "poll:", "  schedule: '*/5 * * * *'", "  timeoutSeconds: 20: 30", "topics: []"].join("\n");
    const r = loadConfig({ BOT_TOKEN: TOKEN, NEWSDESK_CONFIG: "c.yaml" }, files({ "c.yaml": yaml }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.length).toBeGreaterThan(0);
    for (const p of r.problems) expect(p).toMatch(/^c\.yaml: line \d+, column \d+: \S/);
    // "20: 30" is a mapping nested in a compact one; yaml points at its start.
    expect(r.problems[0]).toMatch(/^c\.yaml: line 4, column 19: /);
  });

  it("reports a repeated key with the line and column of the repetition", () => {
    const r = loadConfig({ BOT_TOKEN: TOKEN, NEWSDESK_CONFIG: "c.yaml" }, files({ "c.yaml": "locale: en\nname: A\nlocale: zh-CN\n" }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([expect.stringMatching(/^c\.yaml: line 3, column 1: .*unique/i)]);
  });

  it("lists duplicate ids and unknown topics in the same run as schema errors (exit-2 list is complete)", () => {
    const yaml = [
      "locale: fr",
      "topics: [{id: a, name: A}, {id: a, name: B}, {id: b, name: ''}]",
      "feeds:",
      "  - {id: f, url: 'ftp://x.test/f', topics: [zzz, a, b]}",
      "  - {id: f, url: 'https://x.test/g'}",
    ].join("\n");
    const r = loadConfig({ BOT_TOKEN: TOKEN, NEWSDESK_CONFIG: "c.yaml" }, files({ "c.yaml": yaml }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^locale: /),
        expect.stringMatching(/^topics\[2\]\.name: /),
        expect.stringMatching(/^feeds\[0\]\.url: /),
        'topics[1].id: duplicate id "a"',
        'feeds[1].id: duplicate id "f"',
        'feeds[0].topics[0]: unknown topic "zzz"',
      ]),
    );
    expect(r.problems).toHaveLength(6);
  });

  it("does not call every topic unknown when the topics section itself is malformed", () => {
    const yaml = ["topics: nope", "feeds: [{id: f, url: 'https://x.test/f', topics: [a]}]"].join("\n");
    const r = loadConfig({ BOT_TOKEN: TOKEN, NEWSDESK_CONFIG: "c.yaml" }, files({ "c.yaml": yaml }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toEqual([expect.stringMatching(/^topics: /)]);
  });

  it("lists webhook problems together with a bad token", () => {
    const r = loadConfig({ BOT_TOKEN: "nope", WEBHOOK_URL: "http://bot.example.com/hook" }, files({}));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.split(":")[0]).sort()).toEqual(["BOT_TOKEN", "WEBHOOK_SECRET", "WEBHOOK_URL"]);
  });

  it("needs an https WEBHOOK_URL for api.telegram.org, and allows http with a local Bot API server", () => {
    const secret = "0123456789abcdef";
    const official = loadConfig({ BOT_TOKEN: TOKEN, WEBHOOK_URL: "http://bot.example.com/hook", WEBHOOK_SECRET: secret }, files({}));
    expect(official.ok).toBe(false);
    if (!official.ok) expect(official.problems).toEqual([expect.stringMatching(/^WEBHOOK_URL: expected an https URL/)]);

    const explicit = loadConfig(
      { BOT_TOKEN: TOKEN, WEBHOOK_URL: "http://bot.example.com/hook", WEBHOOK_SECRET: secret, TELEGRAM_API_ROOT: "https://api.telegram.org/" },
      files({}),
    );
    expect(explicit.ok).toBe(false);

    const local = loadConfig(
      { BOT_TOKEN: TOKEN, WEBHOOK_URL: "http://newsdesk:8443/hook", WEBHOOK_SECRET: secret, TELEGRAM_API_ROOT: "http://telegram-bot-api:8081" },
      files({}),
    );
    expect(local.ok).toBe(true);
    if (local.ok) expect(local.config.mode).toMatchObject({ kind: "webhook", url: "http://newsdesk:8443/hook" });

    const https = loadConfig({ BOT_TOKEN: TOKEN, WEBHOOK_URL: "https://bot.example.com/hook", WEBHOOK_SECRET: secret }, files({}));
    expect(https.ok).toBe(true);
    const ftp = loadConfig({ BOT_TOKEN: TOKEN, WEBHOOK_URL: "ftp://bot.example.com/hook", WEBHOOK_SECRET: secret, TELEGRAM_API_ROOT: "http://local:8081" }, files({}));
    expect(ftp.ok).toBe(false);
  });

  it("requires WEBHOOK_SECRET to have 16 to 256 characters of Telegram's alphabet, never echoing it", () => {
    const env = (secret: string) => ({ BOT_TOKEN: TOKEN, WEBHOOK_URL: "https://bot.example.com/hook", WEBHOOK_SECRET: secret });
    for (const bad of ["Q", "short_secret_15", "a".repeat(257), "has space in it 1234", "ümlaut-ümlaut-ümlaut"]) {
      const r = loadConfig(env(bad), files({}));
      expect(r.ok, bad).toBe(false);
      if (r.ok) continue;
      expect(r.problems).toEqual([expect.stringMatching(/^WEBHOOK_SECRET: expected 16-256 characters of A-Z a-z 0-9 _ -/)]);
      expect(r.problems[0]).not.toContain(bad);
    }
    for (const good of ["sixteen_chars-16", "a".repeat(256)]) expect(loadConfig(env(good), files({})).ok, good).toBe(true);
  });

  it("takes poll.allowHosts (host names or IPs) and refuses URLs in it", () => {
    const ok = loadConfig(
      { BOT_TOKEN: TOKEN, NEWSDESK_CONFIG: "c.yaml" },
      files({ "c.yaml": "poll: { allowHosts: [cms.intranet, 10.0.0.5, '::1', '[fd00::1]'] }" }),
    );
    expect(ok.ok && ok.config.poll.allowHosts).toEqual(["cms.intranet", "10.0.0.5", "::1", "[fd00::1]"]);
    const defaults = loadConfig({ BOT_TOKEN: TOKEN }, files({}));
    expect(defaults.ok && defaults.config.poll.allowHosts).toEqual([]);
    const bad = loadConfig(
      { BOT_TOKEN: TOKEN, NEWSDESK_CONFIG: "c.yaml" },
      files({ "c.yaml": "poll: { allowHosts: ['http://cms.intranet/', 'cms.intranet:8080'] }" }),
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.problems.map((p) => p.split(":")[0])).toEqual(["poll.allowHosts[0]", "poll.allowHosts[1]"]);
  });
});
