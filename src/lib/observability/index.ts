import "server-only";

/**
 * Observability, server side: request context (ids, database time, Server-Timing), one log line
 * and metrics per request, error reporting to logs and Sentry, Prometheus metrics, and the two
 * endpoints the browser uses (runtime config, Sentry tunnel). Browser code imports
 * `@/lib/observability/client` instead.
 */
export { forwardEnvelope, MAX_ENVELOPE_BYTES, publicConfigResponse } from "./browser-endpoints";
export { installObservability } from "./install";
export { getMetrics, isAuthorizedScrape, observeHealth, type HealthSnapshot } from "./metrics";
export { identifyRequest, reportError, requestLogger } from "./report-error";
export { requestClientIp, timeDatabase, withServerTiming } from "./request-context";
export { markErrorArea, serverSentryOptions, serverSentrySettings, tagWithRequestContext } from "./sentry-server";
