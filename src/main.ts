import { loadConfig } from "../config/load.js";
import { createApp } from "./app.js";
import { createLogger } from "./log.js";

/** Process entry: config → app → run until SIGINT/SIGTERM. Bad config exits 2 with every problem listed. */
async function main(): Promise<void> {
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    console.error("newsdesk: configuration problems:");
    for (const p of loaded.problems) console.error(`  ${p}`);
    process.exit(2);
  }
  const { config } = loaded;
  const logger = createLogger({
    level: config.logLevel,
    secrets: [config.botToken, config.mode.kind === "webhook" ? config.mode.secret : ""],
  });
  for (const w of loaded.warnings) logger.warn(w);

  let stopping = false;
  const app = await createApp({ config, logger, env: process.env, onFatal: () => stop("fatal", 1) });
  function stop(signal: string, code = 0) {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    // A hung dependency must not keep the process alive forever.
    const hard = setTimeout(() => {
      logger.error("graceful stop took too long; exiting");
      process.exit(1);
    }, 10_000);
    hard.unref();
    app
      .stop()
      .then(() => {
        logger.info("stopped");
        process.exit(code);
      })
      .catch((err: unknown) => {
        logger.error({ err }, "error while stopping");
        process.exit(1);
      });
  }
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.on("unhandledRejection", (err) => logger.error({ err }, "unhandled rejection"));
  await app.start();
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`newsdesk: failed to start: ${message.replace(/bot\d+:[A-Za-z0-9_-]+/g, "bot[redacted]")}`);
  process.exit(1);
});
