import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { appOrigin, authProxy, rendersPerRequest } from "@/lib/auth/proxy";
import { getEnv } from "@/lib/env";
import { configuredPageSecurityHeaders, newNonce } from "@/lib/security";

/**
 * Runs before pages and the tenant API (matcher below), never before probes, machine endpoints,
 * static files or the landing page: they need no auth, the front door already gave every response
 * a prerendered page's security headers (src/instrumentation.ts), and the proxy is most of what a
 * prerendered page costs beyond bare Next (docs/performance.md); it also buffers request bodies
 * (proxyClientMaxBodySize in next.config.ts). Steps: the auth step (Clerk mode), then the page's
 * security headers, with a per-request CSP nonce for pages rendered per request.
 */
export async function proxy(request: NextRequest, event: NextFetchEvent) {
  const env = getEnv();
  const nonce = rendersPerRequest(request.nextUrl.pathname) ? newNonce() : undefined;
  const headers = configuredPageSecurityHeaders(env, { nonce, https: appOrigin(env, request).startsWith("https:") });
  const response = (await authProxy(request, event)) ?? NextResponse.next();
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  // Next reads the nonce from the request's CSP header and puts it on its own scripts.
  if (nonce && response.headers.get("x-middleware-next") === "1") {
    passRequestHeader(request, response, "content-security-policy", headers["Content-Security-Policy"]!);
  }
  return response;
}

/**
 * Adds a header to the request Next renders, on a response that continues (NextResponse.next):
 * Next replaces the request's headers with the x-middleware-override-headers list when present
 * (Clerk's step sets one), so the list is extended, or started from the request's own headers.
 */
function passRequestHeader(request: NextRequest, response: Response, name: string, value: string): void {
  const listed = response.headers.get("x-middleware-override-headers");
  const names = listed ? listed.split(",") : [...request.headers.keys()];
  if (!listed)
    for (const [key, existing] of request.headers) response.headers.set(`x-middleware-request-${key}`, existing);
  response.headers.set(`x-middleware-request-${name}`, value);
  response.headers.set("x-middleware-override-headers", [...new Set([...names, name])].join(","));
}

export const config = {
  matcher: [
    // Pages and the tenant API; not the landing page (`$`: nothing after the slash), probes, machine
    // endpoints (metrics, webhooks, the Sentry tunnel, CSP reports, runtime config) or static files.
    "/((?!$|health(?:/|$)|api/(?:health|metrics|webhooks|csp-report)(?:/|$)|monitoring$|runtime-config\\.js$|_next/static|_next/image|favicon\\.ico$|robots\\.txt$|icon\\.svg$).*)",
  ],
};
