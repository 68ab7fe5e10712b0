import "server-only";
import type { Logger } from "pino";
import { getEnv, getRelease, getSecretValues } from "@/lib/env";
import { singleton } from "@/lib/singleton";
import { createLogger } from "./create-logger";

export type { Logger };

/** Level and release from config; invalid config is reported by startup validation, logging must still work. */
function settingsFromConfig(): { level: string; release?: string } {
  try {
    return { level: getEnv().LOG_LEVEL, release: getRelease().name };
  } catch {
    return { level: "info" };
  }
}

/**
 * The process-wide logger (created on first use, so nothing runs at import or build time). Every
 * line names the service and the release, so a log search finds what one release did.
 */
export function getLogger(): Logger {
  return singleton("logger", () => {
    const { level, release } = settingsFromConfig();
    return createLogger({
      level,
      knownSecrets: getSecretValues,
      base: { service: "slipway", ...(release ? { release } : {}) },
    });
  });
}

/** Flushes buffered output; call before exiting. */
export function flushLogger(): void {
  getLogger().flush();
}
