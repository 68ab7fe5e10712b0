import Link from "next/link";
import { decodeCursor, listProjects, PAGE_SIZE_DEFAULT } from "@/features/projects";
import { requirePageTenant } from "@/lib/auth";

export const metadata = { title: "Projects" };

export default async function ProjectsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const tenant = await requirePageTenant();
  const { cursor: rawCursor, deleted } = await searchParams;
  // A stale or edited cursor in the address bar just shows the first page.
  const cursor = typeof rawCursor === "string" ? (decodeCursor(rawCursor) ?? undefined) : undefined;
  const page = await listProjects(tenant, { limit: PAGE_SIZE_DEFAULT, cursor });

  return (
    <>
      <h1>Projects</h1>
      {deleted ? (
        <p className="muted" role="status">
          The project was deleted.
        </p>
      ) : null}
      <div className="actions">
        <Link className="button" href="/projects/new">
          New project
        </Link>
      </div>
      {page.data.length === 0 ? (
        <p className="muted">{cursor ? "No more projects." : "No projects yet. Create the first one."}</p>
      ) : (
        <table>
          <caption className="muted" style={{ textAlign: "left", marginBlock: "1rem" }}>
            Projects of your organization, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {page.data.map((project) => (
              <tr key={project.id}>
                <td>
                  <Link href={`/projects/${project.id}`}>{project.name}</Link>
                </td>
                <td>{project.status}</td>
                <td>
                  <time dateTime={project.createdAt}>{project.createdAt.slice(0, 10)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav className="actions" aria-label="Pagination">
        {cursor ? (
          <Link className="button secondary" href="/projects">
            First page
          </Link>
        ) : null}
        {page.nextCursor ? (
          <Link className="button secondary" href={`/projects?cursor=${page.nextCursor}`}>
            Next page
          </Link>
        ) : null}
      </nav>
    </>
  );
}
