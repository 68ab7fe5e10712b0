import { expect, test, type Page } from "@playwright/test";
import { writesAllowed } from "./support";

/**
 * Sign-in and the projects CRUD UI, end to end in the browser. The read-only part runs against any
 * deployment; the CRUD flow creates, renames and deletes a project, so it runs only with
 * SMOKE_ALLOW_WRITES=true and only in local auth mode (it signs in through the demo-user list).
 */

test("a signed-out visitor of the app is sent to sign-in", async ({ page }) => {
  await page.goto("/projects");
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
});

interface SignInChoice {
  organization: string;
  role: "admin" | "member";
  button: string;
}

/** The demo users' sign-in buttons ("Sign in to <org> as <role>"), read from the page, not hard-coded. */
async function signInChoices(page: Page): Promise<SignInChoice[]> {
  await page.goto("/sign-in");
  const labels = await page.getByRole("button", { name: /^Sign in to .+ as (admin|member)$/ }).allTextContents();
  return labels.map((label) => {
    const [, organization, role] = /^Sign in to (.+) as (admin|member)$/.exec(label.trim())!;
    return { organization: organization!, role: role as "admin" | "member", button: label.trim() };
  });
}

async function signIn(page: Page, choice: SignInChoice) {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: choice.button, exact: true }).first().click();
  await expect(page).toHaveURL(/\/projects$/);
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
}

async function openProject(page: Page, name: string) {
  await page.goto("/projects?limit=100");
  await page.getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

test("a user in several organizations switches between them in the header, and each shows its own projects", async ({
  page,
}) => {
  await page.goto("/sign-in");
  const cards = page.getByTestId("sign-in-choice");
  test.skip((await cards.count()) === 0, "no local-mode demo users on /sign-in (Clerk mode or an unseeded database)");
  // Someone with at least two organizations (read from the page, not hard-coded).
  let card = undefined;
  for (const candidate of await cards.all()) {
    if ((await candidate.getByRole("button", { name: /^Sign in to / }).count()) >= 2) {
      card = candidate;
      break;
    }
  }
  test.skip(!card, "no demo user belongs to two organizations");
  await card!
    .getByRole("button", { name: /^Sign in to / })
    .first()
    .click();
  await expect(page).toHaveURL(/\/projects$/);

  const projectNames = () => page.locator("main table a").allTextContents();
  const switcher = page.getByLabel("Organization");
  const before = await switcher.locator("option:checked").textContent();
  const projectsBefore = await projectNames();
  const other = (await switcher.locator("option:not(:checked)").allTextContents())[0]!;
  await switcher.selectOption({ label: other });
  await page.getByRole("button", { name: "Switch" }).click();
  // The list re-renders for the other organization: none of the first one's projects remain.
  await expect.poll(async () => (await projectNames()).filter((name) => projectsBefore.includes(name))).toEqual([]);
  await expect(page).toHaveURL(/\/projects$/);
  await page.reload();
  await expect(switcher.locator("option:checked")).toHaveText(other);
  expect(other).not.toBe(before);
  expect((await projectNames()).filter((name) => projectsBefore.includes(name))).toEqual([]);
});

test("projects CRUD: an admin creates, renames and deletes; a member's delete is refused", async ({ page }) => {
  test.skip(!writesAllowed, "read-only by default: set SMOKE_ALLOW_WRITES=true to create, rename and delete a project");
  const choices = await signInChoices(page);
  test.skip(choices.length === 0, "no local-mode demo users on /sign-in (Clerk mode or an unseeded database)");

  // An organization with both an admin and a member to sign in as.
  const admin = choices.find(
    (choice) =>
      choice.role === "admin" &&
      choices.some((other) => other.role === "member" && other.organization === choice.organization),
  );
  expect(admin, "an organization with an admin and a member among the demo users").toBeDefined();
  const member = choices.find((choice) => choice.role === "member" && choice.organization === admin!.organization)!;

  const name = `Smoke ${Date.now().toString(36)}`;
  const renamed = `${name} renamed`;

  // Create, as admin.
  await signIn(page, admin!);
  await page.getByRole("link", { name: "New project" }).click();
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Description").fill("Created by the smoke suite; deleted at the end of the test.");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();

  // Rename.
  await page.getByLabel("Name").fill(renamed);
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await openProject(page, renamed);
  await signOut(page);

  // A member may not delete it.
  await signIn(page, member);
  await openProject(page, renamed);
  await page.getByRole("link", { name: "Delete this project…" }).click();
  await page.getByRole("button", { name: "Delete project" }).click();
  await expect(page.locator("main").getByRole("alert")).toContainText(/admin/i);
  await openProject(page, renamed);
  await signOut(page);

  // The admin can.
  await signIn(page, admin!);
  await openProject(page, renamed);
  await page.getByRole("link", { name: "Delete this project…" }).click();
  await page.getByRole("button", { name: "Delete project" }).click();
  await expect(page).toHaveURL(/\/projects\?deleted=1$/);
  await expect(page.getByText("The project was deleted.")).toBeVisible();
  await expect(page.getByRole("link", { name: renamed, exact: true })).toHaveCount(0);
});
