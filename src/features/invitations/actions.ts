"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getAuthContext, HOME_PATH, inAppAccounts, requireTenantSession } from "@/lib/auth";
import { formAction } from "@/lib/forms";
import { acceptInvitation, createInvitation, revokeInvitation } from "./mutations";
import { acceptInvitationForm, createInvitationInput, invitationIdParams } from "./schemas";

// The members page's and the accept page's server actions: the same feature functions and schemas
// as the API, through the one form path.

export const inviteMemberAction = formAction(createInvitationInput, async (input) => {
  const { created } = await createInvitation(await requireTenantSession(), input);
  revalidatePath("/members");
  return {
    status: "success",
    message: created
      ? `Invitation sent to ${input.email}.`
      : `${input.email} already has a pending invitation: no new email was sent.`,
  };
});

export const revokeInvitationAction = formAction(
  invitationIdParams,
  async ({ id }) => {
    await revokeInvitation(await requireTenantSession(), id);
    revalidatePath("/members");
    return { status: "success", message: "Invitation revoked." };
  },
  { keepValues: false },
);

/**
 * Accepts as the signed-in user, or as a new local user named in the form; either way the browser
 * then holds a session in the invitation's organization.
 */
export const acceptInvitationAction = formAction(
  acceptInvitationForm,
  async ({ token, name }) => {
    const signedIn = await getAuthContext();
    const accepted = await acceptInvitation(
      token,
      signedIn ? { userId: signedIn.userId } : { newUserName: name ?? "" },
    );
    await inAppAccounts().signInAs(accepted.userId, accepted.tenantId);
    redirect(`${HOME_PATH}?joined=1`);
  },
  { keepValues: false, rateLimit: "sign-in" },
);
