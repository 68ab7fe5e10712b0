/**
 * Runs in the browser before the app hydrates (Next 16 loads this file for the client; Turbopack
 * requires it). Sentry initialises from the runtime config, and its SDK loads only when that
 * config names a DSN (sentry.client.config.ts).
 */
export { onRouterTransitionStart } from "../sentry.client.config";
