import "server-only";
import { desc, eq, sql } from "drizzle-orm";
import { projects } from "@db/schema";
import { withTenant } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { encodeCursor } from "./cursor";
import { toProject, type Project, type ProjectPage } from "./project";
import type { ListProjectsQuery } from "./schemas";

// No `where tenant_id = …` anywhere below: withTenant runs as slipway_app with app.tenant_id set,
// and row-level security adds that condition to every statement (docs/database.md).

export const projectColumns = {
  id: projects.id,
  name: projects.name,
  description: projects.description,
  status: projects.status,
  createdBy: projects.createdBy,
  createdAt: projects.createdAt,
  updatedAt: projects.updatedAt,
};

/** Newest first, keyset-paginated on (created_at, id). */
export async function listProjects(tenantId: string, query: ListProjectsQuery): Promise<ProjectPage> {
  const rows = await withTenant(tenantId, (tx) =>
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
    data: page.map(toProject),
    nextCursor:
      rows.length > query.limit && last ? encodeCursor({ createdAt: last.cursorCreatedAt, id: last.id }) : null,
  };
}

/** The project, or NotFoundError when it does not exist in this tenant (another tenant's: same). */
export async function getProject(tenantId: string, id: string): Promise<Project> {
  const [row] = await withTenant(tenantId, (tx) => tx.select(projectColumns).from(projects).where(eq(projects.id, id)));
  if (!row) throw new NotFoundError("No project with this id.");
  return toProject(row);
}
