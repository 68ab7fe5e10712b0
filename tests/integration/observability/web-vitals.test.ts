import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "@playwright/test";
import { launchChromium } from "../../support/browser";
import { missingRequirement } from "../../support/requirements";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";

/**
 * Real-user Web Vitals: Chromium loads pages of the production server, is interacted with and
 * leaves; its reports (POST /api/vitals) move the per-route-template histograms at /api/metrics.
 * Reports that are not what a browser sends are refused with a 4xx and log at most one line.
 */

const METRICS_TOKEN = "web-vitals-token-0123456789abcdef";
const RATE_LIMIT = 30;

let server: StandaloneServer;
let browser: Browser | undefined;

beforeAll(async () => {
  server = await startStandaloneServer({
    dir: inject("standaloneDir"),
    env: {
      DATABASE_URL: inject("databaseUrl"),
      METRICS_TOKEN,
      RATE_LIMIT_WEB_VITALS: `${RATE_LIMIT}/600`,
    },
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function metricsText(): Promise<string> {
  const response = await fetch(`${server.url}/api/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  return response.text();
}

/** The observation count of one Web Vitals series (0 when the series does not exist yet). */
function countOf(text: string, metric: string, route: string): number {
  const escapedRoute = route.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern =
    metric === "CLS"
      ? new RegExp(`^slipway_web_vitals_cls_count\\{route="${escapedRoute}"\\} (\\d+)$`, "m")
      : new RegExp(`^slipway_web_vitals_seconds_count\\{metric="${metric}",route="${escapedRoute}"\\} (\\d+)$`, "m");
  return Number(pattern.exec(text)?.[1] ?? 0);
}

const VITALS = ["LCP", "INP", "CLS", "FCP", "TTFB"];

async function postReport(body: string, contentType = "application/json") {
  const before = server.logs.length;
  const response = await fetch(`${server.url}/api/vitals`, {
    method: "POST",
    headers: { "content-type": contentType },
    body,
  });
  return { response, logLines: server.logs.slice(before) };
}

describe.skipIf(missingRequirement("chromium", "Web Vitals from a real browser"))("Web Vitals in Chromium", () => {
  it("records LCP, INP, CLS, FCP and TTFB per route template after pages are loaded, used and left", async () => {
    const before = await metricsText();
    browser = await launchChromium();
    const page = await browser.newPage();
    const missingFor = (text: string, route: string) =>
      VITALS.filter((metric) => countOf(text, metric, route) <= countOf(before, metric, route)).map(
        (metric) => `${metric} ${route}`,
      );
    let missing: string[] = [];
    for (const path of ["/", "/status"]) {
      // LCP, CLS and INP leave in a beacon while the page is hidden, which a browser does not
      // guarantee to deliver (nor does the test's page close): a page view whose beacon was lost is
      // visited again, at most three times, as a real user's next visit would report it.
      for (let visit = 1; visit <= 3; visit++) {
        const fcpBefore = countOf(await metricsText(), "FCP", path);
        await page.goto(server.url + path, { waitUntil: "load" });
        // The reporter runs once the page has hydrated, which on a busy machine can be well after
        // `load`; an interaction before it would be missed (INP). Its first report (FCP) says it runs.
        await expect
          .poll(async () => countOf(await metricsText(), "FCP", path), { timeout: 30_000 })
          .toBeGreaterThan(fcpBefore);
        // A trusted interaction (INP, and LCP's end), then leaving the page (LCP, CLS and INP are
        // reported when a page is hidden).
        await page.locator("h1").first().click();
        await page.keyboard.press("Tab");
        await page.goto("about:blank");
        const deadline = Date.now() + 10_000;
        for (;;) {
          missing = missingFor(await metricsText(), path);
          if (missing.length === 0 || Date.now() > deadline) break;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        if (missing.length === 0) break;
      }
      expect(missing).toEqual([]);
    }
    await page.close();
    // Per template only: no raw URL becomes a label.
    expect(await metricsText()).not.toMatch(/slipway_web_vitals_\w+\{[^}]*route="http/);
  }, 240_000);
});

describe("POST /api/vitals", () => {
  const valid = (path = "/", name = "LCP", value = 1200) => JSON.stringify({ vitals: [{ name, value, path }] });

  it("records a valid report (204) under the page's route template", async () => {
    const { response } = await postReport(valid("/sign-in/factor-one", "FCP", 300));
    expect(response.status).toBe(204);
    expect(countOf(await metricsText(), "FCP", "/sign-in/[[...sign-in]]")).toBeGreaterThan(0);
  });

  it.each([
    ["malformed JSON", "{", 400],
    ["an unknown metric", JSON.stringify({ vitals: [{ name: "FID", value: 10, path: "/" }] }), 400],
    ["no measurement", JSON.stringify({ vitals: [] }), 400],
    ["a negative value", valid("/", "LCP", -1), 400],
    ["a value no browser measures", valid("/", "LCP", 3_600_000), 400],
    ["a path that is no page of the app", valid("/wp-admin/setup.php"), 400],
    ["an API path", valid("/api/v1/projects"), 400],
    ["a path that is not a path", valid("https://example.com/"), 400],
    ["too many measurements", JSON.stringify({ vitals: Array(6).fill({ name: "CLS", value: 0, path: "/" }) }), 400],
    [
      "a body over the limit",
      JSON.stringify({ vitals: [{ name: "LCP", value: 1, path: `/${"a".repeat(8000)}` }] }),
      413,
    ],
  ])("refuses %s with a 4xx in the JSON error shape, logging at most one line", async (_, body, status) => {
    const { response, logLines } = await postReport(body);
    expect(response.status).toBe(status);
    const payload = (await response.json()) as { error?: { code?: string; message?: string } };
    expect(payload.error?.code).toEqual(expect.any(String));
    expect(payload.error?.message).toEqual(expect.any(String));
    expect(logLines.length).toBeLessThanOrEqual(1);
  });

  it("refuses another content type (415)", async () => {
    const { response } = await postReport(valid(), "text/plain");
    expect(response.status).toBe(415);
  });

  it("records nothing from a refused report, so no label is created for a forged path", async () => {
    await postReport(valid("/wp-admin/setup.php"));
    expect(await metricsText()).not.toContain("wp-admin");
  });

  it("answers only POST", async () => {
    expect((await fetch(`${server.url}/api/vitals`)).status).toBe(405);
  });

  // Last: it spends this address's allowance.
  it("limits reports per address (429 with Retry-After past the policy's limit)", async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let index = 0; index <= RATE_LIMIT; index++) {
      const response = await fetch(`${server.url}/api/vitals`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: valid(),
      });
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter = response.headers.get("retry-after");
        break;
      }
    }
    expect(statuses.at(-1)).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});
