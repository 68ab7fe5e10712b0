import { noContent, publicApiRoute, readBody } from "@/lib/http";
import { requestLogger } from "@/lib/observability";
import { cspViolationsOf } from "@/lib/security";

/**
 * Content-Security-Policy violation reports (report-uri and the Reporting API): logged at warn
 * with the directive and the blocked origin only (size and per-client limits: the route table).
 */
export const POST = publicApiRoute({}, async ({ request }) => {
  const text = new TextDecoder().decode(await readBody(request));
  for (const violation of cspViolationsOf(text))
    requestLogger().warn({ csp: violation }, "content security policy violation");
  return noContent();
});
