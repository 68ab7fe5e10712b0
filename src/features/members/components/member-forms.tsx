"use client";

import { ActionForm, SelectField, SubmitButton } from "@/components/forms";
import type { FormAction } from "@/lib/forms/client";
import type { Member } from "../queries";

// Roles come from the server page as props: importing the schema here would put drizzle and zod
// into the browser bundle.

/** A member's role, changed in place; a refusal (last admin, not an admin) is announced on the form. */
export function MemberRoleForm({
  action,
  member,
  roles,
}: {
  action: FormAction;
  member: Pick<Member, "userId" | "name" | "email" | "role">;
  roles: readonly string[];
}) {
  return (
    <ActionForm action={action} className="inline-form">
      <input type="hidden" name="userId" value={member.userId} />
      <SelectField
        name="role"
        label={`Role of ${member.name ?? member.email ?? "this member"}`}
        hideLabel
        defaultValue={member.role}
        options={roles.map((role) => ({ value: role, label: role }))}
      />
      <SubmitButton className="button secondary">Save</SubmitButton>
    </ActionForm>
  );
}

/** Removes a member; a refusal is announced on the form. */
export function RemoveMemberForm({ action, userId }: { action: FormAction; userId: string }) {
  return (
    <ActionForm action={action}>
      <input type="hidden" name="userId" value={userId} />
      <SubmitButton className="button danger">Remove</SubmitButton>
    </ActionForm>
  );
}
