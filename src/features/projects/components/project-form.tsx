"use client";

import { useActionState } from "react";
import { IDLE, type FormState } from "../form-state";

type Action = (previous: FormState, formData: FormData) => Promise<FormState>;

export interface ProjectFormProps {
  action: Action;
  submitLabel: string;
  /** Present when editing. */
  project?: { id: string; name: string; description: string; status: string };
  statuses: readonly string[];
  limits: { name: number; description: number };
}

/** Create and edit form: labelled fields, errors announced and tied to their fields. */
export function ProjectForm({ action, submitLabel, project, statuses, limits }: ProjectFormProps) {
  const [state, formAction, pending] = useActionState(action, IDLE);
  const value = (field: "name" | "description" | "status") => state.values?.[field] ?? project?.[field] ?? "";
  const error = (field: string) => state.fieldErrors?.[field];
  const describedBy = (field: string) => (error(field) ? `${field}-error` : undefined);

  return (
    <form action={formAction} noValidate aria-describedby={state.message ? "form-message" : undefined}>
      {project ? <input type="hidden" name="id" value={project.id} /> : null}

      {state.message ? (
        <p
          id="form-message"
          className={state.status === "error" ? "error-text" : "muted"}
          role={state.status === "error" ? "alert" : "status"}
        >
          {state.message}
        </p>
      ) : null}

      <div className="form-row">
        <label htmlFor="name">Name</label>
        <input
          id="name"
          name="name"
          type="text"
          required
          maxLength={limits.name}
          defaultValue={value("name")}
          aria-invalid={error("name") ? true : undefined}
          aria-describedby={describedBy("name")}
        />
        {error("name") ? (
          <p id="name-error" className="error-text">
            {error("name")}
          </p>
        ) : null}
      </div>

      <div className="form-row">
        <label htmlFor="description">Description</label>
        <textarea
          id="description"
          name="description"
          rows={4}
          maxLength={limits.description}
          defaultValue={value("description")}
          aria-invalid={error("description") ? true : undefined}
          aria-describedby={describedBy("description")}
        />
        {error("description") ? (
          <p id="description-error" className="error-text">
            {error("description")}
          </p>
        ) : null}
      </div>

      <div className="form-row">
        <label htmlFor="status">Status</label>
        <select
          id="status"
          name="status"
          defaultValue={value("status") || "active"}
          aria-invalid={error("status") ? true : undefined}
          aria-describedby={describedBy("status")}
        >
          {statuses.map((status) => (
            <option key={status} value={status}>
              {status[0]!.toUpperCase() + status.slice(1)}
            </option>
          ))}
        </select>
        {error("status") ? (
          <p id="status-error" className="error-text">
            {error("status")}
          </p>
        ) : null}
      </div>

      <div className="actions">
        <button className="button" type="submit" disabled={pending} aria-disabled={pending}>
          {pending ? "Saving…" : submitLabel}
        </button>
      </div>
    </form>
  );
}
