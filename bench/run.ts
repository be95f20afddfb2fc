// Runs every benchmark in this folder (or those named on the command line) one after another.
// Each bench module exports `run(): Promise<void>` and prints its own figures.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const names = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
  .map((f) => f.slice(0, -3))
  .filter((n) => wanted.length === 0 || wanted.includes(n))
  .sort();

for (const name of names) {
  console.log(`\n=== bench/${name}.ts ===`);
  const mod = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run !== "function") {
    console.log(`(no run() exported; skipped)`);
    continue;
  }
  const started = Date.now();
  await mod.run();
  console.log(`(bench/${name}.ts took ${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
