import { getEnv } from "@/lib/env";
import { forwardEnvelope } from "@/lib/observability";

export const dynamic = "force-dynamic";

/** Sentry tunnel: browser envelopes for the configured DSN only (404 while NEXT_PUBLIC_SENTRY_DSN is unset). */
export async function POST(request: Request): Promise<Response> {
  return forwardEnvelope(request, getEnv().NEXT_PUBLIC_SENTRY_DSN);
}
