import { hasRole, membersManagedBy, type Caller } from "@/lib/auth";
import { inviteMemberAction, revokeInvitationAction } from "../actions";
import { listInvitations } from "../queries";
import { INVITATION_ROLES } from "../schemas";
import { InviteMemberForm } from "./invitation-forms";
import { InvitationList } from "./invitation-list";

/**
 * The members page's invitations section (admins, where this app keeps the accounts; Clerk has its own): the invite form
 * and the tenant's invitations. Renders nothing for anyone else.
 */
export async function MemberInvitations({ tenant }: { tenant: Caller & { role: "admin" | "member" } }) {
  if (membersManagedBy() || !hasRole(tenant.role, "admin")) return null;
  const invitations = await listInvitations(tenant);
  return (
    <section aria-labelledby="invitations-heading">
      <h2 id="invitations-heading">Invitations</h2>
      <InviteMemberForm action={inviteMemberAction} roles={INVITATION_ROLES} />
      <InvitationList invitations={invitations} revokeAction={revokeInvitationAction} />
    </section>
  );
}
