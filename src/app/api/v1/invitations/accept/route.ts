import { acceptInvitation, acceptInvitationInput } from "@/features/invitations";
import { requireAuthContext } from "@/lib/auth";
import { apiRoute, ok } from "@/lib/http";

/**
 * Accept an invitation as the signed-in user (who holds the invited address): 200 `{ data: {
 * tenantId, role } }`; 400 invalid_invitation_link; 403 invitation_for_another_address; 410
 * invitation_expired, invitation_used, invitation_revoked. New users accept on the link's page.
 */
export const POST = apiRoute({ body: acceptInvitationInput, tenant: false }, async ({ body }) => {
  const caller = await requireAuthContext();
  const { tenantId, role } = await acceptInvitation(body.token, { userId: caller.userId });
  return ok({ data: { tenantId, role } });
});
