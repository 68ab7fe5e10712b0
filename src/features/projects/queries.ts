import "server-only";
import { desc, eq, sql } from "drizzle-orm";
import { projects } from "@db/schema";
import { withTenant, type Caller } from "@/lib/auth";
import { NotFoundError } from "@/lib/errors";
import { encodeCursor, projectIdParams, type ListProjectsQuery } from "./schemas";

// No `where tenant_id = …` anywhere below: withTenant runs as slipway_app with app.tenant_id set,
// and row-level security adds that condition to every statement (docs/database.md).

type ProjectRow = typeof projects.$inferSelect;

/** A project as the API and pages see it: the row without its tenant (implicit), times as ISO strings. */
export type Project = Omit<ProjectRow, "tenantId" | "createdAt" | "updatedAt"> & {
  createdAt: string;
  updatedAt: string;
};

export interface ProjectPage {
  data: Project[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

export const projectColumns = {
  id: projects.id,
  name: projects.name,
  description: projects.description,
  status: projects.status,
  createdBy: projects.createdBy,
  createdAt: projects.createdAt,
  updatedAt: projects.updatedAt,
};

export function toProject({ createdAt, updatedAt, ...row }: Omit<ProjectRow, "tenantId">): Project {
  return { ...row, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
}

/** Newest first, keyset-paginated on (created_at, id). */
export async function listProjects(caller: Caller, query: ListProjectsQuery): Promise<ProjectPage> {
  const rows = await withTenant(caller, (tx) =>
    tx
      .select({
        ...projectColumns,
        cursorCreatedAt: sql<string>`to_char(${projects.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
      })
      .from(projects)
      .where(
        query.cursor
          ? sql`(${projects.createdAt}, ${projects.id}) < (${query.cursor.createdAt}::timestamptz, ${query.cursor.id}::uuid)`
          : undefined,
      )
      .orderBy(desc(projects.createdAt), desc(projects.id))
      .limit(query.limit + 1),
  );
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    data: page.map(({ cursorCreatedAt: _cursor, ...row }) => toProject(row)),
    nextCursor:
      rows.length > query.limit && last ? encodeCursor({ createdAt: last.cursorCreatedAt, id: last.id }) : null,
  };
}

/** The project, or NotFoundError when it does not exist in this tenant (another tenant's: same). */
export async function getProject(caller: Caller, id: string): Promise<Project> {
  const [row] = await withTenant(caller, (tx) => tx.select(projectColumns).from(projects).where(eq(projects.id, id)));
  if (!row) throw new NotFoundError("No project with this id.");
  return toProject(row);
}

/** For pages: the project, or null when the id is malformed or names no project of this tenant. */
export async function findProjectForPage(caller: Caller, id: string): Promise<Project | null> {
  if (!projectIdParams.safeParse({ id }).success) return null;
  return getProject(caller, id).catch((error: unknown) => {
    if (error instanceof NotFoundError) return null;
    throw error;
  });
}
