import { getEnv, getRelease } from "@/lib/env";
import { NotFoundError, UnauthorizedError } from "@/lib/errors";
import { publicApiRoute } from "@/lib/http";
import { getMetrics, isAuthorizedScrape } from "@/lib/observability";

export const dynamic = "force-dynamic";

/** Prometheus scrape: 404 while METRICS_TOKEN is unset, 401 without the bearer token. */
export const GET = publicApiRoute({}, async ({ request }) => {
  const token = getEnv().METRICS_TOKEN;
  if (!token) throw new NotFoundError();
  if (!isAuthorizedScrape(request.headers.get("authorization"), token))
    throw new UnauthorizedError("A valid metrics token is required.");
  const { registry } = getMetrics(getRelease());
  return new Response(await registry.metrics(), {
    headers: { "content-type": registry.contentType, "cache-control": "no-store" },
  });
});
