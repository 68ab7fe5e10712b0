import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { classify, runsProxy, samplePaths } from "@/lib/http/routes";
import { routes } from "@/routes";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";

/**
 * Public pages are built once and served from Next's cache (CDN-cacheable), while one build still
 * deploys anywhere: the runtime config the browser needs comes from /runtime-config.js, read from
 * the environment when the server starts.
 */

const DSN = "https://public@errors.example.com/42";
let server: StandaloneServer;

beforeAll(async () => {
  server = await startStandaloneServer({
    dir: inject("standaloneDir"),
    env: { DATABASE_URL: inject("databaseUrl"), NEXT_PUBLIC_SENTRY_DSN: DSN, SENTRY_ENVIRONMENT: "static-check" },
  });
});

afterAll(async () => {
  await server?.stop();
});

describe("the landing and not-found pages", () => {
  it("are prerendered by the build", () => {
    const manifest = JSON.parse(
      readFileSync(path.join(inject("standaloneDir"), ".next/prerender-manifest.json"), "utf8"),
    );
    expect(Object.keys(manifest.routes)).toEqual(expect.arrayContaining(["/", "/_not-found"]));
  });

  it("serves the landing page from the cache with a CDN-cacheable header, not rendered per request", async () => {
    const first = await fetch(`${server.url}/`);
    const second = await fetch(`${server.url}/`);
    for (const response of [first, second]) {
      expect(response.status).toBe(200);
      expect(response.headers.get("x-nextjs-cache")).toBe("HIT");
      expect(response.headers.get("cache-control")).toMatch(/s-maxage=\d+/);
    }
    expect(second.headers.get("etag")).toBe(first.headers.get("etag"));
    const html = await first.text();
    expect(html).toContain('<script src="/runtime-config.js" defer=""></script>');
    // Nothing of the runtime environment is baked into the page.
    expect(html).not.toContain("errors.example.com");
  });

  it("serves the landing page without running the proxy, and it still carries a page's security headers", async () => {
    const manifest = JSON.parse(
      readFileSync(path.join(inject("standaloneDir"), ".next/server/functions-config-manifest.json"), "utf8"),
    );
    const matchers: RegExp[] = manifest.functions["/_middleware"].matchers.map(
      (matcher: { regexp: string }) => new RegExp(matcher.regexp),
    );
    const proxied = (pathname: string) => matchers.some((matcher) => matcher.test(pathname));
    expect(proxied("/")).toBe(false);
    // The matcher as Next compiled it selects exactly the classes of the route table that run the proxy.
    const paths = [...samplePaths(routes).map((sample) => sample.path), "/projects/x", "/no-such-page", "/healthy"];
    for (const pathname of paths) {
      expect(proxied(pathname), pathname).toBe(runsProxy(classify(routes, pathname)));
    }
    // The server's pipeline sets them on every response that may be a page (src/lib/http/pipeline.ts).
    const response = await fetch(`${server.url}/`);
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("reporting-endpoints")).toBe('csp="/api/csp-report"');
  });

  it("serves the 404 page prerendered too", async () => {
    const response = await fetch(`${server.url}/no-such-page-${Date.now()}`);
    expect(response.status).toBe(404);
    expect(response.headers.get("x-nextjs-prerender")).toBeTruthy();
    expect(await response.text()).toContain("Page not found");
  });
});

describe("/runtime-config.js", () => {
  it("hands the browser the configuration of THIS deployment, cacheable for a minute", async () => {
    const response = await fetch(`${server.url}/runtime-config.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(response.headers.get("cache-control")).toBe("public, max-age=60, stale-while-revalidate=600");
    const script = await response.text();
    const json = /^window\.__SLIPWAY_PUBLIC_CONFIG__=(\{.*?\});$/m.exec(script)?.[1];
    expect(JSON.parse(json!)).toMatchObject({
      sentry: { dsn: DSN, environment: "static-check", tunnel: "/monitoring" },
      analytics: null,
    });
  });
});
