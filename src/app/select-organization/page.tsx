import { OrganizationList } from "@clerk/nextjs";
import { SiteFooter } from "@/components/site-header";
import { AppHeader } from "@/features/auth";
import { selectTenantLocal } from "@/features/auth/actions";
import { listMembershipsOf } from "@/features/auth/queries";
import { HOME_PATH, requirePageUser } from "@/lib/auth";
import { getAuthMode } from "@/lib/env";

export const metadata = { title: "Choose an organization" };

/** Signed in without an active organization: choose (or, with Clerk, create) one. */
export default async function SelectOrganizationPage() {
  const context = await requirePageUser();
  const clerk = getAuthMode() === "clerk";
  const organizations = clerk ? [] : await listMembershipsOf(context.userId);
  return (
    <>
      <AppHeader />
      <main id="main" className="container">
        <h1>Choose an organization</h1>
        <p className="muted">Everything in Slipway belongs to an organization. Pick the one to work in.</p>
        {clerk ? (
          <OrganizationList
            hidePersonal
            afterSelectOrganizationUrl={HOME_PATH}
            afterCreateOrganizationUrl={HOME_PATH}
          />
        ) : organizations.length === 0 ? (
          <p>You are not a member of any organization yet. Ask an admin to add you.</p>
        ) : (
          <ul className="choice-list">
            {organizations.map((organization) => (
              <li key={organization.tenantId} className="card">
                <form action={selectTenantLocal}>
                  <input type="hidden" name="tenantId" value={organization.tenantId} />
                  <button className="button" type="submit">
                    {organization.tenantName}
                  </button>{" "}
                  <span className="muted">{organization.role}</span>
                </form>
              </li>
            ))}
          </ul>
        )}
      </main>
      <SiteFooter />
    </>
  );
}
