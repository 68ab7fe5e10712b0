import type { RateLimitPolicy } from "@/lib/rate-limit";

export { PAGE_BODY_LIMIT_BYTES } from "./limits";

/**
 * The route table's shape: every path the server answers belongs to one class, declared once
 * (src/routes.ts), and everything that treats paths differently derives from it: the pipeline's
 * refusals, body and rate limits, load shedding, log levels and security headers; the proxy's auth
 * rules and whether it runs at all (its matcher is a literal that a test compares with the table);
 * Sentry's dropped transactions. Pure: no I/O, no configuration.
 */

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";

/**
 * - page: HTML (and the server actions posted to it);
 * - api: the JSON API;
 * - machine: endpoints for programs (metrics, webhooks, the Sentry tunnel, CSP reports, runtime config);
 * - probe: health checks, answered even when the server sheds load;
 * - static: build assets and public files.
 */
export type PathKind = "page" | "api" | "machine" | "probe" | "static";

/**
 * How the proxy treats a path:
 * - "skip": never touches auth at all (probes, scrapers, the Sentry tunnel, webhooks verify their own signature).
 * - "public": auth state is computed (so pages can show who is signed in) but nothing is enforced.
 * - "signed-in": signed-in users only; signed-out visitors are redirected to sign-in.
 * - "api": signed-in callers only, enforced by the route wrappers (401/403 JSON, never a redirect).
 * Pages and routes enforce access again themselves: the proxy is the first line, not the only one.
 */
export type RouteAccess = "skip" | "public" | "signed-in" | "api";

export interface RouteClass {
  /** Shown in logs and tests ("signed-in pages"). */
  name: string;
  kind: PathKind;
  access: RouteAccess;
  /** Methods answered; others get 405 with Allow. */
  methods: readonly HttpMethod[];
  /** The largest request body accepted (0: none). Bodies above it are refused before they are read. */
  bodyLimitBytes: number;
  /** Pages: rendered for each request (the proxy runs: auth step, CSP nonce) or prerendered (no proxy). */
  renders?: "per-request" | "prerendered";
  /**
   * Counted per client address for every request that may carry a body (POST, PUT, PATCH, DELETE),
   * before the body is read (429 past it).
   */
  rateLimit?: RateLimitPolicy;
  /**
   * Signed-in callers, counted by the API route wrapper once the session is read (src/lib/http/api-route.ts):
   * reads and writes per user and tenant, and every request of a tenant against one quota, so one
   * tenant cannot starve the others. Requests without a valid session count as api-anonymous, per address.
   */
  callerLimits?: CallerLimits;
  /** Signed-in pages a user without an active organization may still open (organization selection). */
  tenantOptional?: boolean;
  /** Healthy answers are logged at debug, and their Sentry transactions dropped (probes, scrapes, assets). */
  quiet?: boolean;
}

export interface CallerLimits {
  read: RateLimitPolicy;
  write: RateLimitPolicy;
  tenant: RateLimitPolicy;
}

/** The tenant API's caller limits (src/routes.ts), and what the API route wrapper counts outside the server's pipeline. */
export const TENANT_API_LIMITS: CallerLimits = { read: "api-read", write: "api-write", tenant: "api-tenant" };

export interface RouteRule extends RouteClass {
  /**
   * Path prefixes, each matching itself and whatever lies below it ("/api/v1" matches
   * "/api/v1/projects", not "/api/v10"); "/" matches the landing page only.
   */
  paths: readonly string[];
}

export interface RouteTable {
  rules: readonly RouteRule[];
  /** Every path no rule matches: a new page needs no entry, and is signed-in only by default. */
  fallback: RouteClass;
}

const READ_METHODS: readonly HttpMethod[] = ["GET", "HEAD"];

export const methods = {
  read: READ_METHODS,
  /** Pages: read, and server actions (POST). */
  page: [...READ_METHODS, "POST"] as readonly HttpMethod[],
  all: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as readonly HttpMethod[],
};

function matchesPrefix(path: string, prefix: string): boolean {
  if (prefix === "/") return path === "/";
  return path === prefix || path.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`);
}

/** The class of `path` (without its query string): the first rule that matches, else the fallback. */
export function classify(table: RouteTable, path: string): RouteClass {
  for (const rule of table.rules) {
    for (const prefix of rule.paths) if (matchesPrefix(path, prefix)) return rule;
  }
  return table.fallback;
}

/** Whether src/proxy.ts runs for this class: for auth (every class but "skip") and for the nonce of pages rendered per request. */
export function runsProxy(routeClass: RouteClass): boolean {
  if (routeClass.access === "skip") return false;
  return !(routeClass.kind === "page" && routeClass.renders === "prerendered");
}

/** Whether responses of this class carry a page's security headers (CSP, HSTS). */
export function isPageClass(routeClass: RouteClass): boolean {
  return routeClass.kind === "page";
}

/** The path prefixes of the quiet classes (probes, scrapes, the Sentry tunnel, static assets): their Sentry transactions are dropped. */
export function quietPathPrefixes(table: RouteTable): string[] {
  return table.rules.filter((rule) => rule.quiet).flatMap((rule) => [...rule.paths]);
}

/** Sample paths of each rule (its prefixes and a path below each), for tests that compare other lists with the table. */
export function samplePaths(table: RouteTable): { path: string; routeClass: RouteClass }[] {
  const samples: { path: string; routeClass: RouteClass }[] = [];
  for (const rule of table.rules) {
    for (const prefix of rule.paths) {
      samples.push({ path: prefix, routeClass: classify(table, prefix) });
      if (prefix !== "/" && !/\.[a-z]+$/i.test(prefix)) {
        const below = `${prefix}/sample`;
        samples.push({ path: below, routeClass: classify(table, below) });
      }
    }
  }
  return samples;
}
