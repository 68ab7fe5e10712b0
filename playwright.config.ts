import { defineConfig, devices } from "@playwright/test";
import { chromiumLaunchOptions } from "./tests/support/chromium";

/**
 * The QA smoke suite. Against any deployment: `BASE_URL=https://… npm run smoke` (read-only unless
 * SMOKE_ALLOW_WRITES=true). Without BASE_URL, it builds and starts the production standalone
 * server locally (scripts/smoke-server.ts) and runs against that.
 */
const baseURL = process.env.BASE_URL?.replace(/\/$/, "");
const localPort = process.env.SMOKE_PORT ?? "3100";

export default defineConfig({
  testDir: "tests/smoke",
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  retries: process.env.CI ? 1 : 0,
  workers: 2,
  reporter: [["list"]],
  timeout: 30_000,
  use: {
    baseURL: baseURL ?? `http://127.0.0.1:${localPort}`,
    trace: "retain-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: chromiumLaunchOptions(),
      },
    },
  ],
  webServer: baseURL
    ? undefined
    : {
        command: "npx tsx scripts/smoke-server.ts",
        env: { PORT: localPort },
        url: `http://127.0.0.1:${localPort}/`,
        timeout: 240_000,
        reuseExistingServer: false,
        stdout: "ignore",
        stderr: "pipe",
        gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
      },
});
