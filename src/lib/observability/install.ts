import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import * as Sentry from "@sentry/nextjs";
import { getEnv } from "@/lib/env";
import { getLogger } from "@/lib/logger";
import { getRedis, isRedisConfigured } from "@/lib/redis";
import { onShutdown } from "@/lib/shutdown";
import { installHttpObservability } from "./http-server";
import { getMetrics, observeDatabasePool, observeRedis } from "./metrics";
import { databaseOperationsInFlight } from "./request-context";
import { createRouteMatcher, type RouteMatcher, type RoutesManifest } from "./route-pattern";
import { activeTraceId } from "./sentry-server";

/** Paths served from public/, e.g. "/robots.txt". */
function publicFiles(directory: string, prefix = ""): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? publicFiles(path.join(directory, entry.name), `${prefix}/${entry.name}`)
      : [`${prefix}/${entry.name}`],
  );
}

/** Ids and numbers become "[id]" when no manifest is available (development). */
function coarseMatcher(pathname: string): string {
  if (pathname.startsWith("/_next/")) return "/_next";
  return pathname
    .split("/")
    .map((segment) => (/^(\d+|[0-9a-f-]{16,}|[A-Za-z0-9_-]{20,})$/i.test(segment) ? "[id]" : segment))
    .join("/");
}

function routeMatcher(): RouteMatcher {
  // The standalone server runs with its own directory as cwd (server.js chdirs there).
  const manifestPath = path.join(process.cwd(), ".next", "routes-manifest.json");
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as RoutesManifest;
    return createRouteMatcher(manifest, publicFiles(path.join(process.cwd(), "public")));
  } catch {
    return coarseMatcher;
  }
}

/** Called once from instrumentation.ts register() in the Node.js runtime, after Sentry init. */
export function installObservability(): void {
  const metrics = getMetrics;
  observeDatabasePool(() => ({ max: getEnv().DATABASE_POOL_MAX, inUse: databaseOperationsInFlight() }));
  observeRedis(() => (isRedisConfigured() ? getRedis()?.status : undefined));
  metrics();
  // Events captured while draining must leave before the process exits.
  if (Sentry.isEnabled()) {
    onShutdown("sentry-flush", async () => {
      await Sentry.flush(2000);
    });
  }
  installHttpObservability({
    logger: getLogger,
    metrics,
    matchRoute: routeMatcher(),
    traceId: activeTraceId,
    trustedProxyHops: () => getEnv().TRUSTED_PROXY_HOPS,
    clientIpHeader: () => getEnv().CLIENT_IP_HEADER,
  });
}
