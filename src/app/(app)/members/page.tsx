import { ActionForm, SelectField, SubmitButton } from "@/components/forms";
import { SiteFooter } from "@/components/site-header";
import { AppHeader, membersManagedInApp } from "@/features/auth";
import { changeMemberRole, listMembers, removeMember } from "@/features/members";
import { hasRole, requirePageTenant } from "@/lib/auth";

export const metadata = { title: "Members" };

const ROLE_OPTIONS = [
  { value: "admin", label: "admin" },
  { value: "member", label: "member" },
];

export default async function MembersPage() {
  const tenant = await requirePageTenant();
  const members = await listMembers(tenant);
  const managedHere = membersManagedInApp();
  const canManage = managedHere && hasRole(tenant.role, "admin");
  return (
    <>
      <AppHeader />
      <main id="main" className="container">
        <h1>Members</h1>
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
              <tr key={member.membershipId} data-testid="member-row">
                <td>
                  {member.name ?? "Unnamed"}
                  {member.userId === tenant.userId ? <span className="muted"> (you)</span> : null}
                </td>
                <td>{member.email ?? ""}</td>
                <td>{member.role}</td>
                {canManage ? (
                  <td>
                    <div className="actions" style={{ marginTop: 0 }}>
                      <ActionForm action={changeMemberRole} className="inline-form">
                        <input type="hidden" name="userId" value={member.userId} />
                        <SelectField
                          name="role"
                          label={`Role of ${member.name ?? member.email}`}
                          hideLabel
                          defaultValue={member.role}
                          options={ROLE_OPTIONS}
                        />
                        <SubmitButton className="button secondary">Save</SubmitButton>
                      </ActionForm>
                      <ActionForm action={removeMember}>
                        <input type="hidden" name="userId" value={member.userId} />
                        <SubmitButton className="button danger">Remove</SubmitButton>
                      </ActionForm>
                    </div>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </main>
      <SiteFooter />
    </>
  );
}
