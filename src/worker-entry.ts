import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

/**
 * Where a worker script is: the compiled `.js` (dist), else the `.ts` source loaded through tsx's
 * API from a tiny eval'd bootstrap (vitest, tsx; Node 20 workers ignore --import hooks).
 * `baseUrl` is the caller's `import.meta.url`; `name` the script's name without extension.
 */
export function workerEntry(baseUrl: string, name: string): { script: URL | string; eval: boolean } {
  const js = new URL(`./${name}.js`, baseUrl);
  if (existsSync(fileURLToPath(js))) return { script: js, eval: false };
  // require.resolve picks the CommonJS build; the ESM build sits beside it.
  const tsxApi = pathToFileURL(createRequire(baseUrl).resolve("tsx/esm/api").replace(/\.cjs$/, ".mjs")).href;
  const ts = new URL(`./${name}.ts`, baseUrl).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => m.tsImport(${JSON.stringify(ts)}, ${JSON.stringify(ts)}));`;
  return { script: bootstrap, eval: true };
}

/** Resolves on the next turn of the event loop, after pending I/O callbacks: long work yields with it. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Starts a worker script (see workerEntry) with a small young generation (`youngMb`): short-lived
 * garbage otherwise grows a training thread by tens of megabytes. Null where no worker can start.
 */
export function startWorker(baseUrl: string, name: string, youngMb: number): Worker | null {
  try {
    const entry = workerEntry(baseUrl, name);
    return new Worker(entry.script, { eval: entry.eval, resourceLimits: { maxYoungGenerationSizeMb: youngMb } });
  } catch {
    return null;
  }
}

/** Posts one message and resolves with the worker's next reply; rejects on its error or exit (one request at a time). */
export function workerRequest<T>(worker: Worker, msg: unknown, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const done = (): void => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
    };
    const onMessage = (reply: T): void => {
      done();
      resolve(reply);
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    const onExit = (code: number): void => {
      done();
      reject(new Error(`${what} worker exited with ${code}`));
    };
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
    worker.postMessage(msg);
  });
}
