"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { requireTenantSession } from "@/lib/auth";
import { formAction } from "@/lib/forms";
import { createProject, deleteProject, updateProject } from "./mutations";
import { createProjectInput, editProjectForm, projectIdParams } from "./schemas";

// The pages' server actions: the same feature functions and schemas as the API, through the one
// form path (refusals come back as form state with a code, never as a thrown 500).

export const createProjectAction = formAction(createProjectInput, async (input) => {
  const project = await createProject(await requireTenantSession(), input);
  revalidatePath("/projects");
  // `created=1` lets the project page confirm it and count it (analytics "Project Created").
  redirect(`/projects/${project.id}?created=1`);
});

export const updateProjectAction = formAction(editProjectForm, async ({ id, ...fields }) => {
  await updateProject(await requireTenantSession(), id, fields);
  revalidatePath("/projects");
  revalidatePath(`/projects/${id}`);
  return { status: "success", message: "Saved." };
});

export const deleteProjectAction = formAction(
  projectIdParams,
  async ({ id }) => {
    await deleteProject(await requireTenantSession(), id);
    revalidatePath("/projects");
    redirect("/projects?deleted=1");
  },
  { keepValues: false },
);
