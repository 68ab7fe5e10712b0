import { createProject, createProjectInput, listProjects, listProjectsQuery } from "@/features/projects";
import { apiRoute, created, ok } from "@/lib/http";

/** List the active tenant's projects, newest first: `{ data, nextCursor }`. */
export const GET = apiRoute({ query: listProjectsQuery }, async ({ query, session }) =>
  ok(await listProjects(session, query)),
);

/** Create a project: 201 `{ data }`; 409 when the name is taken in this tenant. */
export const POST = apiRoute({ body: createProjectInput }, async ({ body, session }) =>
  created({ data: await createProject(session, body) }),
);
