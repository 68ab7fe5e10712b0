import "server-only";
import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { ActionForm, SelectField, SubmitButton } from "@/components/forms";
import type { AuthScreens } from "../../provider";
import { HOME_PATH, SIGN_IN_PATH } from "../../route-access";
import { getAuthContext, requirePageUser } from "../../tenant";
import { selectTenantLocal, signInLocal, signOutLocal } from "./actions";
import { listSignInChoices } from "./sign-in-choices";

/**
 * Local auth mode's screens: a signed cookie over the seeded demo users, no passwords
 * (development, tests, public demos). src/lib/auth/screens.tsx picks the mode's screens.
 */

function Provider({ children }: { children: ReactNode }) {
  return <>{children}</>;
}

async function SignInScreen() {
  if (await getAuthContext()) redirect(HOME_PATH);
  const choices = await listSignInChoices();
  return (
    <>
      <p className="muted">
        Local mode: choose a demo user. No password: this mode is for development, tests and public demos.
      </p>
      {choices.length === 0 ? (
        <p>
          No users yet. Run <code>npm run db:seed</code> to create the demo organizations and users.
        </p>
      ) : (
        <ul className="choice-list" aria-label="Demo users">
          {choices.map((user) => (
            <li key={user.userId} className="card" data-testid="sign-in-choice">
              <h2 className="card-title">{user.name ?? user.email ?? "Unnamed user"}</h2>
              {user.email ? <p className="muted">{user.email}</p> : null}
              <div className="actions">
                {user.memberships.map((membership) => (
                  <ActionForm
                    key={membership.tenantId}
                    action={signInLocal}
                    event="Sign In"
                    eventProps={{ method: "local" }}
                  >
                    <input type="hidden" name="userId" value={user.userId} />
                    <input type="hidden" name="tenantId" value={membership.tenantId} />
                    <SubmitButton>
                      Sign in to {membership.tenantName} as {membership.role}
                    </SubmitButton>
                  </ActionForm>
                ))}
                {user.memberships.length === 0 ? (
                  <ActionForm action={signInLocal} event="Sign In" eventProps={{ method: "local" }}>
                    <input type="hidden" name="userId" value={user.userId} />
                    <SubmitButton className="button secondary">Sign in (no organization)</SubmitButton>
                  </ActionForm>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Local mode has no sign-up: the demo users come from the seed. */
function SignUpScreen(): never {
  redirect(SIGN_IN_PATH);
}

async function OrganizationPicker() {
  const { organizations = [] } = await requirePageUser();
  if (organizations.length === 0) return <p>You are not a member of any organization yet. Ask an admin to add you.</p>;
  return (
    <ul className="choice-list">
      {organizations.map((organization) => (
        <li key={organization.tenantId} className="card">
          <ActionForm action={selectTenantLocal}>
            <input type="hidden" name="tenantId" value={organization.tenantId} />
            <SubmitButton>{organization.name}</SubmitButton> <span className="muted">{organization.role}</span>
          </ActionForm>
        </li>
      ))}
    </ul>
  );
}

/** Who is signed in, the organization switcher and sign-out: plain forms (they work without JavaScript). */
async function AccountMenu() {
  const context = await getAuthContext();
  if (!context) {
    return (
      <Link className="button secondary" href={SIGN_IN_PATH}>
        Sign in
      </Link>
    );
  }
  const organizations = context.organizations ?? [];
  return (
    <div className="account-menu">
      {organizations.length > 0 ? (
        <ActionForm action={selectTenantLocal} className="inline-form">
          <SelectField
            name="tenantId"
            label="Organization"
            hideLabel
            defaultValue={context.tenantId ?? ""}
            options={[
              ...(context.tenantId ? [] : [{ value: "", label: "Choose an organization" }]),
              ...organizations.map((organization) => ({
                value: organization.tenantId,
                label: `${organization.name} (${organization.role})`,
              })),
            ]}
          />
          <SubmitButton className="button secondary">Switch</SubmitButton>
        </ActionForm>
      ) : null}
      <span className="muted" data-testid="signed-in-user">
        {context.user.name ?? context.user.email ?? "Signed in"}
      </span>
      <ActionForm action={signOutLocal}>
        <SubmitButton className="button secondary">Sign out</SubmitButton>
      </ActionForm>
    </div>
  );
}

export const localScreens: AuthScreens = {
  Provider,
  SignInScreen,
  SignUpScreen,
  OrganizationPicker,
  AccountMenu,
};
