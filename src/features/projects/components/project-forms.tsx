"use client";

import { ActionForm, Field, SelectField, SubmitButton, TextareaField } from "@/components/forms";
import type { FormAction } from "@/lib/forms/client";
import type { Project } from "../queries";

// Statuses come from the server page as props: importing the schema here would put drizzle and zod
// into the browser bundle. No maxLength: browsers count UTF-16 units, not the characters people see
// (an emoji can be 10 code points); the server checks lengths and says so (@/lib/text).

/** Create and edit form: labelled fields, errors announced and tied to their fields. */
export function ProjectForm({
  action,
  submitLabel,
  project,
  statuses,
}: {
  action: FormAction;
  submitLabel: string;
  /** Present when editing. */
  project?: Pick<Project, "id" | "name" | "description" | "status">;
  statuses: readonly string[];
}) {
  const options = statuses.map((status) => ({ value: status, label: status[0]!.toUpperCase() + status.slice(1) }));
  return (
    <ActionForm action={action}>
      {project ? <input type="hidden" name="id" value={project.id} /> : null}
      <Field name="name" label="Name" type="text" required defaultValue={project?.name} />
      <TextareaField name="description" label="Description" rows={4} defaultValue={project?.description} />
      <SelectField name="status" label="Status" options={options} defaultValue={project?.status ?? "active"} />
      <div className="actions">
        <SubmitButton pendingLabel="Saving…">{submitLabel}</SubmitButton>
      </div>
    </ActionForm>
  );
}

/** The delete confirmation's button; a refusal (not an admin, already gone) is announced. */
export function DeleteProjectForm({ action, projectId }: { action: FormAction; projectId: string }) {
  return (
    <ActionForm action={action}>
      <input type="hidden" name="id" value={projectId} />
      <div className="actions">
        <SubmitButton className="button danger" pendingLabel="Deleting…">
          Delete project
        </SubmitButton>
      </div>
    </ActionForm>
  );
}
