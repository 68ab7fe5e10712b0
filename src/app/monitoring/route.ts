import { getEnv } from "@/lib/env";
import { NotFoundError } from "@/lib/errors";
import { publicApiRoute, readBody } from "@/lib/http";
import { forwardEnvelope, MAX_ENVELOPE_BYTES } from "@/lib/observability";

export const dynamic = "force-dynamic";

/**
 * Sentry tunnel: browser envelopes for the configured DSN only (404 while NEXT_PUBLIC_SENTRY_DSN is
 * unset), read with a size limit, counted per client against the tunnel rate limit.
 */
export const POST = publicApiRoute({ rateLimit: "tunnel" }, async ({ request }) => {
  const dsn = getEnv().NEXT_PUBLIC_SENTRY_DSN;
  if (!dsn) throw new NotFoundError();
  return forwardEnvelope(await readBody(request, MAX_ENVELOPE_BYTES), dsn);
});
