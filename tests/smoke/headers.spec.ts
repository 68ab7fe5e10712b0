import { expect, test } from "@playwright/test";

test("pages are served with sane security headers", async ({ request }) => {
  const response = await request.get("/");
  expect(response.status()).toBe(200);
  const headers = response.headers();
  expect(headers["content-type"]).toContain("text/html");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["x-powered-by"]).toBeUndefined();
  expect(headers["cross-origin-opener-policy"]).toBe("same-origin");
  expect(headers["cross-origin-resource-policy"]).toBe("same-origin");
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  // HSTS only means something over https; a deployment behind TLS must send it.
  if (new URL(response.url()).protocol === "https:") {
    expect(headers["strict-transport-security"]).toMatch(/max-age=\d+/);
  }
});

test("pages load in a real browser without a Content-Security-Policy violation", async ({ page }) => {
  // The policy is enforced: a violation means a script, style or font of ours was blocked.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (event) =>
      seen.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  const consoleViolations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) consoleViolations.push(message.text());
  });
  for (const path of ["/", "/sign-in", "/status"]) {
    await page.goto(path);
    await page.waitForLoadState("networkidle");
    const violations = await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
    expect(violations, path).toEqual([]);
  }
  expect(consoleViolations).toEqual([]);
});

test("static assets are cached immutably", async ({ page, request }) => {
  await page.goto("/");
  const script = await page.locator('script[src*="/_next/static/"]').first().getAttribute("src");
  expect(script).toBeTruthy();
  const response = await request.get(script!);
  expect(response.status()).toBe(200);
  expect(response.headers()["cache-control"]).toContain("immutable");
});
