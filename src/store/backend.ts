import type Keyv from "keyv";

/** Which server holds the data. */
export type StoreKind = "sqlite" | "redis" | "postgres";

/** What each backend provides to the Store; namespace caching and checks live in index.ts. */
export interface Backend {
  readonly kind: StoreKind;
  /** A new Keyv whose adapter is bound to `name` alone (never shared with another namespace). */
  createKeyv(name: string): Keyv;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Options common to all backends (documented on OpenStoreOptions). */
export interface BackendOptions {
  prefix: string;
  purgeIntervalMs: number;
  connectTimeoutMs: number;
  onError: (error: unknown) => void;
  busyDeadlineMs: number;
}

/** Keyv options every backend uses: the adapter owns namespacing, and failures reach the caller. */
export const KEYV_OPTIONS = { useKeyPrefix: false, throwOnErrors: true } as const;

/** Rejects after `timeoutMs` unless `work` settles first; the timer never keeps the process alive. */
export async function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
