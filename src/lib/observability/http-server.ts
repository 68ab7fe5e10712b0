import { randomUUID } from "node:crypto";
import diagnostics from "node:diagnostics_channel";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { singleton } from "@/lib/singleton";
import type { Metrics } from "./metrics";
import {
  clientIpOf,
  elapsedMs,
  REQUEST_ID_HEADER,
  requestStorage,
  resolveRequestId,
  type RequestContext,
} from "./request-context";

import { isQuietRoute, statusClass, type RouteMatcher } from "./route-pattern";

/**
 * Request ids, completion log lines and HTTP metrics for EVERY request the Node server answers
 * (pages, route handlers, static files, 404s), from Node's own `http.server.*` diagnostics
 * channels. Next has no response hook that sees every request; the HTTP server does.
 *
 * On `http.server.request.start` (synchronously, before Next sees the request) we resolve the
 * request id, write it into the request headers (so proxy.ts and handlers read the same id) and
 * the response headers, and enter the request's AsyncLocalStorage context. On
 * `http.server.response.finish` we log one line and observe the metrics.
 */

interface Message {
  request: IncomingMessage;
  response: ServerResponse;
}

export interface HttpObservabilityOptions {
  logger: () => Logger;
  metrics: () => Metrics;
  matchRoute: RouteMatcher;
  /** The Sentry trace id active when the response finishes, if tracing is on. */
  traceId: () => string | undefined;
  /** Proxies trusted to append to X-Forwarded-For (TRUSTED_PROXY_HOPS). */
  trustedProxyHops: () => number;
  /** A header the platform's edge sets to the client's address (CLIENT_IP_HEADER), lower case. */
  clientIpHeader: () => string | undefined;
}

export function installHttpObservability(options: HttpObservabilityOptions): void {
  const installed = singleton("observability.http-installed", () => ({ done: false }));
  if (installed.done) return;
  installed.done = true;
  const contexts = new WeakMap<IncomingMessage, RequestContext>();

  diagnostics.subscribe("http.server.request.start", (message) => {
    const { request, response } = message as Message;
    const requestId = resolveRequestId(request.headers[REQUEST_ID_HEADER], randomUUID);
    request.headers[REQUEST_ID_HEADER] = requestId;
    if (!response.headersSent) response.setHeader(REQUEST_ID_HEADER, requestId);
    const path = (request.url ?? "/").split("?")[0] || "/";
    const context: RequestContext = {
      requestId,
      method: request.method ?? "GET",
      path,
      route: options.matchRoute(path),
      clientIp: clientIpOf(
        request.headers["x-forwarded-for"],
        request.socket.remoteAddress,
        options.trustedProxyHops(),
        platformClientIp(request, options.clientIpHeader()),
      ),
      startedAt: process.hrtime.bigint(),
      dbMs: 0,
      dbCalls: 0,
    };
    contexts.set(request, context);
    // Everything Node runs for this request from here on (Next's handler included) sees the context.
    requestStorage.enterWith(context);
  });

  diagnostics.subscribe("http.server.response.finish", (message) => {
    const { request, response } = message as Message;
    const context = contexts.get(request);
    if (!context) return;
    contexts.delete(request);
    try {
      complete(context, response.statusCode, options);
    } catch {
      // Observability must never break a response.
    }
  });
}

function complete(context: RequestContext, status: number, options: HttpObservabilityOptions): void {
  const durationMs = elapsedMs(context);
  const labels = { method: context.method, route: context.route, status_class: statusClass(status) };
  const metrics = options.metrics();
  metrics.httpRequests.inc(labels);
  metrics.httpDuration.observe(labels, durationMs / 1000);

  context.traceId ??= options.traceId();
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
    // Who was refused (rate limits key on it): for incidents, and to check TRUSTED_PROXY_HOPS.
    ...(status === 429 ? { clientIp: context.clientIp } : {}),
  };
  const logger = options.logger();
  logger[completionLevel(status, isQuietRoute(context.route, context.path))](line, "request completed");
}

/**
 * error: a 5xx answer (a bug or a crash); warn: 503 (a dependency is down: expected, and reported
 * once per outage elsewhere) and failing probes; info: everything else; debug: healthy probes,
 * scrapes and static assets.
 */
export function completionLevel(status: number, quiet: boolean): "error" | "warn" | "info" | "debug" {
  if (quiet) return status >= 500 ? "warn" : "debug";
  if (status === 503) return "warn";
  return status >= 500 ? "error" : "info";
}

function platformClientIp(request: IncomingMessage, header: string | undefined): string | string[] | undefined {
  return header ? request.headers[header] : undefined;
}
