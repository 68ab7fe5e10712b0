/**
 * Configuration: read once, validated by one schema (./schema.ts), typed for everyone else. Only
 * this concern reads process.env. Plain Node (node:fs, zod), so the migrator, the seed and
 * next.config.ts use the same readers as the app; node:fs also keeps it out of browser bundles.
 */
import { releaseSingleton, singleton } from "@/lib/singleton";
import {
  authModeOf,
  ConfigError,
  nodeEnvOf,
  optionalSecret,
  parseServerEnv,
  releaseOf,
  requireSecret,
  secretValuesOf,
  type AuthMode,
  type NodeEnv,
  type Release,
} from "./load";
import type { ServerEnv } from "./schema";

export type { AuthMode, NodeEnv, Release, ServerEnv };
export { ConfigError, optionalSecret, requireSecret };

/**
 * The validated runtime configuration. Read lazily (never at import, never during `next build`)
 * and once per process. Throws ConfigError listing every problem.
 */
export function getEnv(): Readonly<ServerEnv> {
  return singleton("env", () => parseServerEnv(process.env));
}

/** Tests only: read the environment again on next use. */
export function forgetEnv(): void {
  releaseSingleton("env");
}

export const nodeEnv: NodeEnv = nodeEnvOf(process.env);
export const isProduction = nodeEnv === "production";

export function getAuthMode(): AuthMode {
  return authModeOf(getEnv());
}

/** Configured secret values, so the logger and Sentry can scrub them wherever they appear. */
export function getSecretValues(): string[] {
  try {
    return secretValuesOf(getEnv());
  } catch {
    return [];
  }
}

/** The release identifier: commit SHA when known, else the package version. */
export function getRelease(): Release {
  const env = getEnv();
  // Build-time values (inlined by next.config.ts) are the default; runtime variables override them.
  return releaseOf(
    env.APP_VERSION ?? process.env.SLIPWAY_BUILD_VERSION ?? "0.0.0",
    env.COMMIT_SHA ?? (process.env.SLIPWAY_BUILD_COMMIT || undefined),
  );
}

/**
 * Once at server start: validates configuration (on failure prints one readable message naming
 * every bad variable, never a value, and exits 1), then prepares Clerk's environment: Clerk's SDK
 * reads CLERK_SECRET_KEY from process.env by itself (passing it as a middleware option would
 * require CLERK_ENCRYPTION_KEY), so a value that came from CLERK_SECRET_KEY_FILE is put there.
 */
export function validateConfigAtStartup(): void {
  let env: Readonly<ServerEnv>;
  try {
    env = getEnv();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`\n${error.message}\n\n`);
    process.exit(1);
  }
  if (env.CLERK_SECRET_KEY && getAuthMode() === "clerk" && !process.env.CLERK_SECRET_KEY) {
    process.env.CLERK_SECRET_KEY = env.CLERK_SECRET_KEY;
  }
}
