import { createProject } from "@/features/projects/mutations";
import { listProjects } from "@/features/projects/queries";
import { createProjectInput, listProjectsQuery } from "@/features/projects/schemas";
import { apiRoute, created, ok } from "@/lib/http";

/** List the active tenant's projects, newest first: `{ data, nextCursor }`. */
export const GET = apiRoute({ query: listProjectsQuery }, async ({ query, auth }) =>
  ok(await listProjects(auth.tenantId, query)),
);

/** Create a project: 201 `{ data }`; 409 when the name is taken in this tenant. */
export const POST = apiRoute({ body: createProjectInput }, async ({ body, auth }) =>
  created({ data: await createProject(auth, body) }),
);
