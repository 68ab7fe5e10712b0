import Link from "next/link";
import { notFound } from "next/navigation";
import { findProjectForPage, PROJECT_STATUSES, ProjectForm, updateProjectAction } from "@/features/projects";
import { TrackEventOnMount } from "@/lib/analytics";
import { requirePageTenant } from "@/lib/auth";

export const metadata = { title: "Project" };

export default async function ProjectPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ created?: string }>;
}) {
  const tenant = await requirePageTenant();
  const project = await findProjectForPage(tenant, (await params).id);
  if (!project) notFound();
  const { created } = await searchParams;

  return (
    <>
      <p>
        <Link href="/projects">← Projects</Link>
      </p>
      {created ? (
        <>
          <p className="muted" role="status">
            The project was created.
          </p>
          <TrackEventOnMount name="Project Created" />
        </>
      ) : null}
      <h1>{project.name}</h1>
      <p className="muted">
        Created <time dateTime={project.createdAt}>{project.createdAt.slice(0, 10)}</time>, last changed{" "}
        <time dateTime={project.updatedAt}>{project.updatedAt.slice(0, 16).replace("T", " ")} UTC</time>
      </p>

      <section aria-labelledby="edit-heading">
        <h2 id="edit-heading">Edit</h2>
        <ProjectForm
          action={updateProjectAction}
          submitLabel="Save changes"
          project={project}
          statuses={PROJECT_STATUSES}
        />
      </section>

      <section aria-labelledby="delete-heading">
        <h2 id="delete-heading">Delete</h2>
        <p className="muted">
          Deleting removes the project for everyone in your organization.
          {tenant.role === "admin" ? "" : " Only admins can delete projects."}
        </p>
        <div className="actions">
          <Link className="button danger" href={`/projects/${project.id}/delete`}>
            Delete this project…
          </Link>
        </div>
      </section>
    </>
  );
}
