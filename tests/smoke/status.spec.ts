import { expect, test } from "@playwright/test";

/** The public status page: every component's state, agreeing with the health report, and nothing internal. */

test("the status page lists each component's state and agrees with /api/health", async ({ page, request }) => {
  const response = await page.goto("/status");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1, name: "Status" })).toBeVisible();
  const components = page.getByTestId("status-component");
  await expect(components.first()).toBeVisible();
  const names = await components.locator("td:first-child").allTextContents();
  expect(names).toEqual(expect.arrayContaining(["Application", "Database", "Schema"]));
  const health = (await (await request.get("/api/health")).json()) as {
    status: string;
    commit: string | null;
    version: string;
  };
  await expect(page.getByTestId("overall-status")).toHaveAttribute("data-status", health.status);
  await expect(page.getByText(`Release ${health.commit ?? health.version}`)).toBeVisible();
  const text = (await page.locator("main").textContent()) ?? "";
  expect(text).not.toMatch(/latency|ms\b|refused|postgres:\/\/|redis:\/\//i);
});
