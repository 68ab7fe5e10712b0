import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "@playwright/test";
import { launchChromium } from "../../support/browser";
import { missingRequirement } from "../../support/requirements";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";
import { adminSql, createTenant } from "../../support/tenants";
import { PLANTED_SECRET, sessionCookie } from "./support";

const METRICS_TOKEN = "metrics-token-for-tests-0123456789";

let server: StandaloneServer;
let browser: Browser | undefined;
// Stands in for a self-hosted Plausible: serves the script, records that it was fetched.
let analyticsHost: Server;
let analyticsUrl: string;
const analyticsRequests: string[] = [];

beforeAll(async () => {
  analyticsHost = createServer((request, response) => {
    analyticsRequests.push(request.url ?? "");
    response.writeHead(200, { "content-type": "text/javascript" });
    response.end(
      // Like Plausible's script: keeps the events queued before it loaded, then records the rest.
      "var q = (window.plausible && window.plausible.q) || []; window.plausible = function () { q.push(arguments); }; window.plausible.q = q;",
    );
  });
  await new Promise<void>((resolve) => analyticsHost.listen(0, "127.0.0.1", resolve));
  analyticsUrl = `http://127.0.0.1:${(analyticsHost.address() as AddressInfo).port}/js/script.js`;

  server = await startStandaloneServer({
    dir: inject("standaloneDir"),
    env: {
      DATABASE_URL: inject("databaseUrl"),
      SESSION_SECRET: PLANTED_SECRET,
      METRICS_TOKEN,
      NEXT_PUBLIC_ANALYTICS_PROVIDER: "plausible",
      NEXT_PUBLIC_ANALYTICS_DOMAIN: "obs.example.com",
      NEXT_PUBLIC_ANALYTICS_SCRIPT_URL: analyticsUrl,
    },
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => analyticsHost?.close(resolve));
});

async function scrape(): Promise<ReturnType<typeof parsePrometheusTextFormat>> {
  const response = await fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  return parsePrometheusTextFormat(await response.text());
}

function requestCount(families: ReturnType<typeof parsePrometheusTextFormat>, labels: Record<string, string>): number {
  const family = families.find((candidate) => candidate.name === "http_requests_total");
  const sample = family?.metrics.find((metric) =>
    Object.entries(labels).every(([key, value]) => metric.labels?.[key] === value),
  );
  return Number(sample?.value ?? 0);
}

describe("GET /api/metrics", () => {
  it("answers 401 without the bearer token", async () => {
    expect((await fetch(`${server.url}/api/metrics`)).status).toBe(401);
    const wrong = await fetch(`${server.url}/api/metrics`, {
      headers: { authorization: "Bearer not-the-token-000000" },
    });
    expect(wrong.status).toBe(401);
  });

  it("counts requests by route pattern: the counter rises by exactly the number made", async () => {
    const labels = { method: "GET", route: "/robots.txt", status_class: "2xx" };
    const before = requestCount(await scrape(), labels);
    const made = 7;
    for (let index = 0; index < made; index++) {
      const response = await fetch(`${server.url}/robots.txt`);
      await response.text(); // the request completes (and is counted) once its body is sent
      expect(response.status).toBe(200);
    }
    expect(requestCount(await scrape(), labels)).toBe(before + made);
  });

  it("labels dynamic paths with their pattern, never the raw URL", async () => {
    const response = await fetch(`${server.url}/no-such-page/8d1f0c52-1111-4bbb-9ccc-123456789abc`);
    await response.text();
    expect(response.status).toBe(404);
    const families = await scrape();
    const routes = families
      .find((family) => family.name === "http_requests_total")!
      .metrics.map((m) => m.labels?.route);
    expect(routes).toContain("(unmatched)");
    expect(routes.filter((route) => route?.includes("8d1f0c52"))).toEqual([]);
  });

  it("exposes duration, process, event-loop and build metrics", async () => {
    const names = (await scrape()).map((family) => family.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "http_request_duration_seconds",
        "process_cpu_seconds_total",
        "nodejs_eventloop_lag_seconds",
        "slipway_build_info",
        "slipway_db_pool_connections",
      ]),
    );
  });
});

describe("Server-Timing", () => {
  it("reports database and total time on API responses", async () => {
    const sql = adminSql(inject("databaseUrl"));
    const tenant = await createTenant(sql, { projects: ["Timed"] });
    await sql.end();
    const response = await fetch(`${server.url}/api/v1/projects`, {
      headers: { cookie: await sessionCookie({ tenantId: tenant.tenantId, userId: tenant.adminId }, PLANTED_SECRET) },
    });
    expect(response.status).toBe(200);
    const timing = /^db;dur=(\d+\.\d), total;dur=(\d+\.\d)$/.exec(response.headers.get("server-timing") ?? "");
    expect(timing).not.toBeNull();
    // The tenant lookup and the listing ran in database transactions, inside the request's time.
    expect(Number(timing![1])).toBeGreaterThan(0);
    expect(Number(timing![2])).toBeGreaterThanOrEqual(Number(timing![1]));
  });
});

describe.skipIf(missingRequirement("chromium", "analytics in the browser"))(
  "analytics with Plausible configured",
  () => {
    it("loads the provider script and sets no cookie", async () => {
      browser = await launchChromium();
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(server.url, { waitUntil: "networkidle" });

      const script = page.locator('script[data-domain="obs.example.com"]');
      expect(await script.getAttribute("src")).toBe(analyticsUrl);
      expect(analyticsRequests).toContain("/js/script.js");
      expect(await context.cookies()).toEqual([]);
      expect(await page.evaluate(() => document.cookie)).toBe("");
    });

    it("counts a created project as a Project Created event", async () => {
      const sql = adminSql(inject("databaseUrl"));
      const tenant = await createTenant(sql, { projects: [] });
      await sql.end();
      const [name, value] = (
        await sessionCookie({ tenantId: tenant.tenantId, userId: tenant.adminId }, PLANTED_SECRET)
      ).split("=");
      browser ??= await launchChromium();
      const context = await browser.newContext();
      await context.addCookies([{ name: name!, value: value!, url: server.url }]);
      const page = await context.newPage();

      await page.goto(`${server.url}/projects/new`);
      await page.getByLabel("Name").fill("Counted project");
      await page.getByRole("button", { name: "Create project" }).click();
      await page.waitForURL(/\/projects\/[0-9a-f-]{36}\?created=1$/);

      // The stand-in script queues every call in window.plausible.q, as Plausible's own snippet does.
      await expect
        .poll(() =>
          page.evaluate(() =>
            (window as unknown as { plausible?: { q?: unknown[][] } }).plausible?.q?.map((call) => call[0]),
          ),
        )
        .toContain("Project Created");
    });
  },
);
