import { expect, test, type Page } from "@playwright/test";
import { writesAllowed } from "./support";

/**
 * The members page in local auth mode: admins get role and removal controls, members do not; an
 * organization always keeps an admin. The role-change round trip runs only with SMOKE_ALLOW_WRITES=true.
 */

async function signInAs(page: Page, role: "admin" | "member"): Promise<string | undefined> {
  await page.goto("/sign-in");
  const button = page.getByRole("button", { name: new RegExp(`^Sign in to .+ as ${role}$`) }).first();
  if ((await button.count()) === 0) return undefined;
  const label = (await button.textContent())!.trim();
  await button.click();
  await expect(page).toHaveURL(/\/projects$/);
  return /^Sign in to (.+) as /.exec(label)![1];
}

test("a member sees the members list without management controls", async ({ page }) => {
  test.skip(!(await signInAs(page, "member")), "no local-mode member on /sign-in (Clerk mode or an unseeded database)");
  await page.getByRole("link", { name: "Members" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Members" })).toBeVisible();
  expect(await page.getByTestId("member-row").count()).toBeGreaterThan(0);
  await expect(page.getByRole("button", { name: "Remove" })).toHaveCount(0);
  await expect(page.getByText("Only admins can change roles or remove members.")).toBeVisible();
});

test("an admin changes a member's role and back; demoting the only admin is refused", async ({ page }) => {
  test.skip(!writesAllowed, "read-only by default: set SMOKE_ALLOW_WRITES=true to change a role and restore it");
  test.skip(!(await signInAs(page, "admin")), "no local-mode admin on /sign-in (Clerk mode or an unseeded database)");
  await page.goto("/members");

  // The last member: the other smoke tests sign in as the first one and must find them a member.
  const members = page.getByTestId("member-row").filter({ has: page.locator("td", { hasText: /^member$/ }) });
  test.skip((await members.count()) < 2, "needs two members (the other smoke tests use the first one)");
  const memberRow = members.last();
  const memberName = (await memberRow.locator("td").first().textContent())!.trim();
  const rowOf = (name: string) => page.getByTestId("member-row").filter({ hasText: name });

  await memberRow.getByRole("combobox").selectOption("admin");
  await memberRow.getByRole("button", { name: "Save" }).click();
  await expect(rowOf(memberName).locator("td").nth(2)).toHaveText("admin");

  await rowOf(memberName).getByRole("combobox").selectOption("member");
  await rowOf(memberName).getByRole("button", { name: "Save" }).click();
  await expect(rowOf(memberName).locator("td").nth(2)).toHaveText("member");

  // If the signed-in admin is the only admin, demoting themselves is refused and nothing changes.
  const admins = page.getByTestId("member-row").filter({ has: page.locator("td", { hasText: /^admin$/ }) });
  if ((await admins.count()) === 1) {
    const me = page.getByTestId("member-row").filter({ hasText: "(you)" });
    await me.getByRole("combobox").selectOption("member");
    await me.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "at least one admin" })).toBeVisible();
    await expect(page.getByTestId("member-row").filter({ hasText: "(you)" }).locator("td").nth(2)).toHaveText("admin");
  }
});
