/**
 * Sentry for the browser, imported by src/instrumentation-client.ts. The DSN and rates come from
 * the server at runtime (the root layout's #slipway-public-config element), never from build-time
 * NEXT_PUBLIC_* inlining. No DSN: no init, so no request to any Sentry host or to the tunnel.
 * Events go through our /monitoring tunnel; replay is off unless its rates are set, and then it
 * masks all text and inputs and blocks media.
 */
import * as Sentry from "@sentry/nextjs";
import { quietPathPrefixes } from "@/lib/http/routes";
import { commonInitOptions, whenPublicConfigReady } from "@/lib/observability/client";
import { routes } from "@/routes";

whenPublicConfigReady((config) => {
  const settings = config?.sentry;
  if (!settings?.dsn) return;
  const replay = settings.replaysSessionSampleRate > 0 || settings.replaysOnErrorSampleRate > 0;
  Sentry.init({
    ...commonInitOptions(settings, () => [], "browser", quietPathPrefixes(routes)),
    tunnel: settings.tunnel,
    replaysSessionSampleRate: settings.replaysSessionSampleRate,
    replaysOnErrorSampleRate: settings.replaysOnErrorSampleRate,
    integrations: replay
      ? [Sentry.replayIntegration({ maskAllText: true, maskAllInputs: true, blockAllMedia: true })]
      : [],
  });
});
