"use client";

import { ActionForm, Field, SelectField, SubmitButton } from "@/components/forms";
import type { FormAction } from "@/lib/forms/client";

// Roles come from the server page as props: importing the schema here would put drizzle and zod
// into the browser bundle.

/** The members page's invite form: an address and a role. */
export function InviteMemberForm({ action, roles }: { action: FormAction; roles: readonly string[] }) {
  return (
    <ActionForm action={action} className="inline-form" aria-label="Invite a member">
      <Field name="email" label="Email address" type="email" required autoComplete="off" maxLength={254} />
      <SelectField
        name="role"
        label="Role"
        defaultValue="member"
        options={roles.map((role) => ({ value: role, label: role }))}
      />
      <SubmitButton pendingLabel="Inviting…">Invite</SubmitButton>
    </ActionForm>
  );
}

/** A pending invitation's revoke button. */
export function RevokeInvitationForm({
  action,
  invitationId,
  email,
}: {
  action: FormAction;
  invitationId: string;
  email: string;
}) {
  return (
    <ActionForm action={action}>
      <input type="hidden" name="id" value={invitationId} />
      <SubmitButton
        className="button secondary"
        pendingLabel="Revoking…"
        aria-label={`Revoke the invitation of ${email}`}
      >
        Revoke
      </SubmitButton>
    </ActionForm>
  );
}

/** The accept page's form: a signed-in user accepts as themselves; a new user gives a name. */
export function AcceptInvitationForm({
  action,
  token,
  signedInAs,
}: {
  action: FormAction;
  token: string;
  signedInAs: string | null;
}) {
  return (
    <ActionForm action={action}>
      <input type="hidden" name="token" value={token} />
      {signedInAs ? null : <Field name="name" label="Your name" type="text" maxLength={100} autoComplete="name" />}
      <div className="actions">
        <SubmitButton pendingLabel="Joining…">
          {signedInAs ? `Accept as ${signedInAs}` : "Create my account and join"}
        </SubmitButton>
      </div>
    </ActionForm>
  );
}
