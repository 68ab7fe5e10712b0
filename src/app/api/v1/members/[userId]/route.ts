import { changeMemberRole, changeMemberRoleInput, memberIdParams, removeMember } from "@/features/members";
import { apiRoute, noContent, ok } from "@/lib/http";

/** Admins only: change a member's role, `{ data }`; 409 last_admin when that would leave no admin. */
export const PATCH = apiRoute(
  { params: memberIdParams, body: changeMemberRoleInput },
  async ({ params, body, session }) => ok({ data: await changeMemberRole(session, params.userId, body.role) }),
);

/** Admins only: remove a member, 204; 409 last_admin when that would leave no admin. */
export const DELETE = apiRoute({ params: memberIdParams }, async ({ params, session }) => {
  await removeMember(session, params.userId);
  return noContent();
});
