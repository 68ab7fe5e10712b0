/**
 * Sentry for the browser, imported by src/instrumentation-client.ts. The DSN and rates come from
 * the server at runtime (/runtime-config.js), never from build-time NEXT_PUBLIC_* inlining. No DSN:
 * the SDK is not even downloaded (it is a chunk of its own, about 110 KB compressed, loaded only
 * once the config names a DSN), so no request to any Sentry host or to the tunnel. Events go
 * through our /monitoring tunnel; replay is off unless its rates are set, and then it masks all
 * text and inputs and blocks media.
 */
import type * as SentrySdk from "@sentry/nextjs";
import { quietPathPrefixes } from "@/lib/http/routes";
import { commonInitOptions, whenPublicConfigReady } from "@/lib/observability/client";
import { routes } from "@/routes";

let sentry: typeof SentrySdk | undefined;

whenPublicConfigReady((config) => {
  const settings = config?.sentry;
  if (!settings?.dsn) return;
  void import("@sentry/nextjs").then((Sentry) => {
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
    sentry = Sentry;
  });
});

/** Next calls it on every client-side navigation: a navigation span, once Sentry runs. */
export function onRouterTransitionStart(...args: Parameters<typeof SentrySdk.captureRouterTransitionStart>): void {
  sentry?.captureRouterTransitionStart(...args);
}
