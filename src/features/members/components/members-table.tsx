import type { Role } from "@db/schema";
import { hasRole } from "@/lib/auth";
import { changeMemberRoleAction, removeMemberAction } from "../actions";
import { membersManagedHere, type Member } from "../queries";
import { MEMBER_ROLES } from "../schemas";
import { MemberRoleForm, RemoveMemberForm } from "./member-forms";

/**
 * The organization's members; for admins, where members are managed in this app, each with its
 * role and removal forms. Who may do what is decided again on the server by every action.
 */
export function MembersTable({ members, viewer }: { members: Member[]; viewer: { userId: string; role: Role } }) {
  const managedHere = membersManagedHere();
  const canManage = managedHere && hasRole(viewer.role, "admin");
  return (
    <>
      {!managedHere ? (
        <p className="muted">Invite, remove and change roles in the organization settings (organization switcher).</p>
      ) : canManage ? null : (
        <p className="muted">Only admins can change roles or remove members.</p>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            {canManage ? <th scope="col">Manage</th> : null}
          </tr>
        </thead>
        <tbody>
          {members.map((member) => (
            <tr key={member.userId} data-testid="member-row">
              <td>
                {member.name ?? "Unnamed"}
                {member.userId === viewer.userId ? <span className="muted"> (you)</span> : null}
              </td>
              <td>{member.email ?? ""}</td>
              <td>{member.role}</td>
              {canManage ? (
                <td>
                  <div className="actions" style={{ marginTop: 0 }}>
                    <MemberRoleForm action={changeMemberRoleAction} member={member} roles={MEMBER_ROLES} />
                    <RemoveMemberForm action={removeMemberAction} userId={member.userId} />
                  </div>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
