/**
 * Maps a request path to its route template ("/api/v1/projects/[id]"), so metrics and logs never
 * carry raw URLs (no cardinality explosion from ids). The templates are the app's routes, listed
 * from src/app by the build (scripts/app-routes.mjs) following Next's file conventions. Pure.
 */

export type RouteMatcher = (pathname: string) => string;

/** Buckets for requests that are not app routes. */
const STATIC_ASSET_ROUTE = "/_next/static";
export const UNMATCHED_ROUTE = "(unmatched)";

/** A template's segments as a regular expression: [id] one segment, [...rest] one or more, [[...rest]] any. */
function templatePattern(template: string): RegExp {
  const segments = template.split("/").filter(Boolean);
  let pattern = "";
  for (const segment of segments) {
    if (/^\[\[\.\.\..+\]\]$/.test(segment)) pattern += "(?:/[^/]+)*";
    else if (/^\[\.\.\..+\]$/.test(segment)) pattern += "(?:/[^/]+)+";
    else if (/^\[.+\]$/.test(segment)) pattern += "/[^/]+";
    else pattern += `/${segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`;
  }
  return new RegExp(`^${pattern || "/"}$`);
}

const isDynamic = (template: string) => template.includes("[");

/**
 * A matcher for `templates` (e.g. "/", "/projects/[id]", "/sign-in/[[...sign-in]]", "/robots.txt").
 * Static templates win over dynamic ones, as in Next's own router. Without templates (development,
 * where the build did not list them) ids and long tokens become "[id]".
 */
export function createRouteMatcher(templates: readonly string[] | undefined): RouteMatcher {
  if (!templates) return coarseMatcher;
  const exact = new Set(templates.filter((template) => !isDynamic(template)));
  const dynamic = templates.filter(isDynamic).map((template) => ({ template, pattern: templatePattern(template) }));
  return (pathname) => {
    if (pathname.startsWith("/_next/static/")) return STATIC_ASSET_ROUTE;
    if (pathname.startsWith("/_next/image")) return "/_next/image";
    if (pathname.startsWith("/_next/")) return "/_next";
    const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
    if (exact.has(path)) return path;
    for (const route of dynamic) if (route.pattern.test(path)) return route.template;
    return UNMATCHED_ROUTE;
  };
}

function coarseMatcher(pathname: string): string {
  if (pathname.startsWith("/_next/")) return "/_next";
  return pathname
    .split("/")
    .map((segment) => (/^(\d+|[0-9a-f-]{16,}|[A-Za-z0-9_-]{20,})$/i.test(segment) ? "[id]" : segment))
    .join("/");
}

/** "2xx", "4xx"… */
export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}
