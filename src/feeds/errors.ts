/** Why a feed could not be read; stable strings used in health records, logs and /feeds. */
export type FeedErrorKind =
  | "timeout"
  | "too-large"
  | "http-status"
  | "network"
  | "not-a-feed"
  | "malformed-xml"
  | "hostile-xml"
  | "redirect"
  | "bad-url"
  | "empty";

export const FEED_ERROR_KINDS: readonly FeedErrorKind[] = [
  "timeout",
  "too-large",
  "http-status",
  "network",
  "not-a-feed",
  "malformed-xml",
  "hostile-xml",
  "redirect",
  "bad-url",
  "empty",
];

/** A feed failure with a machine-readable kind (and the HTTP status for "http-status"). */
export class FeedError extends Error {
  override readonly name = "FeedError";
  readonly kind: FeedErrorKind;
  readonly status?: number;

  constructor(kind: FeedErrorKind, message: string, options?: { status?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    if (options?.status !== undefined) this.status = options.status;
  }

  /** Plain object that survives structured clone (worker boundary). */
  toJSON(): { kind: FeedErrorKind; message: string; status?: number } {
    return this.status === undefined
      ? { kind: this.kind, message: this.message }
      : { kind: this.kind, message: this.message, status: this.status };
  }
}

/** True for any FeedError-shaped value (also one rebuilt from a worker message). */
export function isFeedErrorKind(value: unknown): value is FeedErrorKind {
  return typeof value === "string" && (FEED_ERROR_KINDS as readonly string[]).includes(value);
}

/** Wraps anything thrown into a FeedError, keeping FeedErrors as they are (default kind "network"). */
export function toFeedError(err: unknown, fallbackKind: FeedErrorKind = "network"): FeedError {
  if (err instanceof FeedError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new FeedError(fallbackKind, message, { cause: err });
}

/** pino-compatible logger surface used by the feed code. */
export interface FeedLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** Logger that drops everything (default when none is given). */
export const silentLogger: FeedLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
};
