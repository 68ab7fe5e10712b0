import "server-only";
import {
  authModeOf,
  ConfigError,
  nodeEnvOf,
  parseServerEnv,
  secretValuesOf,
  type AuthMode,
  type NodeEnv,
} from "./load";
import type { ServerEnv } from "./schema";

export type { AuthMode, NodeEnv, ServerEnv };
export { ConfigError };

const cache = globalThis as typeof globalThis & { __slipwayEnv?: Readonly<ServerEnv> };

/**
 * The validated runtime configuration. Read lazily (never at import, never during `next build`)
 * and once per process. Throws ConfigError listing every problem.
 */
export function getEnv(): Readonly<ServerEnv> {
  cache.__slipwayEnv ??= parseServerEnv(process.env);
  return cache.__slipwayEnv;
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
export function getRelease(): { version: string; commit: string | undefined } {
  const env = getEnv();
  // Build-time values (inlined by next.config.ts) are the default; runtime variables override them.
  return {
    version: env.APP_VERSION ?? process.env.SLIPWAY_BUILD_VERSION ?? "0.0.0",
    commit: env.COMMIT_SHA ?? (process.env.SLIPWAY_BUILD_COMMIT || undefined),
  };
}

/**
 * Clerk's SDK reads CLERK_SECRET_KEY from process.env by itself (passing it as a middleware option
 * would require CLERK_ENCRYPTION_KEY). When it came from CLERK_SECRET_KEY_FILE, put the value there
 * once at startup, before any Clerk module loads.
 */
export function exportClerkSecretForSdk(): void {
  const secret = getEnv().CLERK_SECRET_KEY;
  if (secret && getAuthMode() === "clerk" && !process.env.CLERK_SECRET_KEY) process.env.CLERK_SECRET_KEY = secret;
}
