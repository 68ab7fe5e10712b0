import { SiteFooter } from "@/components/site-header";
import { AppHeader } from "@/features/auth";
import { changeMemberRole, removeMember } from "@/features/auth/actions";
import { listMembers } from "@/features/auth/queries";
import { canActAs, requirePageTenant } from "@/lib/auth";
import { getAuthMode } from "@/lib/env";

export const metadata = { title: "Members" };

export default async function MembersPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[]>>;
}) {
  const context = await requirePageTenant();
  const members = await listMembers(context.tenantId);
  const { error } = await searchParams;
  const clerk = getAuthMode() === "clerk";
  const canManage = canActAs(context, "admin") && !clerk;
  return (
    <>
      <AppHeader />
      <main id="main" className="container">
        <h1>Members</h1>
        {clerk ? (
          <p className="muted">Invite, remove and change roles in the organization settings (organization switcher).</p>
        ) : canManage ? null : (
          <p className="muted">Only admins can change roles or remove members.</p>
        )}
        {typeof error === "string" ? (
          <p className="error-text" role="alert">
            {error}
          </p>
        ) : null}
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
                  {member.userId === context.userId ? <span className="muted"> (you)</span> : null}
                </td>
                <td>{member.email ?? ""}</td>
                <td>{member.role}</td>
                {canManage ? (
                  <td>
                    <div className="actions" style={{ marginTop: 0 }}>
                      <form action={changeMemberRole} className="inline-form">
                        <input type="hidden" name="userId" value={member.userId} />
                        <label className="visually-hidden" htmlFor={`role-${member.userId}`}>
                          Role of {member.name ?? member.email}
                        </label>
                        <select id={`role-${member.userId}`} name="role" defaultValue={member.role}>
                          <option value="admin">admin</option>
                          <option value="member">member</option>
                        </select>
                        <button className="button secondary" type="submit">
                          Save
                        </button>
                      </form>
                      <form action={removeMember}>
                        <input type="hidden" name="userId" value={member.userId} />
                        <button className="button danger" type="submit">
                          Remove
                        </button>
                      </form>
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
