import Link from "next/link";
import { notFound } from "next/navigation";
import { deleteProjectAction } from "@/features/projects/actions";
import { DeleteProjectForm } from "@/features/projects/components/delete-project-form";
import { findProjectForPage } from "@/features/projects/page-data";
import { requirePageTenant } from "@/lib/auth";

export const metadata = { title: "Delete project" };

export default async function DeleteProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const auth = await requirePageTenant();
  const project = await findProjectForPage(auth.tenantId, (await params).id);
  if (!project) notFound();

  return (
    <>
      <p>
        <Link href={`/projects/${project.id}`}>← {project.name}</Link>
      </p>
      <h1>Delete “{project.name}”?</h1>
      <p>This cannot be undone. The deletion is recorded in the audit log.</p>
      {auth.role === "admin" ? null : (
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
