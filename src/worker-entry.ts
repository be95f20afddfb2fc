import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

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
