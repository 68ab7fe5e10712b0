import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { authProxy } from "@/lib/auth/proxy";

/**
 * Runs before matching requests. A small composition: each step returns a response to send, or
 * undefined to continue. Health probes never get here (matcher), so they never depend on Clerk.
 */
export async function proxy(request: NextRequest, event: NextFetchEvent) {
  return (await authProxy(request, event)) ?? NextResponse.next();
}

export const config = {
  matcher: [
    // Everything except health probes, Next.js internals and static files.
    "/((?!health(?:/|$)|api/health(?:/|$)|_next/static|_next/image|favicon\\.ico|robots\\.txt|icon\\.svg|.*\\.(?:css|js|map|png|jpe?g|gif|svg|ico|webp|woff2?|ttf|txt)$).*)",
  ],
};
