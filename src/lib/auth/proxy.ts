import "server-only";
import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { getAuthMode, getEnv, type ServerEnv } from "@/lib/env";
import type { RouteClass } from "@/lib/http/routes";
import { authorizedPartiesOf, SELECT_ORGANIZATION_PATH, SIGN_IN_PATH, SIGN_UP_PATH } from "./route-access";

/**
 * Where redirects point: APP_URL's origin when set (production), never the request's Host or
 * X-Forwarded-Host, which the caller chooses; the request's own origin only in development.
 */
export function appOrigin(env: Readonly<ServerEnv>, request: NextRequest): string {
  return env.APP_URL ? new URL(env.APP_URL).origin : request.nextUrl.origin;
}

/** A redirect no cache may keep (it depends on who is asking). */
function redirectTo(url: URL): NextResponse {
  const response = NextResponse.redirect(url);
  response.headers.set("Cache-Control", "no-store");
  return response;
}

/**
 * The auth step of src/proxy.ts (a separate entry from ./index so the proxy bundle stays small).
 * Local mode: nothing (pages and routes check the signed cookie themselves). Clerk mode: Clerk's
 * middleware authenticates the request, signed-out page visits are sent to sign-in and signed-in
 * visits without an organization to organization selection; API routes answer 401/403 JSON
 * themselves (apiRoute), never a redirect.
 */

/**
 * Options passed explicitly, read at runtime: @clerk/nextjs would otherwise inline
 * NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY at build time and never reads CLERK_JWT_KEY by itself.
 * The secret key is read by Clerk from process.env.CLERK_SECRET_KEY (src/lib/env puts a
 * CLERK_SECRET_KEY_FILE value there at startup): passing `secretKey` here would make Clerk require
 * CLERK_ENCRYPTION_KEY to forward it to auth() (ADR 0051).
 */
export function clerkMiddlewareOptions(env: Readonly<ServerEnv>) {
  return {
    publishableKey: env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY,
    jwtKey: env.CLERK_JWT_KEY,
    authorizedParties: authorizedPartiesOf(env),
    signInUrl: SIGN_IN_PATH,
    signUpUrl: SIGN_UP_PATH,
  };
}

let clerk: Promise<typeof import("@clerk/nextjs/server")> | undefined;

/**
 * Clerk's middleware for one request: what varies per request (the path's class, how to continue)
 * is closed over, so nothing depends on how Clerk hands the request to the handler.
 */
async function clerkStep(
  request: NextRequest,
  event: NextFetchEvent,
  routeClass: RouteClass,
  proceed: () => NextResponse,
): Promise<Response | undefined> {
  clerk ??= import("@clerk/nextjs/server");
  const { clerkMiddleware } = await clerk;
  const middleware = clerkMiddleware(
    async (auth, clerkRequest) => {
      if (routeClass.access !== "signed-in") return proceed();
      const state = await auth();
      const origin = appOrigin(getEnv(), clerkRequest);
      if (!state.userId) {
        const signIn = new URL(SIGN_IN_PATH, origin);
        signIn.searchParams.set(
          "redirect_url",
          new URL(clerkRequest.nextUrl.pathname + clerkRequest.nextUrl.search, origin).href,
        );
        return redirectTo(signIn);
      }
      if (!state.orgId && !routeClass.tenantOptional) return redirectTo(new URL(SELECT_ORGANIZATION_PATH, origin));
      return proceed();
    },
    () => clerkMiddlewareOptions(getEnv()),
  );
  return (await middleware(request, event)) ?? undefined;
}

/**
 * The auth step: a response to send (a redirect, Clerk's handshake, or `proceed()` decorated for
 * auth()), or undefined to continue with `proceed()`. `proceed` is how the request goes on to Next
 * (src/proxy.ts adds the CSP nonce's request header to it); Clerk adds its own request headers to it.
 */
export async function authProxy(
  request: NextRequest,
  event: NextFetchEvent,
  routeClass: RouteClass,
  proceed: () => NextResponse,
): Promise<Response | undefined> {
  if (routeClass.access === "skip" || getAuthMode() !== "clerk") return undefined;
  return clerkStep(request, event, routeClass, proceed);
}
