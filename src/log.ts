import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger } from "pino";

/**
 * Scrubs secrets from every serialized log line before it is written. pino's `redact` only covers
 * known paths; the token can also hide inside error messages (telegraf's network errors carry the
 * request URL, which contains `/bot<token>/`), so we filter the bytes themselves.
 */
export function scrubbingStream(secrets: string[], out: { write(s: string): unknown } = process.stdout): DestinationStream {
  const literal = secrets.filter((s) => s.length >= 8);
  const botUrl = /bot\d{3,}:[A-Za-z0-9_-]{20,}/g;
  return {
    write(line: string) {
      let s = line.replace(botUrl, "bot[redacted]");
      for (const secret of literal) s = s.split(secret).join("[redacted]");
      out.write(s);
    },
  };
}

/** Error fields worth logging; telegraf errors also carry the request payload (message text), which we drop. */
function serializeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & {
    code?: unknown;
    response?: { error_code?: number; description?: string };
    on?: { method?: string };
    kind?: string;
  };
  return {
    type: e.name,
    message: e.message,
    ...(e.code !== undefined ? { code: e.code } : {}),
    ...(e.kind !== undefined ? { kind: e.kind } : {}),
    ...(e.response?.error_code !== undefined ? { errorCode: e.response.error_code } : {}),
    ...(e.on?.method ? { method: e.on.method } : {}),
    stack: e.stack?.split("\n").slice(0, 6).join("\n"),
  };
}

/** The process logger: JSON lines, secrets scrubbed, errors without payloads. */
export function createLogger(opts: { level: string; secrets: string[]; out?: { write(s: string): unknown } }): Logger {
  return pino(
    {
      level: opts.level,
      base: { app: "newsdesk" },
      serializers: { err: serializeError },
      redact: { paths: ["token", "botToken", "secret", "*.token", "*.secret", "text", "caption"], censor: "[redacted]" },
    },
    scrubbingStream(opts.secrets, opts.out),
  );
}
