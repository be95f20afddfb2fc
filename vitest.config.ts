import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Most test time is spent waiting on Telegram's real-time limits in the Bot API double (1 msg/s
    // per private chat, 20/min per group), not on the CPU: three files at once on two cores keeps
    // the suite under 4 minutes (vitest's default on two cores is one). VITEST_MAX_WORKERS overrides.
    maxWorkers: 3,
    reporters: ["default"],
  },
});
