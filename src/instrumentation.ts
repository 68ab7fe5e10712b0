import type { Instrumentation } from "next";

/**
 * Runs once when a server process starts (before it serves). Fails fast on invalid configuration:
 * one message naming every bad variable, no stack trace, exit code 1. Then starts observability
 * (Sentry, off without a DSN; per-request ids, log lines and metrics) and installs graceful shutdown
 * (drain, flush Sentry, close, clean up) for the standalone server. Nothing runs on the Edge runtime.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // First: nothing created before these runs keeps a finished request alive (src/lib/memory).
  const { captureStartupContext, releaseAbortReasonFrames } = await import("@/lib/memory");
  captureStartupContext();
  releaseAbortReasonFrames();
  const { validateConfigAtStartup } = await import("@/lib/env");
  validateConfigAtStartup();
  await import("../sentry.server.config");
  const { installObservability, observeHealth, requestLogger } = await import("@/lib/observability");
  installObservability();
  const { healthSnapshot } = await import("@/lib/health");
  observeHealth(healthSnapshot);
  const { announceAuthMode } = await import("@/lib/auth");
  announceAuthMode(requestLogger());
  const { installFrontDoor } = await import("@/lib/http");
  const { getEnv } = await import("@/lib/env");
  const { configuredPageSecurityHeaders } = await import("@/lib/security");
  const env = getEnv();
  installFrontDoor({
    maxInFlight: env.MAX_IN_FLIGHT_REQUESTS,
    defaultHeaders: configuredPageSecurityHeaders(env, { https: env.APP_URL?.startsWith("https:") ?? false }),
  });
  const { installShutdownHandlers } = await import("@/lib/shutdown");
  installShutdownHandlers();
}

/** Errors Next catches while rendering pages, running route handlers, actions and proxy: logged, and sent to Sentry when it runs. */
export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { reportRequestError } = await import("@/lib/observability");
  await reportRequestError(error, request, context);
};
