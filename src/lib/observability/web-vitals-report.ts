/**
 * What a browser reports of its page experience (Core Web Vitals and two diagnostics), and where:
 * shared by the reporter (src/components/web-vitals-reporter.tsx) and the endpoint (src/app/api/vitals). Pure.
 */

export const WEB_VITALS_PATH = "/api/vitals";

/** Reported metrics: LCP, INP and CLS are the Core Web Vitals; FCP and TTFB explain a slow LCP. */
export const REPORTED_VITALS = ["LCP", "INP", "CLS", "FCP", "TTFB"] as const;
export type ReportedVital = (typeof REPORTED_VITALS)[number];

/** At most one of each per page view, so a report never needs more. */
export const MAX_VITALS_PER_REPORT = REPORTED_VITALS.length;

export interface VitalMeasurement {
  name: ReportedVital;
  /** Milliseconds, except CLS (unitless). */
  value: number;
  /** The path of the page view it measures. */
  path: string;
}

export interface WebVitalsReport {
  vitals: VitalMeasurement[];
}
