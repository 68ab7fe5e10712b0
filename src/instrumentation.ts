import type { Instrumentation } from "next";

/**
 * Runs once when Next prepares, inside the server process (src/server.ts, which has already
 * validated the configuration, installed the memory fixes and started the HTTP server with its
 * pipeline and graceful shutdown). Here, in Next's own module graph: Sentry (off without a DSN), the
 * pool, Redis, health and job-queue gauges, and the auth mode's startup line. Next runs it once more
 * inside the Edge runtime's sandbox (where `NEXT_RUNTIME` is "edge"), the first time an edge route
 * (the Open Graph image) is requested: there it starts Sentry only (sentry.edge.config.ts).
 */
export async function register() {
  if (process.env.NEXT_RUNTIME === "edge") {
    await import("../sentry.edge.config");
    return;
  }
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  await import("../sentry.server.config");
  const { installObservability, observeHealth, observeJobQueues, requestLogger } = await import("@/lib/observability");
  installObservability();
  const { healthSnapshot } = await import("@/lib/health");
  observeHealth(healthSnapshot);
  const { readQueueHealth } = await import("@/lib/jobs");
  observeJobQueues(readQueueHealth);
  const { announceAuthMode } = await import("@/lib/auth");
  announceAuthMode(requestLogger());
}

/**
 * Errors Next catches while rendering pages, running route handlers, actions and proxy: logged, and
 * sent to Sentry when it runs. Edge routes report their own errors inside the Edge runtime
 * (reportedOnEdge in @/lib/observability/edge): on a Node server Next would hand them to this
 * Node.js hook, which would report them as the Node runtime's.
 */
export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { reportRequestError } = await import("@/lib/observability");
  await reportRequestError(error, request, context);
};
