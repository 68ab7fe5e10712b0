import { deleteProject, updateProject } from "@/features/projects/mutations";
import { getProject } from "@/features/projects/queries";
import { projectIdParams, updateProjectInput } from "@/features/projects/schemas";
import { apiRoute, noContent, ok } from "@/lib/http";

/** One project: `{ data }`; 404 when it does not exist in the active tenant. */
export const GET = apiRoute({ params: projectIdParams }, async ({ params, auth }) =>
  ok({ data: await getProject(auth.tenantId, params.id) }),
);

/** Change any of name, description, status: `{ data }`. */
export const PATCH = apiRoute({ params: projectIdParams, body: updateProjectInput }, async ({ params, body, auth }) =>
  ok({ data: await updateProject(auth, params.id, body) }),
);

/** Admins only: 204. */
export const DELETE = apiRoute({ params: projectIdParams }, async ({ params, auth }) => {
  await deleteProject(auth, params.id);
  return noContent();
});
