import { expect, test } from "@playwright/test";

/** Local auth mode: a session ends for good when its user signs out (it cannot be replayed). */

test("signing out revokes the session: its cookie no longer works", async ({ page, context, playwright }) => {
  await page.goto("/sign-in");
  const signIn = page.getByRole("button", { name: /^Sign in to .+ as (admin|member)$/ }).first();
  test.skip((await signIn.count()) === 0, "no local-mode sign-in on /sign-in (Clerk mode or an unseeded database)");
  await signIn.click();
  await expect(page).toHaveURL(/\/projects$/);
  const session = (await context.cookies()).find((cookie) => cookie.name === "slipway_session");
  expect(session).toBeTruthy();

  // Another client (no shared cookie jar) replays the cookie: it works while the session lives…
  const other = await playwright.request.newContext({ baseURL: new URL(page.url()).origin });
  const headers = { cookie: `slipway_session=${session!.value}` };
  expect((await other.get("/api/v1/me", { headers })).status()).toBe(200);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  // …and is refused once its user signed out, although the token has not expired.
  const replay = await other.get("/api/v1/me", { headers });
  expect(replay.status()).toBe(401);
  await other.dispose();
});
