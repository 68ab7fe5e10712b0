/**
 * Observability, browser side (safe in client components): the runtime public config and the
 * Sentry browser options.
 */
export { analyticsOriginOf, PUBLIC_CONFIG_PATH, readPublicConfig, whenPublicConfigReady } from "./public-config";
export { commonInitOptions } from "./sentry-options";
