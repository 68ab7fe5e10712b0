import { and, eq, ne, sql } from "drizzle-orm";
import { memberships, tenants } from "@db/schema";
import { audit, inScope, type Transaction } from "@/lib/db";
import type { Role } from "@db/schema";
import type { IdentityRow } from "../../identity-store";

/**
 * Tenants and memberships as Clerk knows them (organizations and their members), mirrored into our
 * tables by external id. Used by lazy provisioning at sign-in (./session.ts) and by the webhook
 * (./provisioning.ts). Every write is idempotent; every change in a tenant is audited there. Runs
 * as the connecting role (the owner writes tenants); tenant-owned rows are written inside the
 * tenant's scope.
 */

/** Whether an upsert inserted its row (PostgreSQL's xmax is 0 for a fresh insert). */
export const inserted = sql<boolean>`(xmax = 0)`;

export async function findTenant(tx: Transaction, externalOrgId: string): Promise<IdentityRow | undefined> {
  const [row] = await tx
    .select({ id: tenants.id, deletedAt: tenants.deletedAt })
    .from(tenants)
    .where(eq(tenants.externalOrgId, externalOrgId));
  return row;
}

/**
 * A slug for a tenant created from an org id alone (lazy provisioning before the webhook sent the
 * real one): Clerk slugs are lowercase letters, digits and dashes; fall back to the org id.
 */
export function slugFor(slug: string | null | undefined, externalOrgId: string): string {
  const cleaned = (slug ?? "")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return cleaned || externalOrgId.toLowerCase().replace(/[^a-z0-9-]+/g, "-");
}

/** The fallback when a slug is already taken by another tenant: deterministic per org. */
export function disambiguatedSlug(slug: string, externalOrgId: string): string {
  const suffix = externalOrgId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "")
    .slice(-8);
  return `${slug}-${suffix}`;
}

/** A slug no other tenant holds: the wanted one, else a deterministic per-org variant. */
export async function freeSlug(tx: Transaction, wanted: string | null, externalOrgId: string): Promise<string> {
  const slug = slugFor(wanted, externalOrgId);
  const [taken] = await tx
    .select({ id: tenants.id })
    .from(tenants)
    .where(and(eq(tenants.slug, slug), ne(tenants.externalOrgId, externalOrgId)));
  return taken ? disambiguatedSlug(slug, externalOrgId) : slug;
}

/** The tenant, created (and audited) when missing. */
export async function ensureTenant(
  tx: Transaction,
  tenant: { externalOrgId: string; slug: string | null; name: string },
  actor: string,
): Promise<{ row: IdentityRow; created: boolean }> {
  const existing = await findTenant(tx, tenant.externalOrgId);
  if (existing) return { row: existing, created: false };
  const slug = await freeSlug(tx, tenant.slug, tenant.externalOrgId);
  const [created] = await tx
    .insert(tenants)
    .values({ externalOrgId: tenant.externalOrgId, slug, name: tenant.name })
    .onConflictDoNothing({ target: tenants.externalOrgId })
    .returning({ id: tenants.id, deletedAt: tenants.deletedAt });
  if (!created) return { row: (await findTenant(tx, tenant.externalOrgId))!, created: false };
  await inScope(tx, { tenantId: created.id }, () =>
    audit(tx, {
      tenantId: created.id,
      actor,
      action: "tenant.created",
      target: tenant.externalOrgId,
      metadata: { name: tenant.name, slug },
    }),
  );
  return { row: created, created: true };
}

/** Creates or changes the membership to `role` (audited); returns what happened (nothing when already so). */
export async function upsertMembership(
  tx: Transaction,
  membership: { tenantId: string; userId: string; role: Role },
  actor: string,
  metadata: Record<string, unknown> = {},
): Promise<"created" | "role_changed" | null> {
  const { tenantId, userId, role } = membership;
  return inScope(tx, { tenantId }, async () => {
    const [row] = await tx
      .insert(memberships)
      .values({ tenantId, userId, role })
      .onConflictDoUpdate({
        target: [memberships.tenantId, memberships.userId],
        set: { role, updatedAt: sql`now()` },
        setWhere: sql`${memberships.role} <> excluded.role`,
      })
      .returning({ inserted });
    if (!row) return null;
    const change = row.inserted ? "created" : "role_changed";
    await audit(tx, {
      tenantId,
      actor,
      action: `membership.${change}`,
      target: userId,
      metadata: { role, ...metadata },
    });
    return change;
  });
}

/** The ids of the tenants the user is a member of (read through the own-memberships policy). */
export async function tenantsOfUser(tx: Transaction, userId: string): Promise<string[]> {
  const rows = await inScope(tx, { userId }, () =>
    tx.select({ tenantId: memberships.tenantId }).from(memberships).where(eq(memberships.userId, userId)),
  );
  return rows.map((row) => row.tenantId);
}
