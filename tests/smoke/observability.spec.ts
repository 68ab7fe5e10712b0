import { expect, test } from "@playwright/test";

/** Read-only checks of the observability wiring that hold on any deployment, configured or not. */

const VALID_REQUEST_ID = /^[A-Za-z0-9\-_.:]{8,128}$/;

test("every response carries a request id", async ({ request }) => {
  for (const path of ["/", "/no-such-page-smoke", "/api/v1/projects"]) {
    const response = await request.get(path);
    expect(response.headers()["x-request-id"], path).toMatch(VALID_REQUEST_ID);
  }
});

test("API responses carry Server-Timing", async ({ request }) => {
  const response = await request.get("/api/v1/projects");
  expect(response.status()).toBe(401);
  expect(response.headers()["server-timing"]).toMatch(/total;dur=\d/);
});

test("the metrics endpoint is never open without the token", async ({ request }) => {
  const response = await request.get("/api/metrics");
  expect([401, 404]).toContain(response.status());
});

test("the page hands the browser its runtime config and no unexpected third-party script", async ({ page }) => {
  const scripts: string[] = [];
  page.on("request", (request) => {
    if (request.resourceType() === "script") scripts.push(request.url());
  });
  await page.goto("/", { waitUntil: "networkidle" });
  const config = (await page.evaluate(
    () => (window as unknown as Record<string, unknown>).__SLIPWAY_PUBLIC_CONFIG__,
  )) as {
    sentry: { tunnel: string } | null;
    analytics: { scriptUrl: string } | null;
  };
  expect(config).toBeTruthy();
  if (config.sentry) expect(config.sentry.tunnel).toBe("/monitoring");
  const origin = new URL(page.url()).origin;
  const allowed = new Set([origin, ...(config.analytics ? [new URL(config.analytics.scriptUrl).origin] : [])]);
  expect(scripts.filter((url) => !allowed.has(new URL(url).origin))).toEqual([]);
});

test("the Sentry tunnel forwards nothing for a foreign DSN", async ({ request }) => {
  const envelope = `${JSON.stringify({ dsn: "https://public@sentry.invalid/1" })}\n{"type":"event"}\n{}\n`;
  const response = await request.post("/monitoring", { data: envelope, headers: { "content-type": "text/plain" } });
  // 404 when the browser DSN is not configured, 400 (refused, nothing forwarded) when it is.
  expect([400, 404]).toContain(response.status());
});
