import { z } from "zod";
import { InvalidInputError } from "@/lib/errors";
import { routeTemplateOf } from "./http-requests";
import { getMetrics } from "./metrics";
import { UNMATCHED_ROUTE } from "./route-pattern";
import { MAX_VITALS_PER_REPORT, REPORTED_VITALS, type WebVitalsReport } from "./web-vitals-report";

/**
 * Web Vitals from browsers, recorded as Prometheus histograms per route template (never per raw
 * URL: a path that is not one of the app's pages is refused, so no caller can grow the label set).
 * Values beyond what a browser measures (a minute, a CLS of 10) are refused as forged.
 */

const MAX_MILLISECONDS = 60_000;
const MAX_CLS = 10;

const measurement = z
  .object({
    name: z.enum(REPORTED_VITALS),
    value: z.number().finite().min(0),
    path: z.string().max(512).startsWith("/"),
  })
  .refine((vital) => vital.value <= (vital.name === "CLS" ? MAX_CLS : MAX_MILLISECONDS), {
    message: "is beyond what a browser measures",
    path: ["value"],
  });

export const webVitalsReport = z.object({
  vitals: z.array(measurement).min(1).max(MAX_VITALS_PER_REPORT),
});

/**
 * Records each measurement under its page's route template. `isPage` says whether a path is a page
 * (the route table's class), so API paths and files are refused. Nothing is recorded unless every
 * measurement is valid.
 */
export function recordWebVitals(report: WebVitalsReport, isPage: (path: string) => boolean): void {
  const routed = report.vitals.map((vital) => {
    const route = routeTemplateOf(vital.path);
    if (route === UNMATCHED_ROUTE || !isPage(vital.path))
      throw new InvalidInputError("A reported path is not one of the app's pages.", [
        { path: "vitals.path", message: "is not a page of this app" },
      ]);
    return { ...vital, route };
  });
  const metrics = getMetrics();
  for (const { name, value, route } of routed) {
    if (name === "CLS") metrics.webVitalCls.observe({ route }, value);
    else metrics.webVitalSeconds.observe({ metric: name, route }, value / 1000);
  }
}
