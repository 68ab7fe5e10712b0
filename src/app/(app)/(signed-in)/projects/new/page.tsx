import Link from "next/link";
import { createProjectAction, PROJECT_STATUSES, ProjectForm } from "@/features/projects";
import { requirePageTenant } from "@/lib/auth";

export const metadata = { title: "New project" };

export default async function NewProjectPage() {
  await requirePageTenant();
  return (
    <>
      <p>
        <Link href="/projects">← Projects</Link>
      </p>
      <h1>New project</h1>
      <ProjectForm action={createProjectAction} submitLabel="Create project" statuses={PROJECT_STATUSES} />
    </>
  );
}
