#!/usr/bin/env node
// `npm start` runs this first: it compiles src/, commands/ and config/ to dist/ only when they changed
// since the last build (a content hash, not mtimes: a fresh clone has new mtimes everywhere), and then
// with `--noCheck` — type errors are `npm run typecheck`'s job, so a start never waits for a full check.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const stampFile = join(root, "dist", ".build-hash");
const inputs = ["src", "commands", "config"];
const extraFiles = ["tsconfig.json", "tsconfig.build.json", "package-lock.json"];

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

const hash = createHash("sha256");
const paths = [...inputs.flatMap((d) => [...files(join(root, d))]), ...extraFiles.map((f) => join(root, f))].sort();
for (const path of paths) {
  if (!existsSync(path)) continue;
  hash.update(relative(root, path)).update("\0").update(readFileSync(path)).update("\0");
}
const digest = hash.digest("hex");

if (existsSync(stampFile) && readFileSync(stampFile, "utf8").trim() === digest && existsSync(join(root, "dist/src/main.js"))) process.exit(0);

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
} catch {
  if (existsSync(join(root, "dist/src/main.js"))) process.exit(0); // an image built without dev dependencies
  console.error("newsdesk: dist/ is missing and TypeScript is not installed: run `npm ci` (with dev dependencies) first");
  process.exit(1);
}
const started = Date.now();
execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json"), "--noCheck"], { stdio: "inherit" });
writeFileSync(stampFile, `${digest}\n`);
console.error(`newsdesk: compiled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
