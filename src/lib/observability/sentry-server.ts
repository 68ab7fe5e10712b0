import type * as SentrySdk from "@sentry/nextjs";
import { getEnv, getRelease, getSecretValues, nodeEnv } from "@/lib/env";
import { singleton } from "@/lib/singleton";
import { getRequestContext } from "./request-context";
import { commonInitOptions, sentrySettings, type SentrySettings } from "./sentry-options";

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
function serverSentryOptions(settings = serverSentrySettings()) {
  return commonInitOptions(settings, getSecretValues);
}

interface TaggableEvent {
  tags?: Record<string, unknown>;
  user?: { id?: string | number };
  contexts?: { trace?: { trace_id?: string } };
}

/**
 * Event processor: tags every server event with the request's ids (request_id, tenant_id and the
 * internal user id) and remembers the event's trace id so the request's log line carries it.
 */
function tagWithRequestContext<E extends TaggableEvent>(event: E): E {
  const context = getRequestContext();
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

/** Loads and starts Sentry when SENTRY_DSN is set (sentry.server.config.ts, at startup); else nothing. */
export async function startServerSentry(): Promise<void> {
  const settings = serverSentrySettings();
  if (!settings.dsn) return;
  const Sentry = await import("@sentry/nextjs");
  Sentry.init(serverSentryOptions(settings));
  Sentry.addEventProcessor(tagWithRequestContext);
  sdk.loaded = Sentry;
}

/** The Sentry SDK while it runs; undefined when Sentry is off (then it was never loaded). */
export function runningSentry(): typeof SentrySdk | undefined {
  return sdk.loaded?.isEnabled() ? sdk.loaded : undefined;
}

/** The trace id of the active span, when Sentry tracing is on. */
export function activeTraceId(): string | undefined {
  return runningSentry()?.getActiveSpan()?.spanContext().traceId;
}
