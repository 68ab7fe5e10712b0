import { classify } from "@/lib/http/routes";
import { noContent, publicApiRoute } from "@/lib/http";
import { recordWebVitals, webVitalsReport } from "@/lib/observability";
import { routes } from "@/routes";

const isPage = (path: string) => classify(routes, path).kind === "page";

/**
 * Web Vitals from browsers (src/components/web-vitals-reporter.tsx): validated, recorded per
 * route template. Size and per-address rate limits: the route table.
 */
export const POST = publicApiRoute({ body: webVitalsReport }, async ({ body }) => {
  recordWebVitals(body, isPage);
  return noContent();
});
