import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { appOrigin, authProxy } from "@/lib/auth/proxy";
import { getEnv } from "@/lib/env";
import { classify } from "@/lib/http/routes";
import { configuredPageSecurityHeaders, newNonce } from "@/lib/security";
import { routes } from "./routes";

/**
 * Runs for the route classes src/routes.ts says need it (runsProxy: auth, and the nonce of pages
 * rendered per request): never for probes, machine endpoints, static files or the prerendered
 * landing page, whose security headers the server's pipeline already set. Steps: the auth step
 * (Clerk mode), then the page's security headers, with a per-request CSP nonce for pages rendered
 * per request; Next reads the nonce from the request's CSP header and puts it on its own scripts.
 */
export async function proxy(request: NextRequest, event: NextFetchEvent) {
  const env = getEnv();
  const routeClass = classify(routes, request.nextUrl.pathname);
  const nonce = routeClass.renders === "per-request" ? newNonce() : undefined;
  const headers = configuredPageSecurityHeaders(env, { nonce, https: appOrigin(env, request).startsWith("https:") });
  const proceed = () => {
    if (!nonce) return NextResponse.next();
    const forNext = new Headers(request.headers);
    forNext.set("content-security-policy", headers["Content-Security-Policy"]!);
    return NextResponse.next({ request: { headers: forNext } });
  };
  const response = (await authProxy(request, event, routeClass, proceed)) ?? proceed();
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  // A literal (Next reads it at build time). It must select exactly the paths whose class runs the
  // proxy (runsProxy in src/lib/http/routes.ts): tests/unit/http/route-table.test.ts compares them.
  // Not the landing page (`$`: nothing after the slash), probes, machine endpoints (metrics,
  // webhooks, CSP reports, Web Vitals, the Sentry tunnel, runtime config), other /api paths than
  // /api/v1, static files, or the Open Graph image.
  matcher: [
    "/((?!$|health(?:/|$)|api/(?!v1(?:/|$))|api$|monitoring(?:/|$)|runtime-config\\.js(?:/|$)|_next(?:/|$)|favicon\\.ico(?:/|$)|robots\\.txt(?:/|$)|icon\\.svg(?:/|$)|opengraph-image(?:/|$)).*)",
  ],
};
