import "server-only";

/**
 * Observability, server side: request context (ids, database time, Server-Timing), one log line
 * and metrics per request, error reporting to logs and Sentry, Prometheus metrics, and the two
 * endpoints the browser uses (runtime config, Sentry tunnel). Browser code imports
 * `@/lib/observability/client` instead.
 */
export { forwardEnvelope, publicConfigResponse } from "./browser-endpoints";
export { installObservability } from "./install";
export {
  getMetrics,
  isAuthorizedScrape,
  observeHealth,
  observeInFlight,
  observeJobQueues,
  type HealthSnapshot,
} from "./metrics";
export { identifyRequest, reportError, reportJobError, reportRequestError, requestLogger } from "./report-error";
export { createRequestObserver, type RequestObserver } from "./http-requests";
export {
  getRequestContext,
  requestClientIp,
  runInRequestContext,
  timeDatabase,
  withServerTiming,
  type RequestContext,
} from "./request-context";
export { markErrorArea, runningSentry, startServerSentry, startWorkerSentry } from "./sentry-server";
export { recordWebVitals, webVitalsReport } from "./web-vitals";
