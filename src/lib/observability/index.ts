import "server-only";

/**
 * Observability, server side: request context and ids, request logging, Sentry options and error
 * reporting, Prometheus metrics, and the layout's public-config script. Browser code imports
 * `@/lib/observability/client` instead.
 */
export { timeDatabase } from "./database-timing";
export { installObservability } from "./install";
export { getMetrics, isAuthorizedScrape, observeRedis, type RedisState } from "./metrics";
export { PublicConfigScripts } from "./public-config-script";
export { identifyRequest, reportError, requestLogger } from "./report-error";
export { elapsedMs, getRequestContext, setRequestContext, type RequestContext } from "./request-context";
export { REQUEST_ID_HEADER } from "./request-id";
export { serverSentryOptions, serverSentrySettings, tagWithRequestContext } from "./sentry-server";
export { forwardEnvelope } from "./tunnel";
export { serverTiming, withServerTiming } from "./server-timing";
