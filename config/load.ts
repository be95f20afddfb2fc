import { readFileSync } from "node:fs";
import { LineCounter, parseDocument, type YAMLError } from "yaml";
import type { z } from "zod";
import { EnvSchema, FileConfigSchema, type Env, type FileConfig } from "./schema.js";

export const DEFAULT_CONFIG_PATH = "config/newsdesk.yaml";

/** How updates reach the bot. */
export type UpdateMode =
  | { kind: "polling" }
  | { kind: "webhook"; url: string; secret: string; port: number };

/** Everything the process needs, file and environment merged (environment wins). */
export interface AppConfig extends FileConfig {
  botToken: string;
  apiRoot: string;
  storeUrl: string;
  logLevel: Env["LOG_LEVEL"];
  mode: UpdateMode;
  /** Port of /healthz and /metrics; in webhook mode the same server as the webhook. 0 = off. */
  httpPort: number;
  /** Where the config came from (for the start-up log line), or null when defaults were used. */
  configPath: string | null;
}

export type LoadResult = { ok: true; config: AppConfig; warnings: string[] } | { ok: false; problems: string[] };

/** Loads and validates config file + environment; collects every problem instead of stopping at the first. */
export function loadConfig(
  env: Record<string, string | undefined>,
  readFile: (path: string) => string = (p) => readFileSync(p, "utf8"),
): LoadResult {
  const problems: string[] = [];
  const warnings: string[] = [];

  const envResult = EnvSchema.safeParse(pickEnv(env));
  if (!envResult.success) problems.push(...formatIssues(envResult.error));

  const explicitPath = env.NEWSDESK_CONFIG?.trim() || undefined;
  const path = explicitPath ?? DEFAULT_CONFIG_PATH;
  let raw: unknown = {};
  let configPath: string | null = path;
  try {
    const text = readFile(path);
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
    if (doc.errors.length > 0) {
      for (const e of doc.errors) problems.push(yamlProblem(path, e, lineCounter));
    } else {
      raw = doc.toJS() ?? {};
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && !explicitPath) {
      configPath = null;
      warnings.push(`no config file at ${path}; running with defaults (copy config/newsdesk.example.yaml)`);
    } else {
      problems.push(`NEWSDESK_CONFIG: cannot read ${path} (${code ?? "error"})`);
    }
  }

  const fileResult = FileConfigSchema.safeParse(raw);
  if (!fileResult.success) problems.push(...formatIssues(fileResult.error));

  if (problems.length > 0 || !envResult.success || !fileResult.success) return { ok: false, problems };

  const e = envResult.data;
  const file = fileResult.data;
  const newsroomChatId = e.NEWSROOM_CHAT_ID ?? file.newsroom.chatId;
  if (newsroomChatId === undefined)
    warnings.push("no newsroom chat (newsroom.chatId or NEWSROOM_CHAT_ID): tips are stored but wait until one is set");

  const mode: UpdateMode =
    e.WEBHOOK_URL && e.WEBHOOK_SECRET
      ? { kind: "webhook", url: e.WEBHOOK_URL, secret: e.WEBHOOK_SECRET, port: e.PORT ?? 8080 }
      : { kind: "polling" };
  return {
    ok: true,
    warnings,
    config: {
      ...file,
      http: { ...file.http, host: e.HTTP_HOST ?? file.http.host },
      newsroom: { ...file.newsroom, chatId: newsroomChatId },
      botToken: e.BOT_TOKEN,
      apiRoot: e.TELEGRAM_API_ROOT.replace(/\/+$/, ""),
      storeUrl: e.NEWSDESK_STORE,
      logLevel: e.LOG_LEVEL,
      mode,
      httpPort: mode.kind === "webhook" ? mode.port : (e.PORT ?? file.http.port),
      configPath,
    },
  };
}

const ENV_KEYS = [
  "BOT_TOKEN",
  "TELEGRAM_API_ROOT",
  "NEWSDESK_CONFIG",
  "NEWSDESK_STORE",
  "NEWSROOM_CHAT_ID",
  "WEBHOOK_URL",
  "WEBHOOK_SECRET",
  "PORT",
  "HTTP_HOST",
  "LOG_LEVEL",
] as const;

/** Empty strings count as unset, as shells and compose files produce them. */
function pickEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ENV_KEYS) {
    const v = env[k];
    if (v !== undefined && v.trim() !== "") out[k] = v.trim();
  }
  return out;
}

/** `c.yaml: line 3, column 7: <what yaml says>`; the position is 1-based, as editors show it. */
function yamlProblem(path: string, error: YAMLError, lineCounter: LineCounter): string {
  const message = error.message.split("\n")[0] ?? error.message;
  const { line, col } = lineCounter.linePos(error.pos[0]);
  return `${path}: line ${line}, column ${col}: ${message}`;
}

/** `feeds[0].url: expected an http(s) URL` — one line per problem, never the offending value. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path
      .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
      .join("");
    return `${path || "(root)"}: ${issue.message}`;
  });
}
