import "server-only";
import { eq, sql } from "drizzle-orm";
import { auditEvents, projects } from "@db/schema";
import { requireRole, type TenantContext } from "@/lib/auth";
import { withTenant, type TenantTransaction } from "@/lib/db";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { toProject, type Project } from "./project";
import { projectColumns } from "./queries";
import type { CreateProjectInput, UpdateProjectInput } from "./schemas";

// Every mutation writes its audit_events row in the same transaction: both commit or neither does.

type Actor = Pick<TenantContext, "tenantId" | "userId" | "role">;

async function audit(
  tx: TenantTransaction,
  actor: Actor,
  action: string,
  projectId: string,
  metadata: Record<string, unknown>,
): Promise<void> {
  await tx.insert(auditEvents).values({
    tenantId: actor.tenantId,
    actor: actor.userId,
    action,
    target: `project:${projectId}`,
    metadata,
  });
}

function constraintOf(error: unknown): string | undefined {
  for (let current = error; typeof current === "object" && current !== null;) {
    const { code, constraint_name: constraint } = current as { code?: unknown; constraint_name?: unknown };
    if (code === "23505" && typeof constraint === "string") return constraint;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Turns the unique (tenant_id, name) violation into a 409; anything else propagates. */
function rethrowDuplicateName(error: unknown): never {
  if (constraintOf(error) === "projects_tenant_name_unique") {
    throw new ConflictError("A project with this name already exists.", [
      { path: "name", message: "A project with this name already exists." },
    ]);
  }
  throw error;
}

export async function createProject(actor: Actor, input: CreateProjectInput): Promise<Project> {
  try {
    return await withTenant(actor.tenantId, async (tx) => {
      const [row] = await tx
        .insert(projects)
        .values({ tenantId: actor.tenantId, createdBy: actor.userId, ...input })
        .returning(projectColumns);
      await audit(tx, actor, "project.created", row!.id, { name: row!.name, status: row!.status });
      return toProject(row!);
    });
  } catch (error) {
    rethrowDuplicateName(error);
  }
}

export async function updateProject(actor: Actor, id: string, input: UpdateProjectInput): Promise<Project> {
  try {
    return await withTenant(actor.tenantId, async (tx) => {
      const [before] = await tx.select(projectColumns).from(projects).where(eq(projects.id, id)).for("update");
      if (!before) throw new NotFoundError("No project with this id.");
      const [row] = await tx
        .update(projects)
        .set({ ...input, updatedAt: sql`now()` })
        .where(eq(projects.id, id))
        .returning(projectColumns);
      const changes = Object.fromEntries(
        (Object.keys(input) as (keyof UpdateProjectInput)[])
          .filter((field) => input[field] !== undefined && input[field] !== before[field])
          .map((field) => [field, { from: before[field], to: row![field] }]),
      );
      await audit(tx, actor, "project.updated", id, { changes });
      return toProject(row!);
    });
  } catch (error) {
    rethrowDuplicateName(error);
  }
}

/** Admins only (403 role_not_allowed otherwise, checked before looking anything up). */
export async function deleteProject(actor: Actor, id: string): Promise<void> {
  requireRole(actor, "admin");
  await withTenant(actor.tenantId, async (tx) => {
    const [row] = await tx.delete(projects).where(eq(projects.id, id)).returning(projectColumns);
    if (!row) throw new NotFoundError("No project with this id.");
    await audit(tx, actor, "project.deleted", id, { name: row.name });
  });
}
