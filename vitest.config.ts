import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

const root = import.meta.dirname;
// Tests that skip for a missing program append here; the reporter lists them at the end.
process.env.SLIPWAY_SKIP_LOG ??= path.join(tmpdir(), `slipway-skips-${process.pid}.jsonl`);

export default defineConfig({
  resolve: {
    alias: {
      "@/": `${path.join(root, "src")}/`,
      "@db/": `${path.join(root, "db")}/`,
      // `server-only` throws outside React Server Components; tests run server code directly.
      "server-only": path.join(root, "tests/support/server-only.ts"),
    },
  },
  test: {
    env: { NODE_ENV: "test", SLIPWAY_SKIP_LOG: process.env.SLIPWAY_SKIP_LOG },
    reporters: ["default", "./tests/support/skip-summary-reporter.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["tests/unit/**/*.test.ts"],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          sequence: { groupOrder: 1 },
          globalSetup: ["tests/support/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 240_000,
          // Server tests start production servers; two at a time fits a 2-core machine.
          maxWorkers: 2,
        },
      },
    ],
  },
});
