/**
 * Sentry for Next's Edge runtime (routes that declare `export const runtime = "edge"`, such as the
 * Open Graph image), loaded by src/instrumentation.ts register() when NEXT_RUNTIME is "edge". The
 * same settings as the server (SENTRY_DSN, environment, release, sampling, the scrubber, quiet
 * paths dropped), read from the Edge runtime's view of the configuration; off without SENTRY_DSN.
 * Events carry the tag runtime=edge.
 */
import * as Sentry from "@sentry/nextjs";
import { quietPathPrefixes } from "@/lib/http/routes";
import { edgeSentryOptions } from "@/lib/observability/edge";
import { routes } from "@/routes";

const options = edgeSentryOptions(quietPathPrefixes(routes));
if (options.enabled) Sentry.init(options);
