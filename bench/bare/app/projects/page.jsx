import { connection } from "next/server";
import { listProjects } from "../../lib/db";

/** The baseline for the signed-in projects page: rendered per request from one select. */
export default async function ProjectsPage() {
  await connection();
  const projects = await listProjects();
  return (
    <main>
      <h1>Projects</h1>
      <table>
        <tbody>
          {projects.map((project) => (
            <tr key={project.id}>
              <td>
                <a href={`/projects/${project.id}`}>{project.name}</a>
              </td>
              <td>{project.status}</td>
              <td>
                <time dateTime={project.createdAt}>{project.createdAt.slice(0, 10)}</time>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
