import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig } from "vitest/config";

const root = import.meta.dirname;
// Tests that skip for a missing program append here; the reporter lists them at the end.
process.env.SLIPWAY_SKIP_LOG ??= path.join(tmpdir(), `slipway-skips-${process.pid}.jsonl`);
// With coverage on, the production servers the integration tests start write theirs here
// (NODE_V8_COVERAGE, tests/support/server-coverage.ts); the workers inherit the variable.
if (process.argv.some((arg) => arg === "--coverage" || arg.startsWith("--coverage.enabled"))) {
  process.env.SLIPWAY_SERVER_COVERAGE_DIR ??= mkdtempSync(path.join(tmpdir(), "slipway-server-coverage-"));
}

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
    // `npm run test:coverage` (and CI's `npm test -- --coverage`): what the tests execute of src/ and
    // db/, in vitest's processes and in the production servers the integration tests start
    // (docs/decisions/0062-coverage-and-supply-chain-checks.md).
    coverage: {
      // v8, plus the coverage of the production servers run as child processes.
      provider: "custom",
      customProviderModule: "./tests/support/coverage-provider.ts",
      include: ["src/**/*.{ts,tsx}", "db/**/*.ts"],
      exclude: ["db/migrations/**"],
      reporter: ["text-summary", "json-summary", "html"],
      reportsDirectory: "coverage",
      // The seeds' bar, for src/ and db/ together (ADR 0062).
      thresholds: { lines: 70, branches: 70 },
      // The figures are wanted most when a test failed: print them anyway (the run still fails).
      reportOnFailure: true,
    },
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
