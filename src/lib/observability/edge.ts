/**
 * Observability on Next's Edge runtime (sentry.edge.config.ts, edge routes such as the Open Graph
 * image): Sentry with the server's settings, scrubbing, release and environment, read from the Edge
 * runtime's view of the configuration. No node:* module, no server-only code.
 */
import { edgeNodeEnv, edgeReleaseName, edgeSecretValues, getEdgeEnv } from "@/lib/env/edge";
import { commonInitOptions, sentrySettings } from "./sentry-options";
import { scrubText } from "./sentry-scrub";

/** Options for Sentry.init on the Edge runtime; disabled (Sentry off) without SENTRY_DSN. */
export function edgeSentryOptions(quietPathPrefixes: readonly string[]) {
  const env = getEdgeEnv();
  const settings = sentrySettings({
    dsn: env.SENTRY_DSN,
    environment: env.SENTRY_ENVIRONMENT,
    nodeEnv: edgeNodeEnv,
    release: edgeReleaseName(),
    errorSampleRate: env.SENTRY_ERROR_SAMPLE_RATE,
    tracesSampleRate: env.SENTRY_TRACES_SAMPLE_RATE,
  });
  return commonInitOptions(settings, edgeSecretValues, "edge", quietPathPrefixes);
}

/** How long an edge route that failed waits for its Sentry event to be sent before answering. */
const FLUSH_TIMEOUT_MS = 2000;

/**
 * Wraps an edge route's handler so that its errors are reported from the Edge runtime itself:
 * logged as one JSON line, sent to Sentry (tagged runtime=edge) and answered with a bare 500. Left
 * to Next, an error thrown on a Node server leaves the Edge sandbox and reaches the Node runtime's
 * onRequestError, which reports it as the Node runtime's (docs/observability.md, "Edge runtime").
 */
export function reportedOnEdge<A extends unknown[]>(
  route: string,
  handler: (...args: A) => Promise<Response>,
): (...args: A) => Promise<Response> {
  return async (...args) => {
    try {
      return await handler(...args);
    } catch (error) {
      const secrets = edgeSecretValues();
      console.error(
        JSON.stringify({
          level: "error",
          time: new Date().toISOString(),
          service: "slipway",
          runtime: "edge",
          route,
          err: {
            type: error instanceof Error ? error.name : typeof error,
            message: scrubText(error instanceof Error ? error.message : String(error), secrets),
          },
          msg: "unhandled error in edge route",
        }),
      );
      // Imported here, not at the top: Next's Node server imports this route's module for the page's
      // metadata (og:image's size and alt), and the Node server loads no Sentry module without a DSN.
      if (getEdgeEnv().SENTRY_DSN) {
        const Sentry = await import("@sentry/nextjs");
        Sentry.withScope((scope) => {
          scope.setTag("route", route);
          Sentry.captureException(error);
        });
        await Sentry.flush(FLUSH_TIMEOUT_MS);
      }
      return new Response(null, { status: 500 });
    }
  };
}
