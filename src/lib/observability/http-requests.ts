import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { getLogger } from "@/lib/logger";
import { singleton } from "@/lib/singleton";
import { getMetrics } from "./metrics";
import { clientIpOf, REQUEST_ID_HEADER, resolveRequestId, elapsedMs, type RequestContext } from "./request-context";
import { createRouteMatcher, statusClass, type RouteMatcher } from "./route-pattern";
import { activeTraceId } from "./sentry-server";

/**
 * Request ids, the one completion log line and the HTTP metrics of every request the server
 * answers (pages, route handlers, static files, refusals), for the HTTP pipeline (src/lib/http),
 * which runs each request inside its context.
 */

export interface RequestObservationSettings {
  /** Route templates of the app (the build lists them), for the `route` label and log field. */
  routeTemplates?: readonly string[];
  /** Proxies trusted to append to X-Forwarded-For (TRUSTED_PROXY_HOPS). */
  trustedProxyHops: number;
  /** A header the platform's edge sets to the client's address (CLIENT_IP_HEADER), lower case. */
  clientIpHeader?: string;
}

export interface RequestObserver {
  /** The request's context: its id (a strictly formatted incoming one, or a new one, also written to both header sets), client and route. */
  begin(request: IncomingMessage, response: ServerResponse): RequestContext;
  /**
   * One log line and the metrics of a request whose response closed: `quiet` classes log healthy
   * answers at debug; a response the client abandoned is logged as such (499), never as a failure.
   */
  complete(context: RequestContext, response: ServerResponse, options: { quiet: boolean; status?: number }): void;
}

/** HTTP status logged for a response the client closed before it was sent (nginx's convention). */
const CLIENT_CLOSED_REQUEST = 499;

/** The running server's route matcher, for paths reported by browsers (Web Vitals). */
const serverRoutes = singleton("observability.route-matcher", (): { match?: RouteMatcher } => ({}));

/**
 * The route template of `pathname` ("/projects/[id]"), or "(unmatched)" when it is not one of the
 * app's routes: the same matching as the server's request metrics (the build's templates; coarse in
 * development).
 */
export function routeTemplateOf(pathname: string): string {
  return (serverRoutes.match ?? createRouteMatcher(undefined))(pathname);
}

export function createRequestObserver(settings: RequestObservationSettings): RequestObserver {
  const matchRoute: RouteMatcher = createRouteMatcher(settings.routeTemplates);
  serverRoutes.match = matchRoute;
  return {
    begin(request, response) {
      const requestId = resolveRequestId(request.headers[REQUEST_ID_HEADER], randomUUID);
      request.headers[REQUEST_ID_HEADER] = requestId;
      response.setHeader(REQUEST_ID_HEADER, requestId);
      const path = (request.url ?? "/").split("?")[0] || "/";
      const platformHeader = settings.clientIpHeader ? request.headers[settings.clientIpHeader] : undefined;
      return {
        requestId,
        method: request.method ?? "GET",
        path,
        route: matchRoute(path),
        clientIp: clientIpOf(
          request.headers["x-forwarded-for"],
          request.socket.remoteAddress,
          settings.trustedProxyHops,
          platformHeader,
        ),
        startedAt: process.hrtime.bigint(),
        dbMs: 0,
        dbCalls: 0,
      };
    },
    complete(context, response, options) {
      try {
        // Closed by the client: the response never finished, or the request was cut off mid-body
        // (an answer written to a closed connection still "finishes").
        const closedByClient = !response.writableFinished || response.req?.readableAborted;
        const status = options.status ?? (closedByClient ? CLIENT_CLOSED_REQUEST : response.statusCode);
        const quiet = options.quiet;
        record(context, status, quiet);
      } catch {
        // Observability must never break a response.
      }
    },
  };
}

function record(context: RequestContext, status: number, quiet: boolean): void {
  const durationMs = elapsedMs(context);
  const labels = { method: context.method, route: context.route, status_class: statusClass(status) };
  const metrics = getMetrics();
  metrics.httpRequests.inc(labels);
  metrics.httpDuration.observe(labels, durationMs / 1000);

  context.traceId ??= activeTraceId();
  const line = {
    requestId: context.requestId,
    method: context.method,
    route: context.route,
    path: context.path,
    status,
    durationMs: Math.round(durationMs * 10) / 10,
    ...(context.dbCalls > 0 ? { dbMs: Math.round(context.dbMs * 10) / 10 } : {}),
    ...(context.tenantId ? { tenantId: context.tenantId } : {}),
    ...(context.userId ? { userId: context.userId } : {}),
    ...(context.traceId ? { traceId: context.traceId } : {}),
    // Who was refused or gave up (rate limits key on it): for incidents, and to check TRUSTED_PROXY_HOPS.
    ...(status === 429 || status === CLIENT_CLOSED_REQUEST ? { clientIp: context.clientIp } : {}),
  };
  const message = status === CLIENT_CLOSED_REQUEST ? "request closed by the client" : "request completed";
  getLogger()[completionLevel(status, quiet)](line, message);
}

/**
 * error: a 5xx answer (a bug or a crash); warn: 503 (a dependency is down: expected, and reported
 * once per outage elsewhere) and failing probes; info: everything else, a client closing its own
 * request included; debug: healthy probes, scrapes and static assets.
 */
export function completionLevel(status: number, quiet: boolean): "error" | "warn" | "info" | "debug" {
  if (quiet) return status >= 500 ? "warn" : "debug";
  if (status === 503) return "warn";
  return status >= 500 ? "error" : "info";
}
