import "server-only";
import type { NextFetchEvent, NextRequest, NextResponse } from "next/server";
import { getAuthMode, type AuthMode } from "@/lib/env";
import type { RouteClass } from "@/lib/http/routes";
import type { ProxyStep } from "./provider";
import { clerkProxyStep } from "./providers/clerk/proxy";

export { appOrigin } from "./app-origin";

/**
 * The identity providers' proxy steps (./provider.ts): a provider that verifies requests before
 * they reach Next registers its step here. A separate entry from ./index so src/proxy.ts's bundle
 * holds only this: local mode has no step (pages and routes check the signed cookie themselves).
 */
const PROXY_STEPS: Partial<Record<AuthMode, ProxyStep>> = {
  clerk: clerkProxyStep,
};

/**
 * The auth step of src/proxy.ts: a response to send (a redirect, the provider's handshake, or
 * `proceed()` decorated for it), or undefined to continue with `proceed()`. `proceed` is how the
 * request goes on to Next (src/proxy.ts adds the CSP nonce's request header to it).
 */
export async function authProxy(
  request: NextRequest,
  event: NextFetchEvent,
  routeClass: RouteClass,
  proceed: () => NextResponse,
): Promise<Response | undefined> {
  const step = PROXY_STEPS[getAuthMode()];
  if (routeClass.access === "skip" || !step) return undefined;
  return step(request, event, routeClass, proceed);
}
