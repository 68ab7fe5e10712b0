/**
 * Maps a request path to its route pattern ("/api/v1/projects/[id]") using Next's
 * routes-manifest.json, so metrics and logs never carry raw URLs (no cardinality explosion from
 * ids). Pure apart from the manifest it is given.
 */

export interface RouteManifestEntry {
  page: string;
  regex: string;
}

export interface RoutesManifest {
  staticRoutes?: RouteManifestEntry[];
  dynamicRoutes?: RouteManifestEntry[];
}

export type RouteMatcher = (pathname: string) => string;

/** Buckets for requests that are not app routes. */
const STATIC_ASSET_ROUTE = "/_next/static";
export const UNMATCHED_ROUTE = "(unmatched)";

const INTERNAL_PAGES = new Set(["/_not-found", "/_global-error", "/_error", "/_app", "/_document"]);

/** `publicFiles` are paths served from public/ ("/robots.txt"): each is its own route. */
export function createRouteMatcher(manifest: RoutesManifest, publicFiles: readonly string[] = []): RouteMatcher {
  const files = new Set(publicFiles);
  const compile = (entries: RouteManifestEntry[] | undefined) =>
    (entries ?? [])
      .filter((entry) => !INTERNAL_PAGES.has(entry.page))
      .map((entry) => ({ page: entry.page, regex: new RegExp(entry.regex) }));
  // Static routes win over dynamic ones, as in Next's own router.
  const routes = [...compile(manifest.staticRoutes), ...compile(manifest.dynamicRoutes)];
  return (pathname) => {
    if (pathname.startsWith("/_next/static/")) return STATIC_ASSET_ROUTE;
    if (pathname.startsWith("/_next/image")) return "/_next/image";
    if (pathname.startsWith("/_next/")) return "/_next";
    if (files.has(pathname)) return pathname;
    const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
    for (const route of routes) if (route.regex.test(path)) return route.page;
    return UNMATCHED_ROUTE;
  };
}

/** Probes, scrapes and static assets: counted in metrics, logged at debug instead of info. */
export function isQuietRoute(route: string, pathname: string): boolean {
  return (
    route === STATIC_ASSET_ROUTE ||
    route === "/_next/image" ||
    route === "/_next" ||
    /^\/health(\/|$)/.test(pathname) ||
    /^\/api\/(health|metrics)(\/|$)/.test(pathname) ||
    /^\/(favicon\.ico|icon\.svg|robots\.txt)$/.test(pathname)
  );
}

/** "2xx", "4xx"… */
export function statusClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}
