import { invitationIdParams, revokeInvitation } from "@/features/invitations";
import { apiRoute, noContent } from "@/lib/http";

/** Revoke a pending invitation (admins only): 204; 404 unknown here; 409 invitation_not_pending. */
export const DELETE = apiRoute({ params: invitationIdParams }, async ({ params, session }) => {
  await revokeInvitation(session, params.id);
  return noContent();
});
