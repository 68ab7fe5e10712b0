"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { z } from "zod";
import { AppError } from "@/lib/errors";
import { createProject, deleteProject, updateProject } from "./mutations";
import { requirePageTenant } from "@/lib/auth";
import { createProjectInput, projectIdParams, updateProjectInput } from "./schemas";
import type { FormState } from "./form-state";

// Server actions for the pages: the same feature functions as the API, errors returned as form
// state (shown by useActionState) instead of thrown.

function fieldsOf(formData: FormData, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(names.map((name) => [name, formData.get(name) ?? undefined]));
}

function invalid(error: z.ZodError, values: Record<string, unknown>): FormState {
  const fieldErrors: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "form");
    fieldErrors[field] ??= issue.message;
  }
  return { status: "error", message: "Check the highlighted fields.", fieldErrors, values: stringValues(values) };
}

function stringValues(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}

/** Known errors (409, 404, 403) become a message; anything else is a bug and propagates. */
function failed(error: unknown, values: Record<string, unknown>): FormState {
  if (!(error instanceof AppError)) throw error;
  const fieldErrors = Array.isArray(error.details)
    ? Object.fromEntries(
        (error.details as { path?: string; message?: string }[])
          .filter((detail) => detail.path && detail.message)
          .map((detail) => [detail.path!, detail.message!]),
      )
    : undefined;
  return { status: "error", message: error.message, fieldErrors, values: stringValues(values) };
}

const FIELDS = ["name", "description", "status"] as const;

export async function createProjectAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const auth = await requirePageTenant();
  const values = fieldsOf(formData, FIELDS);
  const parsed = createProjectInput.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  let id: string;
  try {
    id = (await createProject(auth, parsed.data)).id;
  } catch (error) {
    return failed(error, values);
  }
  revalidatePath("/projects");
  // `created=1` lets the project page confirm it and count it (analytics "Project Created").
  redirect(`/projects/${id}?created=1`);
}

export async function updateProjectAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const auth = await requirePageTenant();
  const id = projectIdParams.safeParse({ id: formData.get("id") });
  if (!id.success) return { status: "error", message: "This project does not exist." };
  const values = fieldsOf(formData, FIELDS);
  const parsed = updateProjectInput.safeParse(values);
  if (!parsed.success) return invalid(parsed.error, values);
  try {
    await updateProject(auth, id.data.id, parsed.data);
  } catch (error) {
    return failed(error, values);
  }
  revalidatePath("/projects");
  revalidatePath(`/projects/${id.data.id}`);
  return { status: "success", message: "Saved.", values: stringValues(values) };
}

export async function deleteProjectAction(_previous: FormState, formData: FormData): Promise<FormState> {
  const auth = await requirePageTenant();
  const id = projectIdParams.safeParse({ id: formData.get("id") });
  if (!id.success) return { status: "error", message: "This project does not exist." };
  try {
    await deleteProject(auth, id.data.id);
  } catch (error) {
    return failed(error, {});
  }
  revalidatePath("/projects");
  redirect("/projects?deleted=1");
}
