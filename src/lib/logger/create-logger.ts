import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";
import { REDACT_PATHS, REDACTED, scrubString, scrubValue } from "./client";

export interface LoggerSettings {
  level: LoggerOptions["level"];
  /** Values that must never appear in output (the configured secrets). */
  knownSecrets: () => readonly string[];
  base?: Record<string, unknown>;
}

/**
 * JSON lines, synchronous, no transports and no worker threads (so the standalone output needs
 * nothing pino-pretty brings). Development pipes this through pino-pretty instead.
 */
export function createLogger(settings: LoggerSettings, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: settings.base ?? { service: "slipway" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => scrubValue(object, settings.knownSecrets()) as Record<string, unknown>,
    },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    hooks: {
      logMethod(args, method) {
        const secrets = settings.knownSecrets();
        const scrubbed = args.map((arg) => (typeof arg === "string" ? scrubString(arg, secrets) : arg));
        return method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
    serializers: {
      // formatters.log has already turned errors into scrubbed plain objects; this catches the rest.
      err: (error: unknown) =>
        error instanceof Error ? scrubValue(pino.stdSerializers.err(error), settings.knownSecrets()) : error,
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
