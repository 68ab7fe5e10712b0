"use client";

import { useActionState } from "react";
import { IDLE, type FormState } from "../form-state";

type Action = (previous: FormState, formData: FormData) => Promise<FormState>;

/** The delete confirmation's button; a refusal (not an admin, already gone) is announced. */
export function DeleteProjectForm({ action, projectId }: { action: Action; projectId: string }) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  return (
    <form action={formAction}>
      <input type="hidden" name="id" value={projectId} />
      {state.message ? (
        <p className="error-text" role="alert">
          {state.message}
        </p>
      ) : null}
      <div className="actions">
        <button className="button danger" type="submit" disabled={pending} aria-disabled={pending}>
          {pending ? "Deleting…" : "Delete project"}
        </button>
      </div>
    </form>
  );
}
