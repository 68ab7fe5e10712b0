import { z } from "zod";
import { PROJECT_DESCRIPTION_MAX, PROJECT_NAME_MAX } from "@db/schema/projects";
import { decodeCursor } from "./cursor";

export const PROJECT_STATUSES = ["active", "paused", "archived"] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];
export const PAGE_SIZE_DEFAULT = 20;
export const PAGE_SIZE_MAX = 100;

const name = z
  .string()
  .trim()
  .min(1, "Name is required.")
  .max(PROJECT_NAME_MAX, `Name must be at most ${PROJECT_NAME_MAX} characters.`);
const description = z
  .string()
  .trim()
  .max(PROJECT_DESCRIPTION_MAX, `Description must be at most ${PROJECT_DESCRIPTION_MAX} characters.`);
const status = z.enum(PROJECT_STATUSES, { message: `Status must be one of: ${PROJECT_STATUSES.join(", ")}.` });

/** POST /api/v1/projects. Unknown fields are rejected (a typo must not be silently ignored). */
export const createProjectInput = z.strictObject({
  name,
  description: description.default(""),
  status: status.default("active"),
});
export type CreateProjectInput = z.infer<typeof createProjectInput>;

/** PATCH /api/v1/projects/:id: any subset of the fields, at least one. */
export const updateProjectInput = z
  .strictObject({ name: name.optional(), description: description.optional(), status: status.optional() })
  .refine((value) => Object.values(value).some((field) => field !== undefined), {
    message: "Give at least one of name, description, status.",
  });
export type UpdateProjectInput = z.infer<typeof updateProjectInput>;

/** Path parameters. A malformed id is a 400 invalid_input (docs/database.md, API errors). */
export const projectIdParams = z.strictObject({ id: z.uuid("The id must be a UUID.") });

/** GET /api/v1/projects?limit=&cursor= */
export const listProjectsQuery = z.strictObject({
  limit: z.coerce
    .number("limit must be a number.")
    .int("limit must be a whole number.")
    .min(1, "limit must be at least 1.")
    .max(PAGE_SIZE_MAX, `limit must be at most ${PAGE_SIZE_MAX}.`)
    .default(PAGE_SIZE_DEFAULT),
  cursor: z
    .string()
    .transform((value, ctx) => {
      const cursor = decodeCursor(value);
      if (!cursor) {
        ctx.addIssue({ code: "custom", message: "cursor is not a cursor this API issued." });
        return z.NEVER;
      }
      return cursor;
    })
    .optional(),
});
export type ListProjectsQuery = z.infer<typeof listProjectsQuery>;
