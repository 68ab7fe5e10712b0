import { expect, test } from "@playwright/test";

test("liveness answers 200, uncached", async ({ request }) => {
  const response = await request.get("/health/live");
  expect(response.status()).toBe(200);
  expect(response.headers()["cache-control"]).toContain("no-store");
});

test("readiness answers 200 on a healthy deployment, uncached", async ({ request }) => {
  const response = await request.get("/health/ready");
  expect(response.status()).toBe(200);
  expect(response.headers()["cache-control"]).toContain("no-store");
});

test("the detailed health report is healthy or degraded and names its release", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  const body = await response.json();
  expect(["healthy", "degraded"]).toContain(body.status);
  expect(typeof body.version).toBe("string");
  expect(body.checks.database.status).toBe("up");
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/postgres(ql)?:\/\/|redis:\/\/|password/i);
});

test("the tenant API refuses anonymous callers with a JSON 401", async ({ request }) => {
  const response = await request.get("/api/v1/projects");
  expect(response.status()).toBe(401);
  const body = await response.json();
  expect(body.error.code).toBe("unauthorized");
});
