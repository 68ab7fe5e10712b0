import type { NextRequest } from "next/server";
import type { ServerEnv } from "@/lib/env";

/**
 * Where redirects point: APP_URL's origin when set (production), never the request's Host or
 * X-Forwarded-Host, which the caller chooses; the request's own origin only in development.
 */
export function appOrigin(env: Readonly<ServerEnv>, request: NextRequest): string {
  return env.APP_URL ? new URL(env.APP_URL).origin : request.nextUrl.origin;
}
