/**
 * Observability, browser side (safe in client components): runtime public config, Sentry browser
 * options and typed analytics events.
 */
export { readPublicConfig, whenPublicConfigReady, type PublicConfig } from "./public-config";
export { commonInitOptions } from "./sentry-options";
export { trackEvent, type AnalyticsEventName, type AnalyticsEvents } from "./track-event";
export { TrackedForm, TrackEventOnMount } from "./track-event-components";
