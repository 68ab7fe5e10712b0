import type * as SentrySdk from "@sentry/nextjs";
import { getEnv, getRelease, getSecretValues, nodeEnv } from "@/lib/env";
import { singleton } from "@/lib/singleton";
import { getRequestContext } from "./request-context";
import { classifyEvent, commonInitOptions, sentrySettings, type SentrySettings } from "./sentry-options";

/** Server Sentry settings from the validated config (SENTRY_DSN; off when unset). */
function serverSentrySettings(): SentrySettings {
  const env = getEnv();
  return sentrySettings({
    dsn: env.SENTRY_DSN,
    environment: env.SENTRY_ENVIRONMENT,
    nodeEnv,
    release: getRelease().name,
    errorSampleRate: env.SENTRY_ERROR_SAMPLE_RATE,
    tracesSampleRate: env.SENTRY_TRACES_SAMPLE_RATE,
  });
}

/** Options for Sentry.init in sentry.server.config.ts. */
function serverSentryOptions(settings: SentrySettings, quietPathPrefixes: readonly string[]) {
  return commonInitOptions(settings, getSecretValues, "server", quietPathPrefixes);
}

interface TaggableEvent {
  level?: string;
  tags?: Record<string, unknown>;
  user?: { id?: string | number };
  contexts?: { trace?: { trace_id?: string } };
  exception?: { values?: { value?: string }[] };
}

const AREA = Symbol.for("slipway.error-area");

/** Marks an error as coming from `area` ("auth"), for its severity (SEVERITY_RULES). Returns it. */
export function markErrorArea<T>(error: T, area: string): T {
  if (error && typeof error === "object") (error as Record<symbol, unknown>)[AREA] = area;
  return error;
}

/** The messages of an error and its causes, and the area it was marked with. */
function describe(error: unknown): { messages: string[]; area?: string } {
  const messages: string[] = [];
  let area: string | undefined;
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 5; depth++) {
    area ??= (current as Record<symbol, unknown>)[AREA] as string | undefined;
    if (current instanceof Error) messages.push(current.message);
    current = (current as { cause?: unknown }).cause;
  }
  return { messages, area };
}

/**
 * Event processor: classifies every server event (severity tag and level, SEVERITY_RULES), tags it
 * with the request's ids (request_id, tenant_id and the internal user id) and remembers the event's
 * trace id so the request's log line carries it.
 */
function tagWithRequestContext<E extends TaggableEvent>(event: E, hint?: { originalException?: unknown }): E {
  const context = getRequestContext();
  classifyEvent(event, { runtime: "server", method: context?.method, ...describe(hint?.originalException) });
  if (!context) return event;
  event.tags = {
    ...event.tags,
    request_id: context.requestId,
    ...(context.tenantId ? { tenant_id: context.tenantId } : {}),
  };
  if (context.userId) event.user = { id: context.userId };
  const traceId = event.contexts?.trace?.trace_id;
  if (traceId) context.traceId ??= traceId;
  return event;
}

// The server SDK is loaded only when a DSN is configured: without one, no process pays for loading
// and holding it (about 600 modules; docs/performance.md). Everything server-side reaches Sentry
// through runningSentry().
const sdk = singleton("observability.sentry-sdk", (): { loaded?: typeof SentrySdk } => ({}));

/**
 * Loads and starts Sentry when SENTRY_DSN is set (sentry.server.config.ts, at startup); else
 * nothing. `quietPathPrefixes`: the route table's quiet paths, whose transactions are dropped.
 */
export async function startServerSentry(quietPathPrefixes: readonly string[]): Promise<void> {
  const settings = serverSentrySettings();
  if (!settings.dsn) return;
  const Sentry = await import("@sentry/nextjs");
  Sentry.init(serverSentryOptions(settings, quietPathPrefixes));
  Sentry.addEventProcessor(tagWithRequestContext);
  sdk.loaded = Sentry;
}

/**
 * Sentry for the worker process (src/worker.ts), which runs no Next: the Node SDK with the server's
 * options (scrubbing, sampling, release), started only when SENTRY_DSN is set, like the server's.
 */
export async function startWorkerSentry(): Promise<void> {
  const settings = serverSentrySettings();
  if (!settings.dsn) return;
  const Sentry = await import("@sentry/node");
  Sentry.init({ ...serverSentryOptions(settings, []), serverName: "worker" });
  Sentry.addEventProcessor((event, hint) => {
    classifyEvent(event, { runtime: "server", ...describe(hint?.originalException) });
    return event;
  });
  sdk.loaded = Sentry as unknown as typeof SentrySdk;
}

/** The Sentry SDK while it runs; undefined when Sentry is off (then it was never loaded). */
export function runningSentry(): typeof SentrySdk | undefined {
  return sdk.loaded?.isEnabled() ? sdk.loaded : undefined;
}

/** The trace id of the active span, when Sentry tracing is on. */
export function activeTraceId(): string | undefined {
  return runningSentry()?.getActiveSpan()?.spanContext().traceId;
}
