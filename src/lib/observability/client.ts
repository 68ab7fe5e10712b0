/**
 * Observability, browser side (safe in client components): the runtime public config and the
 * Sentry browser options.
 */
export { readPublicConfig, whenPublicConfigReady, type PublicConfig } from "./public-config";
export { commonInitOptions } from "./sentry-options";
