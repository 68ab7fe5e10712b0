import "server-only";
import { and, eq, ne, sql } from "drizzle-orm";
import { memberships, users, type Role } from "@db/schema";
import { membersManagedBy, requireRole, withTenant, type Caller } from "@/lib/auth";
import { audit } from "@/lib/db";
import { ConflictError, ForbiddenError, NotFoundError, refuseConstraint } from "@/lib/errors";
import { memberColumns, type Member } from "./queries";

// Admins change roles and remove members. Every change writes its audit row in the same
// transaction. That an organization keeps an admin is PostgreSQL's rule, checked at COMMIT after
// taking the organization's row (migration 0006): two admins demoting each other at the same
// moment cannot both succeed, whatever the timing. Its refusal is the `last_admin` conflict.

function assertManagedHere(): void {
  const managedBy = membersManagedBy();
  if (managedBy)
    throw new ForbiddenError(`Members are managed in the organization settings (${managedBy.name}).`, managedBy.code);
}

const notAMember = () => new NotFoundError("That person is not a member of this organization.", "not_a_member");

/** The database's last-admin refusal as a conflict the forms and the API name; anything else propagates. */
function refuseLastAdmin(error: unknown): never {
  refuseConstraint(error, (constraint) =>
    constraint === "memberships_keep_an_admin"
      ? new ConflictError(
          "An organization needs at least one admin: make another member an admin first.",
          undefined,
          "last_admin",
        )
      : undefined,
  );
}

/** Gives `userId` the role `role` (a no-op when they have it already). Admins only. */
export async function changeMemberRole(caller: Caller, userId: string, role: Role): Promise<Member> {
  assertManagedHere();
  try {
    return await withTenant(caller, async (tx, tenant) => {
      requireRole(tenant, "admin");
      const [changed] = await tx
        .update(memberships)
        .set({ role, updatedAt: sql`now()` })
        .from(users)
        .where(and(eq(memberships.userId, userId), ne(memberships.role, role), eq(users.id, memberships.userId)))
        .returning(memberColumns);
      if (changed) {
        await audit(tx, {
          tenantId: tenant.tenantId,
          actor: tenant.userId,
          action: "membership.role_changed",
          target: userId,
          metadata: { role },
        });
        return changed;
      }
      const [unchanged] = await tx
        .select(memberColumns)
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(eq(memberships.userId, userId));
      if (!unchanged) throw notAMember();
      return unchanged;
    });
  } catch (error) {
    refuseLastAdmin(error);
  }
}

/** Removes `userId` from the organization. Admins only; an admin may remove themselves while another admin remains. */
export async function removeMember(caller: Caller, userId: string): Promise<void> {
  assertManagedHere();
  try {
    await withTenant(caller, async (tx, tenant) => {
      requireRole(tenant, "admin");
      const [removed] = await tx
        .delete(memberships)
        .where(eq(memberships.userId, userId))
        .returning({ userId: memberships.userId });
      if (!removed) throw notAMember();
      await audit(tx, {
        tenantId: tenant.tenantId,
        actor: tenant.userId,
        action: "membership.deleted",
        target: userId,
      });
    });
  } catch (error) {
    refuseLastAdmin(error);
  }
}
