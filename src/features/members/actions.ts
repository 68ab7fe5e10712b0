"use server";

import { revalidatePath } from "next/cache";
import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { membershipRole, memberships } from "@db/schema";
import { requireRole, requireTenantSession, withTenant } from "@/lib/auth";
import { audit } from "@/lib/db";
import { ConflictError, ForbiddenError } from "@/lib/errors";
import { formAction } from "@/lib/forms";
import { membersManagedInApp } from "@/features/auth";
import { membersIn } from "./queries";
import { refuseMemberChange, type MemberChange } from "./rules";

/**
 * Admins change roles and remove members (local mode). In Clerk mode Clerk owns memberships (a
 * change here would be overwritten by the next session token or webhook), so it is refused.
 */
async function manageMember(userId: string, change: MemberChange): Promise<void> {
  if (!membersManagedInApp()) {
    throw new ForbiddenError("Members are managed in the organization settings (Clerk).", "managed_by_clerk");
  }
  await withTenant(await requireTenantSession(), async (tx, tenant) => {
    requireRole(tenant, "admin");
    const refusal = refuseMemberChange(await membersIn(tx), userId, change);
    if (refusal) throw new ConflictError(refusal.message, undefined, refusal.code);
    const membership = and(eq(memberships.tenantId, tenant.tenantId), eq(memberships.userId, userId));
    if (change.kind === "remove") await tx.delete(memberships).where(membership);
    else
      await tx
        .update(memberships)
        .set({ role: change.role, updatedAt: sql`now()` })
        .where(membership);
    await audit(tx, {
      tenantId: tenant.tenantId,
      actor: tenant.userId,
      action: change.kind === "remove" ? "membership.deleted" : "membership.role_changed",
      target: userId,
      metadata: change.kind === "remove" ? {} : { role: change.role },
    });
  });
  revalidatePath("/members");
}

const member = z.uuid("Choose a member.");

export const changeMemberRole = formAction(
  z.object({ userId: member, role: z.enum(membershipRole.enumValues, { message: "Choose a role." }) }),
  async ({ userId, role }) => {
    await manageMember(userId, { kind: "set-role", role });
    return { status: "success", message: "Role saved." };
  },
  { keepValues: false },
);

export const removeMember = formAction(
  z.object({ userId: member }),
  async ({ userId }) => {
    await manageMember(userId, { kind: "remove" });
    return { status: "success", message: "Member removed." };
  },
  { keepValues: false },
);
