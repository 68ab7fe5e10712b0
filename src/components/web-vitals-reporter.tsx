"use client";

import { useReportWebVitals } from "next/web-vitals";
import {
  MAX_VITALS_PER_REPORT,
  REPORTED_VITALS,
  WEB_VITALS_PATH,
  type VitalMeasurement,
  type WebVitalsReport,
} from "@/lib/observability/client";

const reported = new Set<string>(REPORTED_VITALS);
const queue: VitalMeasurement[] = [];

/** Sends what is queued: a beacon, so reports made while the page is being hidden or left still arrive. */
function flush(): void {
  const vitals = queue.splice(0, MAX_VITALS_PER_REPORT);
  if (vitals.length === 0) return;
  const body = JSON.stringify({ vitals } satisfies WebVitalsReport);
  try {
    const sent = navigator.sendBeacon?.(WEB_VITALS_PATH, new Blob([body], { type: "application/json" }));
    if (!sent)
      void fetch(WEB_VITALS_PATH, {
        method: "POST",
        body,
        keepalive: true,
        headers: { "content-type": "application/json" },
      }).catch(() => {});
  } catch {
    // Measuring must never break the page.
  }
  if (queue.length > 0) flush();
}

interface NextVital {
  name: string;
  value: number;
  navigationURL?: string;
}

function report(metric: NextVital): void {
  if (!reported.has(metric.name) || !Number.isFinite(metric.value)) return;
  let path = window.location.pathname;
  try {
    if (metric.navigationURL) path = new URL(metric.navigationURL, window.location.href).pathname;
  } catch {
    // The page's own path then.
  }
  queue.push({ name: metric.name as VitalMeasurement["name"], value: metric.value, path });
  // Metrics that settle together (FCP and TTFB; LCP, CLS and INP when the page is hidden) go in one
  // report: each arrives from its own observer callback, and the microtask runs after the batch.
  if (queue.length === 1) queueMicrotask(flush);
}

/**
 * Reports LCP, INP, CLS, FCP and TTFB of every page view to the server (WEB_VITALS_PATH), which
 * records them per route template. Rendered once, in the root layout. A component, not part of
 * @/lib/observability/client: that entry is also bundled into the server (src/server.ts), which must
 * not load Next's browser-only next/web-vitals.
 */
export function WebVitalsReporter() {
  useReportWebVitals(report);
  return null;
}
