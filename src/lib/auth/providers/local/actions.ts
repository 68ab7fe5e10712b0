"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { getAuthMode } from "@/lib/env";
import { ForbiddenError, UnauthorizedError } from "@/lib/errors";
import { formAction } from "@/lib/forms";
import { HOME_PATH, SELECT_ORGANIZATION_PATH } from "../../route-access";
import { getAuthContext } from "../../tenant";
import { endLocalSession, startLocalSession } from "./session";
import { isOfferedSignIn } from "./sign-in-choices";

/** Local mode's sign-in, organization switch and sign-out (./screens.tsx). */

function assertLocalMode(): void {
  if (getAuthMode() !== "local") {
    throw new ForbiddenError("Local sign-in is disabled: this deployment uses Clerk.", "local_auth_disabled");
  }
}

const id = (message: string) => z.uuid(message);

export const signInLocal = formAction(
  z.object({ userId: id("Choose a user to sign in as."), tenantId: id("Choose an organization.").optional() }),
  async ({ userId, tenantId }) => {
    assertLocalMode();
    // Only what the sign-in page offers: the demo users, into their own organizations.
    if (!(await isOfferedSignIn(userId, tenantId))) {
      throw new ForbiddenError("That sign-in is not available. Choose one from the list.", "sign_in_not_offered");
    }
    await startLocalSession(userId, tenantId);
    redirect(tenantId ? HOME_PATH : SELECT_ORGANIZATION_PATH);
  },
  { keepValues: false, rateLimit: "sign-in" },
);

export const selectTenantLocal = formAction(
  z.object({ tenantId: id("Choose an organization.") }),
  async ({ tenantId }) => {
    assertLocalMode();
    const context = await getAuthContext();
    if (!context) throw new UnauthorizedError();
    // A tenant the user belongs to, never a value taken on trust from the form.
    if (!context.organizations?.some((organization) => organization.tenantId === tenantId)) {
      throw new ForbiddenError("You are not a member of that organization.", "not_a_member");
    }
    // A new session for the new tenant; the old one is revoked, not just replaced.
    await endLocalSession();
    await startLocalSession(context.userId, tenantId);
    redirect(HOME_PATH);
  },
  { keepValues: false },
);

export const signOutLocal = formAction(
  z.object({}),
  async () => {
    await endLocalSession();
    redirect("/");
  },
  { keepValues: false },
);
