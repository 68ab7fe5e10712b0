import * as Sentry from "@sentry/nextjs";

/**
 * Runs once when a server process starts (before it serves). Fails fast on invalid configuration:
 * one message naming every bad variable, no stack trace, exit code 1. Then starts observability
 * (Sentry, off without a DSN; per-request ids, log lines and metrics) and installs graceful shutdown
 * (drain, flush Sentry, close, clean up) for the standalone server. Nothing runs on the Edge runtime.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
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
  installFrontDoor();
  const { installShutdownHandlers } = await import("@/lib/shutdown");
  installShutdownHandlers();
}

/** Errors Next catches while rendering pages, running route handlers, actions and proxy. */
export const onRequestError: typeof Sentry.captureRequestError = async (error, request, context) => {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { requestLogger } = await import("@/lib/observability");
    requestLogger().error(
      { err: error, routePath: context.routePath, routeType: context.routeType },
      "unhandled error while rendering",
    );
  }
  return Sentry.captureRequestError(error, request, context);
};
