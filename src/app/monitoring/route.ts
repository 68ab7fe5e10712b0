import { getEnv } from "@/lib/env";
import { NotFoundError } from "@/lib/errors";
import { publicApiRoute, readBody } from "@/lib/http";
import { forwardEnvelope } from "@/lib/observability";

export const dynamic = "force-dynamic";

/**
 * Sentry tunnel: browser envelopes for the configured DSN only (404 while NEXT_PUBLIC_SENTRY_DSN is
 * unset); its size and per-client rate limits are the route table's (src/routes.ts).
 */
export const POST = publicApiRoute({}, async ({ request }) => {
  const dsn = getEnv().NEXT_PUBLIC_SENTRY_DSN;
  if (!dsn) throw new NotFoundError();
  return forwardEnvelope(await readBody(request), dsn);
});
