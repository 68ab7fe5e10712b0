import { SECRET_VARIABLES } from "./client";

/**
 * Pure readings of raw environment values, shared by the Node server (./load.ts) and the Edge
 * runtime (./edge.ts, which has no node:fs).
 */

export type RawEnv = Record<string, string | undefined>;
export type NodeEnv = "development" | "test" | "production";

export function nodeEnvOf(raw: RawEnv): NodeEnv {
  const value = raw.NODE_ENV;
  return value === "production" || value === "test" ? value : "development";
}

export interface Release {
  version: string;
  commit: string | undefined;
  /** `slipway@<commit>` when the commit is known, else `slipway@<version>`: logs, Sentry, metrics. */
  name: string;
}

export function releaseOf(version: string, commit: string | undefined): Release {
  return { version, commit, name: `slipway@${commit || version}` };
}

/** The values of every configured secret, for redaction in logs and error reports. */
export function secretValuesOf(env: Partial<Record<string, unknown>>): string[] {
  return SECRET_VARIABLES.map((name) => env[name]).filter(
    (value): value is string => typeof value === "string" && value.length >= 8,
  );
}
