import Link from "next/link";
import { OrganizationSwitcher, UserButton } from "@clerk/nextjs";
import { getAuthContext, HOME_PATH, SELECT_ORGANIZATION_PATH, SIGN_IN_PATH } from "@/lib/auth";
import { getAuthMode } from "@/lib/env";
import { selectTenantLocal, signOutLocal } from "../actions";
import { findActiveUser, listMembershipsOf } from "../queries";

/**
 * Who is signed in, the organization switcher and sign-out. Clerk mode: Clerk's components.
 * Local mode: a plain form over the user's memberships (works without JavaScript).
 */
export async function AccountMenu() {
  if (getAuthMode() === "clerk") {
    return (
      <div className="account-menu">
        <OrganizationSwitcher
          hidePersonal
          afterSelectOrganizationUrl={HOME_PATH}
          afterCreateOrganizationUrl={HOME_PATH}
          afterLeaveOrganizationUrl={SELECT_ORGANIZATION_PATH}
        />
        <UserButton />
      </div>
    );
  }

  const context = await getAuthContext();
  if (!context) {
    return (
      <Link className="button secondary" href={SIGN_IN_PATH}>
        Sign in
      </Link>
    );
  }
  const [user, organizations] = await Promise.all([findActiveUser(context.userId), listMembershipsOf(context.userId)]);
  return (
    <div className="account-menu">
      {organizations.length > 0 ? (
        <form action={selectTenantLocal} className="inline-form">
          <label htmlFor="organization-switcher" className="visually-hidden">
            Organization
          </label>
          <select id="organization-switcher" name="tenantId" defaultValue={context.tenantId ?? ""}>
            {context.tenantId ? null : (
              <option value="" disabled>
                Choose an organization
              </option>
            )}
            {organizations.map((organization) => (
              <option key={organization.tenantId} value={organization.tenantId}>
                {organization.tenantName} ({organization.role})
              </option>
            ))}
          </select>
          <button className="button secondary" type="submit">
            Switch
          </button>
        </form>
      ) : null}
      <span className="muted" data-testid="signed-in-user">
        {user?.name ?? user?.email ?? "Signed in"}
      </span>
      <form action={signOutLocal}>
        <button className="button secondary" type="submit">
          Sign out
        </button>
      </form>
    </div>
  );
}
