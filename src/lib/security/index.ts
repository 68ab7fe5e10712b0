import { isProduction, type ServerEnv } from "@/lib/env";
import { singleton } from "@/lib/singleton";
import { analyticsOriginOf } from "@/lib/observability/client";

/**
 * Security headers for pages (ADR 0043): the server's pipeline sets a prerendered page's on every
 * response, src/proxy.ts replaces them on pages rendered per request (a nonce).
 *
 * Content-Security-Policy: pages rendered per request (the app, sign-in) get a fresh nonce, which
 * Next puts on its own inline scripts; with a nonce present, browsers ignore 'unsafe-inline', so
 * an injected inline script cannot run. Prerendered pages (the landing page, 404) are the same
 * bytes for everyone and cannot carry a per-request nonce: they keep 'unsafe-inline' for Next's
 * inline scripts (they render no user content). Scripts load only from this origin and the hosts
 * the configuration names (Clerk's Frontend API, the analytics provider). Framing is refused
 * everywhere. Violations are reported to /api/csp-report.
 */

const CSP_REPORT_PATH = "/api/csp-report";

export interface CspInput {
  /** A fresh nonce for a page rendered per request; undefined for prerendered pages. */
  nonce?: string;
  /** Clerk's Frontend API origin (clerkFrontendApiOf), in Clerk mode. */
  clerkFrontendApi?: string;
  /** The analytics provider's origin, when analytics are configured. */
  analyticsOrigin?: string;
  /** Served over https: also upgrade any http subresource. */
  https: boolean;
  /** Development: React needs eval for its error overlays. */
  development?: boolean;
}

function contentSecurityPolicy(input: CspInput): string {
  const clerk = input.clerkFrontendApi ? [input.clerkFrontendApi] : [];
  const analytics = input.analyticsOrigin ? [input.analyticsOrigin] : [];
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    "script-src": [
      "'self'",
      ...(input.nonce ? [`'nonce-${input.nonce}'`] : []),
      "'unsafe-inline'",
      ...(input.development ? ["'unsafe-eval'"] : []),
      ...clerk,
      ...analytics,
      ...(clerk.length ? ["https://challenges.cloudflare.com"] : []),
    ],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", ...(clerk.length ? ["https://img.clerk.com"] : [])],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'", ...clerk, ...analytics],
    "frame-src": clerk.length ? ["https://challenges.cloudflare.com"] : ["'none'"],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "report-uri": [CSP_REPORT_PATH],
    "report-to": ["csp"],
  };
  const policy = Object.entries(directives).map(([name, values]) => `${name} ${values.join(" ")}`);
  if (input.https) policy.push("upgrade-insecure-requests");
  return policy.join("; ");
}

/** The headers a page response carries (CSP and its reporting endpoint; HSTS over https). */
function pageSecurityHeaders(input: CspInput): Record<string, string> {
  return {
    "Content-Security-Policy": contentSecurityPolicy(input),
    "Reporting-Endpoints": `csp="${CSP_REPORT_PATH}"`,
    ...(input.https ? { "Strict-Transport-Security": "max-age=63072000; includeSubDomains" } : {}),
  };
}

/**
 * A page's headers under this deployment's configuration: the proxy's for pages rendered per
 * request (with their nonce), and the pipeline's default for every other response (computed
 * once per process), so prerendered pages get them without running the proxy.
 */
export function configuredPageSecurityHeaders(
  env: Readonly<ServerEnv>,
  page: { nonce?: string; https: boolean },
): Record<string, string> {
  return pageSecurityHeaders({
    nonce: page.nonce,
    clerkFrontendApi: clerkFrontendApiOf(env.NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY),
    analyticsOrigin: analyticsOriginOf(env),
    https: page.https,
    development: !isProduction,
  });
}

/**
 * Clerk's Frontend API origin from a publishable key: `pk_(test|live)_` + base64("<host>$").
 * Undefined when the key does not decode to a host.
 */
function clerkFrontendApiOf(publishableKey: string | undefined): string | undefined {
  const encoded = publishableKey?.replace(/^pk_(test|live)_/, "");
  if (!encoded || encoded === publishableKey) return undefined;
  const host = Buffer.from(encoded, "base64").toString("utf8").replace(/\$$/, "");
  return /^[a-z0-9.-]+(:\d+)?$/i.test(host) ? `https://${host}` : undefined;
}

/** A CSP nonce: 128 random bits, base64. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

/** A report body holds at most this many violations worth reading (browsers batch them). */
const MAX_VIOLATIONS_PER_REPORT = 100;

export interface CspViolation {
  directive: string;
  /** The blocked resource's origin, or its kind ("inline", "eval"); never a full URL. */
  blocked: string;
  /** The page's path (no query string). */
  page: string;
}

const originOrKind = (value: unknown): string => {
  if (typeof value !== "string" || value === "") return "unknown";
  try {
    return new URL(value).origin;
  } catch {
    return value.slice(0, 32);
  }
};

const pathOf = (value: unknown): string => {
  try {
    return new URL(String(value)).pathname;
  } catch {
    return "unknown";
  }
};

/**
 * Pure: the violations in a report body, in either format browsers send (report-uri's
 * `{"csp-report": {...}}` or the Reporting API's `[{type: "csp-violation", body: {...}}]`), reduced
 * to what an operator needs. Malformed bodies give none.
 */
export function cspViolationsOf(text: string): CspViolation[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  const bodies: Record<string, unknown>[] = Array.isArray(parsed)
    ? parsed.filter((report) => report?.type === "csp-violation").map((report) => report.body ?? {})
    : parsed && typeof parsed === "object" && "csp-report" in parsed
      ? [(parsed as { "csp-report": Record<string, unknown> })["csp-report"] ?? {}]
      : [];
  return bodies.slice(0, MAX_VIOLATIONS_PER_REPORT).map((body) => ({
    directive: String(
      body["effective-directive"] ?? body.effectiveDirective ?? body["violated-directive"] ?? "unknown",
    ).slice(0, 64),
    blocked: originOrKind(body["blocked-uri"] ?? body.blockedURL),
    page: pathOf(body["document-uri"] ?? body.documentURL),
  }));
}

/** The same violation (directive and blocked origin) is logged at most once per this long per process. */
const REPEAT_WINDOW_MS = 60_000;
const recentlyLogged = singleton("security.csp-logged", () => new Map<string, number>());

/**
 * One warn line per report at the most, whatever the report holds (a page with 40 blocked scripts
 * sends one report of 40): the number of violations and the distinct ones (directive, blocked
 * origin, page), first 5. Violations already logged in the last minute are not logged again: a
 * report holding only those writes no line. Pure apart from the per-process memory it keeps.
 */
export function cspReportLine(
  violations: readonly CspViolation[],
  now = Date.now(),
): { count: number; distinct: CspViolation[] } | undefined {
  if (violations.length === 0) return undefined;
  const fresh = new Map<string, CspViolation>();
  for (const violation of violations) {
    const key = `${violation.directive} ${violation.blocked}`;
    if (now - (recentlyLogged.get(key) ?? -Infinity) < REPEAT_WINDOW_MS) continue;
    fresh.set(key, violation);
  }
  if (fresh.size === 0) return undefined;
  for (const key of fresh.keys()) recentlyLogged.set(key, now);
  if (recentlyLogged.size > 1000) {
    for (const [key, at] of recentlyLogged) if (now - at >= REPEAT_WINDOW_MS) recentlyLogged.delete(key);
  }
  return { count: violations.length, distinct: [...fresh.values()].slice(0, 5) };
}
