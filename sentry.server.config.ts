/**
 * Sentry for the Node.js server runtime, loaded by src/instrumentation.ts register(). Off (no
 * client, no network) unless SENTRY_DSN is set. Options live in @/lib/observability so they are
 * unit-tested: environment and release set explicitly, sampling from config, no default PII, a
 * scrubber in beforeSend/beforeSendTransaction, probe/metrics/static transactions dropped.
 */
import * as Sentry from "@sentry/nextjs";
import { serverSentryOptions, serverSentrySettings, tagWithRequestContext } from "@/lib/observability";

const settings = serverSentrySettings();

if (settings.dsn) {
  Sentry.init(serverSentryOptions(settings));
  Sentry.addEventProcessor(tagWithRequestContext);
}
