import type { FormAction } from "@/lib/forms/client";
import type { Invitation } from "../queries";
import { RevokeInvitationForm } from "./invitation-forms";

/** The tenant's invitations: address, role, state, and a revoke button while pending. */
export function InvitationList({ invitations, revokeAction }: { invitations: Invitation[]; revokeAction: FormAction }) {
  if (invitations.length === 0) return <p className="muted">No invitations yet.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Email</th>
          <th scope="col">Role</th>
          <th scope="col">Status</th>
          <th scope="col">Manage</th>
        </tr>
      </thead>
      <tbody>
        {invitations.map((invitation) => (
          <tr key={invitation.id} data-testid="invitation-row">
            <td>{invitation.email}</td>
            <td>{invitation.role}</td>
            <td>
              {invitation.status}
              {invitation.status === "pending" && !invitation.emailSentAt ? (
                <span className="muted"> (sending)</span>
              ) : null}
            </td>
            <td>
              {invitation.status === "pending" ? (
                <RevokeInvitationForm action={revokeAction} invitationId={invitation.id} email={invitation.email} />
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
