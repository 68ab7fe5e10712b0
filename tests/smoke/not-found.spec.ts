import { expect, test } from "@playwright/test";

test("an unknown address answers 404 with the not-found page", async ({ page }) => {
  const response = await page.goto("/this-page-does-not-exist-" + Date.now());
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Back to the home page" })).toHaveAttribute("href", "/");
});
