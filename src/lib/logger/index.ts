import "server-only";
import type { Logger } from "pino";
import { getEnv, getSecretValues } from "@/lib/env";
import { createLogger } from "./create-logger";

export type { Logger };
export { REDACTED, scrubString, scrubValue } from "./redaction";

const holder = globalThis as typeof globalThis & { __slipwayLogger?: Logger };

function levelFromConfig(): string {
  try {
    return getEnv().LOG_LEVEL;
  } catch {
    // Invalid config is reported by startup validation; logging must still work meanwhile.
    return "info";
  }
}

/** The process-wide logger (created on first use, so nothing runs at import or build time). */
export function getLogger(): Logger {
  holder.__slipwayLogger ??= createLogger({ level: levelFromConfig(), knownSecrets: getSecretValues });
  return holder.__slipwayLogger;
}

/** Flushes buffered output; call before exiting. */
export function flushLogger(): void {
  holder.__slipwayLogger?.flush();
}
