import { z } from "zod";
import { INVITATION_EMAIL_MAX, membershipRole } from "@db/schema";

/** What the API and the pages accept for invitations. Pure. */

export const INVITATION_ROLES = membershipRole.enumValues;

const email = z
  .string({ message: "Give an email address." })
  .trim()
  .max(INVITATION_EMAIL_MAX, `An email address has at most ${INVITATION_EMAIL_MAX} characters.`)
  .pipe(z.email("Give a valid email address."))
  .transform((value) => value.toLowerCase());
const role = z.enum(INVITATION_ROLES, { message: `Role must be one of: ${INVITATION_ROLES.join(", ")}.` });

/** POST /api/v1/invitations and the invite form. */
export const createInvitationInput = z.strictObject({ email, role });
export type CreateInvitationInput = z.infer<typeof createInvitationInput>;

/** DELETE /api/v1/invitations/:id and the revoke button. */
export const invitationIdParams = z.strictObject({ id: z.uuid("The id must be a UUID.") });

/** A link's token: three base64url parts (a JWT); its signature is checked by ./token.ts. */
const token = z
  .string({ message: "The invitation link is incomplete." })
  .trim()
  .regex(/^[\w-]+\.[\w-]+\.[\w-]+$/, "The invitation link is incomplete or damaged.")
  .max(2048, "The invitation link is incomplete or damaged.");

/** POST /api/v1/invitations/accept (a signed-in user). */
export const acceptInvitationInput = z.strictObject({ token });

/** The accept page's form: a signed-in user sends the token; a new local user also their name. */
export const acceptInvitationForm = z.strictObject({
  token,
  name: z
    .string()
    .trim()
    .max(100, "A name has at most 100 characters.")
    .refine((value) => !value.includes("\u0000"), "Text must not contain NUL characters.")
    .optional(),
});
