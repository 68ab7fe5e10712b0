import { NextResponse, type NextFetchEvent, type NextRequest } from "next/server";
import { getEnv, type ServerEnv } from "@/lib/env";
import type { RouteClass } from "@/lib/http/routes";
import type { ProxyStep } from "../../provider";
import { appOrigin } from "../../app-origin";
import { SELECT_ORGANIZATION_PATH, SIGN_IN_PATH, SIGN_UP_PATH } from "../../route-access";

/** The origins allowed as a session token's `azp`: CLERK_AUTHORIZED_PARTIES, else APP_URL's origin. */
export function authorizedPartiesOf(env: {
  CLERK_AUTHORIZED_PARTIES?: string[];
  APP_URL?: string;
}): string[] | undefined {
  if (env.CLERK_AUTHORIZED_PARTIES && env.CLERK_AUTHORIZED_PARTIES.length > 0) {
    return env.CLERK_AUTHORIZED_PARTIES.map((party) => party.replace(/\/+$/, ""));
  }
  return env.APP_URL ? [new URL(env.APP_URL).origin] : undefined;
}

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

/** A redirect no cache may keep (it depends on who is asking). */
function redirectTo(url: URL): NextResponse {
  const response = NextResponse.redirect(url);
  response.headers.set("Cache-Control", "no-store");
  return response;
}

let clerk: Promise<typeof import("@clerk/nextjs/server")> | undefined;

/**
 * Clerk's middleware for one request: it authenticates the request, signed-out page visits are
 * sent to sign-in and signed-in visits without an organization to organization selection; API
 * routes answer 401/403 JSON themselves (apiRoute), never a redirect. What varies per request (the
 * path's class, how to continue) is closed over, so nothing depends on how Clerk hands the request
 * to the handler. Clerk adds its own request headers to `proceed()`'s response.
 */
export const clerkProxyStep: ProxyStep = async (
  request: NextRequest,
  event: NextFetchEvent,
  routeClass: RouteClass,
  proceed: () => NextResponse,
) => {
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
};
