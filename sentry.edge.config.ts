/**
 * Sentry for the Edge runtime. Slipway runs nothing on Edge today (src/proxy.ts runs on Node.js in
 * Next 16); this keeps any future Edge route reporting with the same options. The Edge runtime
 * cannot read *_FILE secrets or use src/lib/env (node:fs), so it validates just the Sentry
 * variables with the same schema.
 */
import * as Sentry from "@sentry/nextjs";
import { serverEnvSchema } from "@/lib/env/schema";
import { commonInitOptions, sentrySettings } from "@/lib/observability/sentry-options";

const parsed = serverEnvSchema
  .pick({
    SENTRY_DSN: true,
    SENTRY_ENVIRONMENT: true,
    SENTRY_ERROR_SAMPLE_RATE: true,
    SENTRY_TRACES_SAMPLE_RATE: true,
    APP_VERSION: true,
    COMMIT_SHA: true,
  })
  .safeParse(process.env);

if (parsed.success && parsed.data.SENTRY_DSN) {
  const settings = sentrySettings({
    dsn: parsed.data.SENTRY_DSN,
    environment: parsed.data.SENTRY_ENVIRONMENT,
    nodeEnv: process.env.NODE_ENV ?? "production",
    release: {
      version: parsed.data.APP_VERSION ?? process.env.SLIPWAY_BUILD_VERSION ?? "0.0.0",
      commit: parsed.data.COMMIT_SHA ?? (process.env.SLIPWAY_BUILD_COMMIT || undefined),
    },
    errorSampleRate: parsed.data.SENTRY_ERROR_SAMPLE_RATE,
    tracesSampleRate: parsed.data.SENTRY_TRACES_SAMPLE_RATE,
  });
  Sentry.init(commonInitOptions(settings, () => []));
}
