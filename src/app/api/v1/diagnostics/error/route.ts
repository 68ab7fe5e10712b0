import { z } from "zod";
import { getEnv } from "@/lib/env";
import { NotFoundError } from "@/lib/errors";
import { apiRoute } from "@/lib/http";

export const dynamic = "force-dynamic";

/** Thrown on purpose so an operator can watch one event travel to Sentry. */
class SentryVerificationError extends Error {
  override name = "SentryVerificationError";
}

/**
 * POST /api/v1/diagnostics/error: throws, so the error goes through the same wrapper, logs and
 * Sentry path as a real bug in a tenant route. 404 unless SENTRY_VERIFY_ROUTE=true; turn it on to
 * verify a deployment, then off again (docs/observability.md).
 */
export const POST = apiRoute(
  { body: z.object({ message: z.string().max(500).optional() }).optional() },
  async ({ body }) => {
    if (!getEnv().SENTRY_VERIFY_ROUTE) throw new NotFoundError();
    throw new SentryVerificationError(body?.message ?? "Sentry verification error (expected)");
  },
);
