import type { KnipConfig } from "knip";

/**
 * Dead code and unused dependencies fail `npm run lint` (ixartz's SaaS-Boilerplate is the model).
 * Next.js, Vitest, Playwright and drizzle-kit entry points are found by knip's plugins; the rest
 * are listed here: command-line tools, benchmarks and the Sentry runtime configs.
 */
const config: KnipConfig = {
  entry: [
    // The server and worker processes (bundled into the standalone output by scripts/build-server.mjs).
    "src/server.ts",
    "src/worker.ts",
    "scripts/*.{ts,mjs}",
    "bench/*.ts",
    "sentry.*.config.ts",
    "tests/**/*.{test,spec}.ts",
    "tests/support/*.{ts,cjs}",
  ],
  project: ["src/**/*.{ts,tsx}", "db/**/*.ts", "scripts/**/*.{ts,mjs,mts}", "tests/**/*.{ts,cjs}", "bench/**/*.ts"],
  ignore: ["tests/fixtures/**"],
  // Debian programs the tests and scripts drive (installed by .ci/run, never from npm).
  ignoreBinaries: [
    "redis-server",
    "prometheus",
    "promtool",
    "pgbackrest",
    "getent",
    "groupadd",
    "useradd",
    "caddy",
    "shellcheck",
    "wrk",
    "buildah",
    "psql",
    "prometheus-alertmanager",
    "prometheus-pushgateway",
  ],
  // Run by path (node_modules/.bin/squawk, node_modules/.bin/secretlint) from scripts/lint-migrations.mjs
  // and scripts/scan-secrets.ts, not imported; secretlint loads the preset named in .secretlintrc.json.
  ignoreDependencies: ["squawk-cli", "secretlint", "@secretlint/secretlint-rule-preset-recommend"],
  // A type or interface used where it is declared may stay exported as documentation of the shape.
  ignoreExportsUsedInFile: { interface: true, type: true },
};

export default config;
