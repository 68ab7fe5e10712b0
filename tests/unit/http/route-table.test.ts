import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { classify, quietPathPrefixes, runsProxy, samplePaths } from "@/lib/http/routes";
import { config as proxyConfig } from "@/proxy";
import { routes } from "@/routes";
// @ts-expect-error plain ESM script without types
import { appRouteTemplates } from "../../../scripts/app-routes.mjs";

const root = path.resolve(import.meta.dirname, "../../..");

/** The proxy's matcher as a regular expression over the path (its literal is one path-to-regexp group). */
const proxyMatches = (pathname: string) =>
  proxyConfig.matcher.some((source) => new RegExp(`^${source}$`).test(pathname));

/** A concrete path for a route template ("/projects/[id]" → "/projects/sample-id"). */
const pathOf = (template: string) =>
  template.replace(/\[\[\.\.\.[^\]]+\]\]/g, "").replace(/\[(\.\.\.)?[^\]]+\]/g, "sample-id") || "/";

describe("the route table (src/routes.ts)", () => {
  const templates: string[] = appRouteTemplates(root);

  it("classifies by whole segments: /api/v1 is not /api/v10, /health is not /healthy", () => {
    expect(classify(routes, "/api/v1/projects").name).toBe("tenant API");
    expect(classify(routes, "/api/v10").name).toBe("other API paths");
    expect(classify(routes, "/health/live").name).toBe("probes");
    expect(classify(routes, "/healthy").name).toBe("signed-in pages");
    expect(classify(routes, "/").name).toBe("landing page");
  });

  it("makes a new page signed-in only, with no entry (deny by default)", () => {
    expect(classify(routes, "/reports/quarterly")).toBe(routes.fallback);
    expect(routes.fallback.access).toBe("signed-in");
  });

  it("has a class for every route the app defines, each taking the methods its handler exports", () => {
    expect(templates).toContain("/projects/[id]");
    for (const template of templates) {
      const routeClass = classify(routes, pathOf(template));
      const file = [".ts", ".tsx"].flatMap((extension) => findRouteFile(template, `route${extension}`)).find(Boolean);
      if (!file) continue;
      const exported = [
        ...readFileSync(file, "utf8").matchAll(
          /export (?:const|async function|function) (GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)\b/g,
        ),
      ].map((match) => match[1]);
      for (const method of exported) expect(routeClass.methods, `${template} ${method}`).toContain(method);
    }
  });

  it("keeps the proxy's matcher (a literal) in step with the classes that run it", () => {
    const paths = [
      ...samplePaths(routes).map((sample) => sample.path),
      ...templates.map(pathOf),
      "/no-such-page",
      "/healthy",
      "/api",
      "/api/v10",
      "/api/v1",
      "/monitoringx",
      "/_next/static/chunks/a.js",
      "/_next/image",
    ];
    for (const pathname of paths) {
      expect(proxyMatches(pathname), pathname).toBe(runsProxy(classify(routes, pathname)));
    }
  });

  it("drops the Sentry transactions of exactly the quiet classes", () => {
    expect(quietPathPrefixes(routes)).toEqual(
      expect.arrayContaining(["/health", "/api/health", "/api/metrics", "/monitoring", "/_next"]),
    );
    expect(quietPathPrefixes(routes)).not.toContain("/api/v1");
  });

  it("gives pages a body limit and the page-post rate limit, and machine endpoints their own", () => {
    expect(classify(routes, "/projects/new")).toMatchObject({ bodyLimitBytes: 64 * 1024, rateLimit: "page-post" });
    expect(classify(routes, "/monitoring")).toMatchObject({ rateLimit: "tunnel" });
    expect(classify(routes, "/api/webhooks/clerk")).toMatchObject({ rateLimit: "webhook" });
    expect(classify(routes, "/api/csp-report")).toMatchObject({ rateLimit: "csp-report" });
  });

  it("bounds signed-in callers of the tenant API, and only there: reads, writes and a quota per tenant", () => {
    expect(classify(routes, "/api/v1/projects").callerLimits).toEqual({
      read: "api-read",
      write: "api-write",
      tenant: "api-tenant",
    });
    const others = routes.rules.filter((rule) => rule.callerLimits && !rule.paths.includes("/api/v1"));
    expect(others.map((rule) => rule.name)).toEqual([]);
  });
});

/** The route file of `template` under src/app (route groups are transparent), if any. */
function findRouteFile(template: string, name: string): string | undefined {
  const segments = template.split("/").filter(Boolean);
  const search = (directory: string, rest: string[]): string | undefined => {
    const entries = readdirSync(directory, { withFileTypes: true });
    if (rest.length === 0 && entries.some((entry) => entry.isFile() && entry.name === name)) {
      return path.join(directory, name);
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      if (/^\(.+\)$/.test(entry.name)) {
        const found = search(path.join(directory, entry.name), rest);
        if (found) return found;
      } else if (rest[0] === entry.name) {
        const found = search(path.join(directory, entry.name), rest.slice(1));
        if (found) return found;
      }
    }
    return undefined;
  };
  return search(path.join(root, "src", "app"), segments);
}
