import { z } from "zod";
import { PROJECT_DESCRIPTION_MAX, PROJECT_NAME_MAX, projectStatus } from "@db/schema";
import { text } from "@/lib/text";

/** What the API and the pages accept for projects, and the opaque pagination cursor. Pure. */

export const PROJECT_STATUSES = projectStatus.enumValues;
export const PAGE_SIZE_DEFAULT = 20;
const PAGE_SIZE_MAX = 100;

// Normalized (NFC, trimmed), refused with a message when it holds control or text-direction
// characters or nothing visible, counted in characters as people see them: @/lib/text.
const name = text({ label: "Name", max: PROJECT_NAME_MAX, required: true });
const description = text({ label: "Description", max: PROJECT_DESCRIPTION_MAX, multiline: true });
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

const projectId = z.uuid("The id must be a UUID.");

/** Path parameters. A malformed id is a 400 invalid_input (docs/database.md, API errors). */
export const projectIdParams = z.strictObject({ id: projectId });

/** The edit form: every field, and which project. */
export const editProjectForm = z.strictObject({ id: projectId, name, description, status });

// ---- Keyset pagination cursor ---------------------------------------------------------------
// The (created_at, id) of the last row on a page, as opaque base64url JSON. created_at keeps
// PostgreSQL's microseconds (a JS Date would drop them and skip or repeat rows that share a
// millisecond).

export interface ProjectCursor {
  createdAt: string;
  id: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

const cursorPayload = z.strictObject({
  t: z.string().regex(TIMESTAMP),
  i: z.uuid(),
});

export function encodeCursor(cursor: ProjectCursor): string {
  return Buffer.from(JSON.stringify({ t: cursor.createdAt, i: cursor.id })).toString("base64url");
}

/** A real calendar instant ("2026-02-30T…" parses in JavaScript but PostgreSQL refuses it). */
function isRealTimestamp(value: string): boolean {
  const parsed = new Date(value);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 23) === value.slice(0, 23);
}

/** The cursor, or null when `value` is not one we issued (tampered, truncated, another format). */
export function decodeCursor(value: string): ProjectCursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) return null;
  try {
    const parsed = cursorPayload.safeParse(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
    if (!parsed.success || !isRealTimestamp(parsed.data.t)) return null;
    return { createdAt: parsed.data.t, id: parsed.data.i };
  } catch {
    return null;
  }
}

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
