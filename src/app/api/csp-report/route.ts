import { noContent, publicApiRoute, readBody } from "@/lib/http";
import { requestLogger } from "@/lib/observability";
import { cspReportLine, cspViolationsOf } from "@/lib/security";

/**
 * Content-Security-Policy violation reports (report-uri and the Reporting API): one warn line per
 * report at the most, with the directives, blocked origins and pages only; a violation logged in
 * the last minute is not logged again (size and per-client limits: the route table).
 */
export const POST = publicApiRoute({}, async ({ request }) => {
  const line = cspReportLine(cspViolationsOf(new TextDecoder().decode(await readBody(request))));
  if (line) requestLogger().warn({ csp: line }, "content security policy violation");
  return noContent();
});
