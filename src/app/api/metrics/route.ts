import { getEnv } from "@/lib/env";
import { NotFoundError, UnauthorizedError } from "@/lib/errors";
import { publicApiRoute } from "@/lib/http";
import { getMetrics, isAuthorizedScrape, requestClientIp } from "@/lib/observability";
import { consumeRateLimit } from "@/lib/rate-limit";

export const dynamic = "force-dynamic";

/** Prometheus scrape: 404 while METRICS_TOKEN is unset, 401 without the bearer token (limited per client). */
export const GET = publicApiRoute({}, async ({ request }) => {
  const token = getEnv().METRICS_TOKEN;
  if (!token) throw new NotFoundError();
  if (!isAuthorizedScrape(request.headers.get("authorization"), token)) {
    await consumeRateLimit("api-anonymous", requestClientIp());
    throw new UnauthorizedError("A valid metrics token is required.");
  }
  const { registry } = getMetrics();
  return new Response(await registry.metrics(), {
    headers: { "content-type": registry.contentType, "cache-control": "no-store" },
  });
});
