import { getEnv } from "@/lib/env";
import { getRedis, isRedisConfigured } from "@/lib/redis";
import { onShutdown } from "@/lib/shutdown";
import { getMetrics, observeDatabasePool, observeRedis } from "./metrics";
import { databaseOperationsInFlight } from "./request-context";
import { runningSentry } from "./sentry-server";

/**
 * Called once from instrumentation.ts register() in the Node.js runtime, after Sentry init: the
 * pool and Redis gauges, and Sentry's flush at shutdown. (Each request's id, log line and metrics
 * come from the HTTP pipeline, src/lib/http.)
 */
export function installObservability(): void {
  observeDatabasePool(() => ({ max: getEnv().DATABASE_POOL_MAX, inUse: databaseOperationsInFlight() }));
  observeRedis(() => (isRedisConfigured() ? getRedis()?.status : undefined));
  getMetrics();
  // Events captured while draining must leave before the process exits.
  const sentry = runningSentry();
  if (sentry) {
    onShutdown("sentry-flush", async () => {
      await sentry.flush(2000);
    });
  }
}
