export const SIGN_IN_PATH = "/sign-in";
export const SIGN_UP_PATH = "/sign-up";
export const SELECT_ORGANIZATION_PATH = "/select-organization";
/** The public status page (rendered per request from the health checks). */
const STATUS_PATH = "/status";
/** Where a signed-in user with an organization lands. */
export const HOME_PATH = "/projects";

/**
 * Pure: how the proxy treats a path.
 * - "skip": never touches auth at all (probes, scrapers, the Sentry tunnel, webhooks verify their own signature).
 * - "public": auth state is computed (so pages can show who is signed in) but nothing is enforced.
 * - "page": signed-in users only; signed-out users are redirected to sign-in.
 * - "api": signed-in users only, enforced by requireTenant in the route (401/403 JSON, never a redirect).
 * Pages and routes enforce access again themselves (requirePageTenant / requireTenant): the proxy is
 * the first line, not the only one.
 */
export type RouteAccess = "skip" | "public" | "page" | "api";

const startsWithSegment = (pathname: string, prefix: string) =>
  pathname === prefix || pathname.startsWith(`${prefix}/`);

const SKIP = [
  "/health",
  "/api/health",
  "/api/metrics",
  "/api/webhooks",
  "/api/csp-report",
  "/monitoring",
  "/runtime-config.js",
];
const PAGES = ["/projects", "/members", "/select-organization"];
const API = ["/api/v1"];

export function routeAccess(pathname: string): RouteAccess {
  if (SKIP.some((prefix) => startsWithSegment(pathname, prefix))) return "skip";
  if (API.some((prefix) => startsWithSegment(pathname, prefix))) return "api";
  if (PAGES.some((prefix) => startsWithSegment(pathname, prefix))) return "page";
  return "public";
}

/**
 * Pages rendered per request (they read the session): the app and the sign-in screens. The other
 * pages (the landing page, 404) are prerendered, the same bytes for everyone.
 */
export function rendersPerRequest(pathname: string): boolean {
  return (
    routeAccess(pathname) === "page" ||
    [SIGN_IN_PATH, SIGN_UP_PATH, STATUS_PATH].some((path) => startsWithSegment(pathname, path))
  );
}

/** Pages a signed-in user without an active organization may still open. */
export function allowsNoOrganization(pathname: string): boolean {
  return startsWithSegment(pathname, "/select-organization");
}

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
