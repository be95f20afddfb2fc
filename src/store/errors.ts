/**
 * Why a store could not be used; `code` lets callers (main, /healthz) react without parsing text.
 * "busy": another process held the SQLite file's lock past the wait deadline (try again later).
 */
export type StoreErrorCode = "unreachable" | "bad-namespace" | "closed" | "rejected" | "busy";

/** A store URL that cannot be used; the message names the problem and never contains a password. */
export class StoreUrlError extends Error {
  override readonly name = "StoreUrlError";
  constructor(
    message: string,
    /** The offending URL with any password replaced by `***`. */
    readonly redactedUrl: string,
  ) {
    super(message);
  }
}

/** A failure of an opened (or opening) store, carrying the backend kind for context (undefined: seen through keyv only). */
export class StoreError extends Error {
  override readonly name = "StoreError";
  constructor(
    readonly code: StoreErrorCode,
    readonly kind: "sqlite" | "redis" | "postgres" | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
