/**
 * Observability, browser side (safe in client components): the runtime public config, the
 * Sentry browser options and what the Web Vitals reporter (src/components/web-vitals-reporter.tsx) sends.
 */
export { analyticsOriginOf, PUBLIC_CONFIG_PATH, readPublicConfig, whenPublicConfigReady } from "./public-config";
export { commonInitOptions } from "./sentry-options";
export {
  MAX_VITALS_PER_REPORT,
  REPORTED_VITALS,
  WEB_VITALS_PATH,
  type VitalMeasurement,
  type WebVitalsReport,
} from "./web-vitals-report";
