import { eq } from "drizzle-orm";
import { memberships } from "@db/schema";
import { getDb } from "@/lib/db";
import type { ClerkIdentity } from "./clerk-identity";
import { ensureTenant, ensureUser, findTenant, findUser, upsertMembership } from "./provisioning";
import { inTenant } from "./scoped";
import type { AuthContext } from "./types";

const ACTOR = "clerk-session";

/**
 * Clerk ids -> internal ids. A verified session token is trusted to say who the user is, which
 * organization is active and the user's role in it (tokens live 60 seconds, so the role is at most
 * that stale). Rows missing because the webhook has not arrived yet are provisioned from the token
 * (lazy provisioning; the webhook later fills in names and email). A soft-deleted user is signed
 * out; a soft-deleted organization is no active tenant.
 */
export async function resolveClerkIdentity(identity: ClerkIdentity): Promise<AuthContext | null> {
  return getDb().transaction(async (tx) => {
    const user =
      (await findUser(tx, identity.externalUserId)) ??
      (await ensureUser(tx, { externalUserId: identity.externalUserId, email: null, name: null })).row;
    if (user.deletedAt) return null;
    const org = identity.organization;
    if (!org) return { userId: user.id, tenantId: null, role: null };

    const tenant =
      (await findTenant(tx, org.externalOrgId)) ??
      (
        await ensureTenant(
          tx,
          { externalOrgId: org.externalOrgId, slug: org.slug, name: org.slug ?? org.externalOrgId },
          ACTOR,
        )
      ).row;
    if (tenant.deletedAt) return { userId: user.id, tenantId: null, role: null };

    const [current] = await inTenant(tx, tenant.id, () =>
      tx.select({ role: memberships.role }).from(memberships).where(eq(memberships.userId, user.id)),
    );
    if (current?.role !== org.role) {
      await upsertMembership(tx, tenant.id, user.id, org.role, ACTOR, { source: "session token" });
    }
    return { userId: user.id, tenantId: tenant.id, role: org.role };
  });
}
