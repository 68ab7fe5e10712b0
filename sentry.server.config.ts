/**
 * Sentry for the Node.js server runtime, loaded by src/instrumentation.ts register(). Off unless
 * SENTRY_DSN is set, and then not even loaded: no client, no network, no module of the SDK in the
 * process. Options live in @/lib/observability so they are unit-tested: environment and release set
 * explicitly, sampling from config, no default PII, a scrubber in beforeSend/beforeSendTransaction,
 * probe/metrics/static transactions dropped.
 */
import { quietPathPrefixes } from "@/lib/http/routes";
import { startServerSentry } from "@/lib/observability";
import { routes } from "@/routes";

await startServerSentry(quietPathPrefixes(routes));
