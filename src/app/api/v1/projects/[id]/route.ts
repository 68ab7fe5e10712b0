import { deleteProject, getProject, projectIdParams, updateProject, updateProjectInput } from "@/features/projects";
import { apiRoute, noContent, ok } from "@/lib/http";

/** One project: `{ data }`; 404 when it does not exist in the active tenant. */
export const GET = apiRoute({ params: projectIdParams }, async ({ params, session }) =>
  ok({ data: await getProject(session, params.id) }),
);

/** Change any of name, description, status: `{ data }`. */
export const PATCH = apiRoute(
  { params: projectIdParams, body: updateProjectInput },
  async ({ params, body, session }) => ok({ data: await updateProject(session, params.id, body) }),
);

/** Admins only: 204. */
export const DELETE = apiRoute({ params: projectIdParams }, async ({ params, session }) => {
  await deleteProject(session, params.id);
  return noContent();
});
