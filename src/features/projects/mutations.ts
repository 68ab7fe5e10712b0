import "server-only";
import { eq, sql } from "drizzle-orm";
import { projects } from "@db/schema";
import { requireRole, withTenant, type Caller } from "@/lib/auth";
import { audit } from "@/lib/db";
import { ConflictError, NotFoundError, refuseConstraint } from "@/lib/errors";
import { projectColumns, toProject, type Project } from "./queries";
import type { CreateProjectInput, UpdateProjectInput } from "./schemas";

// Every mutation writes its audit_events row in the same transaction: both commit or neither does.
// Each is one transaction of five statements: BEGIN, entering the tenant (which verifies the
// caller), the write, its audit row, COMMIT (ADR 0017: BEGIN and the entering leave together).

const target = (projectId: string) => `project:${projectId}`;

/**
 * Turns the unique (tenant_id, name) violation into a 409 naming the field; anything else
 * propagates (and @/lib/errors answers it by its class).
 */
function rethrowDuplicateName(error: unknown): never {
  refuseConstraint(error, (constraint) =>
    constraint === "projects_tenant_name_unique"
      ? new ConflictError("A project with this name already exists.", [
          { path: "name", message: "A project with this name already exists." },
        ])
      : undefined,
  );
}

export async function createProject(caller: Caller, input: CreateProjectInput): Promise<Project> {
  try {
    return await withTenant(caller, async (tx, tenant) => {
      const [row] = await tx
        .insert(projects)
        .values({ tenantId: tenant.tenantId, createdBy: tenant.userId, ...input })
        .returning(projectColumns);
      await audit(tx, {
        tenantId: tenant.tenantId,
        actor: tenant.userId,
        action: "project.created",
        target: target(row!.id),
        metadata: { name: row!.name, status: row!.status },
      });
      return toProject(row!);
    });
  } catch (error) {
    rethrowDuplicateName(error);
  }
}

export async function updateProject(caller: Caller, id: string, input: UpdateProjectInput): Promise<Project> {
  try {
    return await withTenant(caller, async (tx, tenant) => {
      // The row as it was, locked, read by the UPDATE itself (no separate SELECT ... FOR UPDATE).
      const before = tx
        .select({ id: projects.id, name: projects.name, description: projects.description, status: projects.status })
        .from(projects)
        .where(eq(projects.id, id))
        .for("update")
        .as("before");
      const [row] = await tx
        .update(projects)
        .set({ ...input, updatedAt: sql`now()` })
        .from(before)
        .where(eq(projects.id, before.id))
        .returning({
          ...projectColumns,
          before: { name: before.name, description: before.description, status: before.status },
        });
      if (!row) throw new NotFoundError("No project with this id.");
      const { before: was, ...project } = row;
      const changes = Object.fromEntries(
        (Object.keys(input) as (keyof UpdateProjectInput)[])
          .filter((field) => input[field] !== undefined && input[field] !== was[field])
          .map((field) => [field, { from: was[field], to: project[field] }]),
      );
      await audit(tx, {
        tenantId: tenant.tenantId,
        actor: tenant.userId,
        action: "project.updated",
        target: target(id),
        metadata: { changes },
      });
      return toProject(project);
    });
  } catch (error) {
    rethrowDuplicateName(error);
  }
}

/** Admins only (403 role_not_allowed otherwise, checked before anything is written). */
export async function deleteProject(caller: Caller, id: string): Promise<void> {
  await withTenant(caller, async (tx, tenant) => {
    requireRole(tenant, "admin");
    const [row] = await tx.delete(projects).where(eq(projects.id, id)).returning({ name: projects.name });
    if (!row) throw new NotFoundError("No project with this id.");
    await audit(tx, {
      tenantId: tenant.tenantId,
      actor: tenant.userId,
      action: "project.deleted",
      target: target(id),
      metadata: { name: row.name },
    });
  });
}
