import Link from "next/link";
import { notFound } from "next/navigation";
import { DeleteProjectForm, deleteProjectAction, findProjectForPage } from "@/features/projects";
import { requirePageTenant } from "@/lib/auth";

export const metadata = { title: "Delete project" };

export default async function DeleteProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const tenant = await requirePageTenant();
  const project = await findProjectForPage(tenant, (await params).id);
  if (!project) notFound();

  return (
    <>
      <p>
        <Link href={`/projects/${project.id}`}>← {project.name}</Link>
      </p>
      <h1>Delete “{project.name}”?</h1>
      <p>This cannot be undone. The deletion is recorded in the audit log.</p>
      {tenant.role === "admin" ? null : (
        <p className="muted">You are a member of this organization; only admins can delete projects.</p>
      )}
      <DeleteProjectForm action={deleteProjectAction} projectId={project.id} />
      <div className="actions">
        <Link className="button secondary" href={`/projects/${project.id}`}>
          Cancel
        </Link>
      </div>
    </>
  );
}
