import { and, eq, isNull, ne, sql } from "drizzle-orm";
import { auditEvents, memberships, tenants, users } from "@db/schema";
import type { TenantTransaction } from "@/lib/db";
import type { ProvisioningChange } from "./clerk-webhook-events";
import { disambiguatedSlug, slugFor } from "./clerk-identity";
import type { Role } from "./roles";
import { inTenant, inUser } from "./scoped";

/**
 * Applies provisioning changes (from Clerk webhooks or a first sign-in) inside one transaction.
 * Every write is idempotent; every change that touched a tenant writes an audit_events row in that
 * tenant. Deletions are soft for tenants and users (deleted_at; a tombstone row when the delete
 * arrives first, so a late "created" cannot resurrect them) and hard for memberships.
 */

export interface AppliedChange {
  action: string;
  target: string;
  tenantId?: string;
}

interface Row {
  id: string;
  deletedAt: Date | null;
}

const inserted = sql<boolean>`(xmax = 0)`;

async function audit(
  tx: TenantTransaction,
  tenantId: string,
  actor: string,
  action: string,
  target: string,
  metadata: Record<string, unknown> = {},
): Promise<void> {
  await inTenant(tx, tenantId, () => tx.insert(auditEvents).values({ tenantId, actor, action, target, metadata }));
}

export async function findUser(tx: TenantTransaction, externalUserId: string): Promise<Row | undefined> {
  const [row] = await tx
    .select({ id: users.id, deletedAt: users.deletedAt })
    .from(users)
    .where(eq(users.externalUserId, externalUserId));
  return row;
}

export async function findTenant(tx: TenantTransaction, externalOrgId: string): Promise<Row | undefined> {
  const [row] = await tx
    .select({ id: tenants.id, deletedAt: tenants.deletedAt })
    .from(tenants)
    .where(eq(tenants.externalOrgId, externalOrgId));
  return row;
}

/** The user's tenants, read through the own-memberships policy. */
async function tenantsOfUser(tx: TenantTransaction, userId: string): Promise<string[]> {
  const rows = await inUser(tx, userId, () =>
    tx.select({ tenantId: memberships.tenantId }).from(memberships).where(eq(memberships.userId, userId)),
  );
  return rows.map((row) => row.tenantId);
}

/** A slug no other tenant holds: the wanted one, else a deterministic per-org variant. */
async function freeSlug(tx: TenantTransaction, wanted: string | null, externalOrgId: string): Promise<string> {
  const slug = slugFor(wanted, externalOrgId);
  const [taken] = await tx
    .select({ id: tenants.id })
    .from(tenants)
    .where(and(eq(tenants.slug, slug), ne(tenants.externalOrgId, externalOrgId)));
  return taken ? disambiguatedSlug(slug, externalOrgId) : slug;
}

export async function ensureUser(
  tx: TenantTransaction,
  user: { externalUserId: string; email: string | null; name: string | null },
): Promise<{ row: Row; created: boolean }> {
  const [created] = await tx
    .insert(users)
    .values(user)
    .onConflictDoNothing({ target: users.externalUserId })
    .returning({ id: users.id, deletedAt: users.deletedAt });
  if (created) return { row: created, created: true };
  return { row: (await findUser(tx, user.externalUserId))!, created: false };
}

export async function ensureTenant(
  tx: TenantTransaction,
  tenant: { externalOrgId: string; slug: string | null; name: string },
  actor: string,
): Promise<{ row: Row; created: boolean }> {
  const existing = await findTenant(tx, tenant.externalOrgId);
  if (existing) return { row: existing, created: false };
  const slug = await freeSlug(tx, tenant.slug, tenant.externalOrgId);
  const [created] = await tx
    .insert(tenants)
    .values({ externalOrgId: tenant.externalOrgId, slug, name: tenant.name })
    .onConflictDoNothing({ target: tenants.externalOrgId })
    .returning({ id: tenants.id, deletedAt: tenants.deletedAt });
  if (!created) return { row: (await findTenant(tx, tenant.externalOrgId))!, created: false };
  await audit(tx, created.id, actor, "tenant.created", tenant.externalOrgId, { name: tenant.name, slug });
  return { row: created, created: true };
}

/** Creates or changes the membership to `role`; returns what happened (nothing when already so). */
export async function upsertMembership(
  tx: TenantTransaction,
  tenantId: string,
  userId: string,
  role: Role,
  actor: string,
  metadata: Record<string, unknown> = {},
): Promise<"created" | "role_changed" | null> {
  const [row] = await inTenant(tx, tenantId, () =>
    tx
      .insert(memberships)
      .values({ tenantId, userId, role })
      .onConflictDoUpdate({
        target: [memberships.tenantId, memberships.userId],
        set: { role, updatedAt: sql`now()` },
        setWhere: sql`${memberships.role} <> excluded.role`,
      })
      .returning({ inserted }),
  );
  if (!row) return null;
  const action = row.inserted ? "created" : "role_changed";
  await audit(tx, tenantId, actor, `membership.${action}`, userId, { role, ...metadata });
  return action;
}

async function applyOne(tx: TenantTransaction, change: ProvisioningChange, actor: string): Promise<AppliedChange[]> {
  switch (change.kind) {
    case "user.ensure": {
      const { created } = await ensureUser(tx, change);
      return created ? [{ action: "user.created", target: change.externalUserId }] : [];
    }
    case "user.upsert": {
      const [row] = await tx
        .insert(users)
        .values({ externalUserId: change.externalUserId, email: change.email, name: change.name })
        .onConflictDoUpdate({
          target: users.externalUserId,
          set: { email: change.email, name: change.name, updatedAt: sql`now()` },
          setWhere: sql`${users.deletedAt} is null and (${users.email} is distinct from excluded.email or ${users.name} is distinct from excluded.name)`,
        })
        .returning({ id: users.id, inserted });
      if (!row) return [];
      const action = row.inserted ? "user.created" : "user.updated";
      const applied: AppliedChange[] = [{ action, target: change.externalUserId }];
      for (const tenantId of await tenantsOfUser(tx, row.id)) {
        await audit(tx, tenantId, actor, action, row.id, { externalUserId: change.externalUserId });
        applied.push({ action, target: change.externalUserId, tenantId });
      }
      return applied;
    }
    case "user.delete": {
      const [row] = await tx
        .insert(users)
        .values({ externalUserId: change.externalUserId, deletedAt: sql`now()` })
        .onConflictDoUpdate({
          target: users.externalUserId,
          set: { deletedAt: sql`now()`, updatedAt: sql`now()` },
          setWhere: isNull(users.deletedAt),
        })
        .returning({ id: users.id });
      if (!row) return [];
      const applied: AppliedChange[] = [{ action: "user.deleted", target: change.externalUserId }];
      for (const tenantId of await tenantsOfUser(tx, row.id)) {
        await inTenant(tx, tenantId, () => tx.delete(memberships).where(eq(memberships.userId, row.id)));
        await audit(tx, tenantId, actor, "user.deleted", row.id, { externalUserId: change.externalUserId });
        applied.push({ action: "membership.deleted", target: change.externalUserId, tenantId });
      }
      return applied;
    }
    case "tenant.ensure": {
      const { row, created } = await ensureTenant(tx, change, actor);
      return created ? [{ action: "tenant.created", target: change.externalOrgId, tenantId: row.id }] : [];
    }
    case "tenant.upsert": {
      const existing = await findTenant(tx, change.externalOrgId);
      if (!existing) {
        const { row, created } = await ensureTenant(tx, change, actor);
        return created ? [{ action: "tenant.created", target: change.externalOrgId, tenantId: row.id }] : [];
      }
      if (existing.deletedAt) return [];
      const slug = await freeSlug(tx, change.slug, change.externalOrgId);
      const [row] = await tx
        .update(tenants)
        .set({ name: change.name, slug, updatedAt: sql`now()` })
        .where(
          and(
            eq(tenants.id, existing.id),
            sql`(${tenants.name} is distinct from ${change.name} or ${tenants.slug} is distinct from ${slug})`,
          ),
        )
        .returning({ id: tenants.id });
      if (!row) return [];
      await audit(tx, row.id, actor, "tenant.updated", change.externalOrgId, { name: change.name, slug });
      return [{ action: "tenant.updated", target: change.externalOrgId, tenantId: row.id }];
    }
    case "tenant.delete": {
      const existing = await findTenant(tx, change.externalOrgId);
      if (existing?.deletedAt) return [];
      let tenantId = existing?.id;
      if (tenantId) {
        await tx
          .update(tenants)
          .set({ deletedAt: sql`now()`, updatedAt: sql`now()` })
          .where(eq(tenants.id, tenantId));
      } else {
        // Deleted before we heard of it: a tombstone, so a late organization.created stays deleted.
        const slug = await freeSlug(tx, null, change.externalOrgId);
        const [row] = await tx
          .insert(tenants)
          .values({ externalOrgId: change.externalOrgId, slug, name: change.externalOrgId, deletedAt: sql`now()` })
          .returning({ id: tenants.id });
        tenantId = row!.id;
      }
      await audit(tx, tenantId, actor, "tenant.deleted", change.externalOrgId);
      return [{ action: "tenant.deleted", target: change.externalOrgId, tenantId }];
    }
    case "membership.upsert": {
      const [user, tenant] = [await findUser(tx, change.externalUserId), await findTenant(tx, change.externalOrgId)];
      if (!user || !tenant || user.deletedAt || tenant.deletedAt) return [];
      const result = await upsertMembership(tx, tenant.id, user.id, change.role, actor, {
        externalUserId: change.externalUserId,
      });
      return result
        ? [
            {
              action: `membership.${result}`,
              target: `${change.externalOrgId}/${change.externalUserId}`,
              tenantId: tenant.id,
            },
          ]
        : [];
    }
    case "membership.delete": {
      const [user, tenant] = [await findUser(tx, change.externalUserId), await findTenant(tx, change.externalOrgId)];
      if (!user || !tenant) return [];
      const deleted = await inTenant(tx, tenant.id, () =>
        tx.delete(memberships).where(eq(memberships.userId, user.id)).returning({ id: memberships.id }),
      );
      if (deleted.length === 0) return [];
      await audit(tx, tenant.id, actor, "membership.deleted", user.id, { externalUserId: change.externalUserId });
      return [
        {
          action: "membership.deleted",
          target: `${change.externalOrgId}/${change.externalUserId}`,
          tenantId: tenant.id,
        },
      ];
    }
  }
}

/** Applies changes in order within `tx`; returns what actually changed. */
export async function applyProvisioningChanges(
  tx: TenantTransaction,
  changes: readonly ProvisioningChange[],
  actor: string,
): Promise<AppliedChange[]> {
  const applied: AppliedChange[] = [];
  for (const change of changes) applied.push(...(await applyOne(tx, change, actor)));
  return applied;
}
