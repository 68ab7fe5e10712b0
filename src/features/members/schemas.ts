import { z } from "zod";
import { membershipRole } from "@db/schema";

/** What the API and the members page accept. Pure. Members carry no free text (names come from the identity provider). */

export const MEMBER_ROLES = membershipRole.enumValues;

const userId = z.uuid("Choose a member.");
const role = z.enum(MEMBER_ROLES, { message: `Role must be one of: ${MEMBER_ROLES.join(", ")}.` });

/** Path parameters of /api/v1/members/:userId. A malformed id is a 400 invalid_input. */
export const memberIdParams = z.strictObject({ userId });

/** PATCH /api/v1/members/:userId. */
export const changeMemberRoleInput = z.strictObject({ role });

/** The role form on the members page: which member, and the new role. */
export const changeMemberRoleForm = z.strictObject({ userId, role });
