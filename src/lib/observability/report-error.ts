import type * as SentrySdk from "@sentry/nextjs";
import { getLogger, type Logger } from "@/lib/logger";
import { getRequestContext, requestBindings, setRequestContext } from "./request-context";
import { runningSentry } from "./sentry-server";

/** A logger carrying the current request's ids (request, tenant, user, trace). */
export function requestLogger(): Logger {
  const bindings = requestBindings();
  return Object.keys(bindings).length > 0 ? getLogger().child(bindings) : getLogger();
}

/** Who is asking, once auth has resolved: goes into the request's log line, metrics context and Sentry tags. */
export function identifyRequest(identity: { tenantId?: string | null; userId?: string | null }): void {
  setRequestContext({ tenantId: identity.tenantId ?? undefined, userId: identity.userId ?? undefined });
}

/**
 * Severity mapping (docs/observability.md):
 * - "error": an unexpected exception (a bug): logged at error and sent to Sentry.
 * - "warning": an expected failure of a dependency (database or Redis unavailable, 503): logged at
 *   warn and sent to Sentry as a warning, grouped into one issue per code.
 * - Client errors (4xx) are answers, not failures: not logged as errors and not sent.
 * - "fatal" is reserved for uncaught exceptions that end the process (Sentry's Node default).
 */
export function reportError(
  error: unknown,
  options: { level?: "error" | "warning"; message?: string; code?: string } = {},
): string | undefined {
  const level = options.level ?? "error";
  const logger = requestLogger();
  const message = options.message ?? (level === "error" ? "unhandled error" : "dependency unavailable");
  if (level === "error") logger.error({ err: error }, message);
  else logger.warn({ err: error, code: options.code }, message);
  const Sentry = runningSentry();
  if (!Sentry) return undefined;
  const eventId = Sentry.captureException(error, {
    level,
    ...(options.code ? { fingerprint: ["{{ default }}", options.code] } : {}),
  });
  // Make sure the log line of this request names the trace of the event.
  const traceId = Sentry.getActiveSpan()?.spanContext().traceId;
  if (traceId && getRequestContext() && !getRequestContext()!.traceId) setRequestContext({ traceId });
  return eventId;
}

/** Where a failed job came from: Sentry tags job_name and tenant_id, and the log line's fields. */
export interface JobErrorContext {
  queue: string;
  jobId: string;
  tenantId: string | undefined;
  attempt: number;
  /** The last attempt: the job is now a dead letter. */
  final: boolean;
}

/** A job attempt that failed: logged (error on the last attempt, warn before) and sent to Sentry. */
export function reportJobError(error: unknown, job: JobErrorContext, logger: { error: LogFn; warn: LogFn }): void {
  const fields = { err: error, queue: job.queue, jobId: job.jobId, tenantId: job.tenantId, attempt: job.attempt };
  if (job.final) logger.error(fields, "job failed its last attempt: dead letter");
  else logger.warn(fields, "job attempt failed: will retry");
  const Sentry = runningSentry();
  if (!Sentry) return;
  Sentry.withScope((scope) => {
    scope.setTags({ job_name: job.queue, job_id: job.jobId, ...(job.tenantId ? { tenant_id: job.tenantId } : {}) });
    scope.setContext("job", { attempt: job.attempt, final: job.final });
    Sentry.captureException(error, { level: job.final ? "error" : "warning" });
  });
}

type LogFn = (fields: object, message: string) => void;

type RequestErrorArguments = Parameters<typeof SentrySdk.captureRequestError>;

/** Errors Next caught while rendering or handling a request (instrumentation's onRequestError). */
export async function reportRequestError(...[error, request, context]: RequestErrorArguments): Promise<void> {
  requestLogger().error(
    { err: error, routePath: context.routePath, routeType: context.routeType },
    "unhandled error while rendering",
  );
  await runningSentry()?.captureRequestError(error, request, context);
}
