import { createInvitation, createInvitationInput, listInvitations } from "@/features/invitations";
import { apiRoute, created, ok } from "@/lib/http";

/** The active tenant's invitations, newest first (admins only): `{ data }`. */
export const GET = apiRoute({}, async ({ session }) => ok({ data: await listInvitations(session) }));

/**
 * Invite an address with a role (admins only; local auth mode): 201 `{ data }` and the email is on
 * its way; 200 `{ data }` with the pending invitation when the address already has one (no new
 * email); 409 already_member; 429 invitation_quota_exceeded.
 */
export const POST = apiRoute({ body: createInvitationInput }, async ({ body, session }) => {
  const { invitation, created: isNew } = await createInvitation(session, body);
  return isNew ? created({ data: invitation }) : ok({ data: invitation });
});
