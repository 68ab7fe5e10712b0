import { expect, test } from "@playwright/test";
import { watchForProblems } from "./support";

test("the landing page renders with no console errors and no failed requests", async ({ page }) => {
  const problems = watchForProblems(page);
  const response = await page.goto("/");
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "What is inside" })).toBeVisible();
  await page.waitForLoadState("networkidle");
  expect(problems).toEqual([]);
});

test("the landing page has a title, a language and a skip link", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveTitle(/Slipway/);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
});

test("the landing page fits a phone screen without horizontal scrolling", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto("/");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test("a public demo (local auth in production) says so on every page", async ({ page }) => {
  await page.goto("/", { waitUntil: "load" });
  const demoMode = await page.evaluate(
    () =>
      (window as unknown as { __SLIPWAY_PUBLIC_CONFIG__?: { demoMode?: boolean } }).__SLIPWAY_PUBLIC_CONFIG__?.demoMode,
  );
  test.skip(demoMode !== true, "this deployment is not a demo (Clerk, or not production)");
  await expect(page.getByTestId("local-mode-banner")).toBeVisible();
  await page.goto("/sign-in");
  await expect(page.getByTestId("local-mode-banner")).toBeVisible();
});
