import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { writesAllowed } from "./support";

/**
 * Invitations end to end in the browser: an admin invites an address from the members page, the
 * worker emails it (to the local smoke server's SMTP server), and the emailed link makes a new
 * local user a member, once. Needs the local smoke server (its mailbox lists the emails it got)
 * and writes: skipped against a deployment (BASE_URL), whose mail goes to real inboxes.
 */

const mailbox = process.env.BASE_URL
  ? undefined
  : `http://127.0.0.1:${Number(process.env.SMOKE_PORT ?? "3100") + 1}/mails`;

interface Mail {
  to: string;
  subject: string;
  link?: string;
  idempotencyKey?: string;
}

test("an admin invites by email and the emailed link makes a new user a member, once", async ({ page, browser }) => {
  test.skip(!mailbox, "BASE_URL points at a deployment: its email goes to a real mail server this suite cannot read");
  test.skip(!writesAllowed, "writes an invitation and a user: set SMOKE_ALLOW_WRITES=true");

  await page.goto("/sign-in");
  const signIn = page.getByRole("button", { name: /^Sign in to .+ as admin$/ }).first();
  test.skip((await signIn.count()) === 0, "no local-mode admin on /sign-in (Clerk mode or an unseeded database)");
  const organization = /^Sign in to (.+) as /.exec((await signIn.textContent())!.trim())![1]!;
  await signIn.click();
  await expect(page).toHaveURL(/\/projects$/);
  await page.getByRole("link", { name: "Members" }).click();

  const address = `smoke-${randomBytes(4).toString("hex")}@example.com`;
  const form = page.getByRole("form", { name: "Invite a member" });
  await form.getByLabel("Email address").fill(address);
  await form.getByLabel("Role").selectOption("member");
  await form.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Invitation sent to ${address}.` })).toBeVisible();
  await expect(page.getByTestId("invitation-row").filter({ hasText: address })).toContainText("pending");

  let mail: Mail | undefined;
  await expect
    .poll(
      async () => {
        const mails = (await (await fetch(mailbox!)).json()) as Mail[];
        mail = mails.find((candidate) => candidate.to === address);
        return mail?.link;
      },
      { timeout: 30_000, message: "the invitation email reaches the SMTP server" },
    )
    .toBeTruthy();
  expect(mail!.subject).toBe(`Join ${organization} on Slipway`);

  // The invitee: another browser, signed out.
  const invitee = await browser.newContext();
  const inviteePage = await invitee.newPage();
  await inviteePage.goto(mail!.link!);
  await expect(inviteePage.getByText(`You are invited to join ${organization} as member (${address}).`)).toBeVisible();
  await inviteePage.getByLabel("Your name").fill("Smoke Invitee");
  await inviteePage.getByRole("button", { name: "Create my account and join" }).click();
  await expect(inviteePage).toHaveURL(/\/projects\?joined=1$/);
  await inviteePage.getByRole("link", { name: "Members" }).click();
  await expect(inviteePage.getByTestId("member-row").filter({ hasText: "Smoke Invitee" })).toContainText(address);

  // Single use: the same link again says so.
  await inviteePage.goto(mail!.link!);
  // Next's route announcer is an alert too: pick ours by its text.
  await expect(
    inviteePage.getByRole("alert").filter({ hasText: "This invitation has already been accepted." }),
  ).toBeVisible();
  await invitee.close();

  await page.reload();
  await expect(page.getByTestId("invitation-row").filter({ hasText: address })).toContainText("accepted");
  await expect(page.getByTestId("member-row").filter({ hasText: address })).toContainText("member");
});
