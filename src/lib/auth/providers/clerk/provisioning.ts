import { and, eq, isNull, sql } from "drizzle-orm";
import { memberships, tenants, users } from "@db/schema";
import { audit, inScope, type AuditEvent, type Transaction } from "@/lib/db";
import { ensureUser, findUser } from "../../identity-store";
import { ensureTenant, findTenant, freeSlug, inserted, tenantsOfUser, upsertMembership } from "./directory";
import type { ProvisioningChange } from "./webhook-events";

/**
 * Applies provisioning changes (from Clerk webhooks, ./webhook.ts) inside one transaction. Every write is
 * idempotent; every change that touched a tenant writes an audit_events row in that tenant.
 * Deletions are soft for tenants and users (deleted_at; a tombstone row when the delete arrives
 * first, so a late "created" cannot resurrect them) and hard for memberships (ADR 0052).
 */

export interface AppliedChange {
  action: AuditEvent["action"];
  target: string;
  tenantId?: string;
}

function auditIn(tx: Transaction, event: AuditEvent): Promise<void> {
  return inScope(tx, { tenantId: event.tenantId }, () => audit(tx, event));
}

async function applyOne(tx: Transaction, change: ProvisioningChange, actor: string): Promise<AppliedChange[]> {
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
        await auditIn(tx, {
          tenantId,
          actor,
          action,
          target: row.id,
          metadata: { externalUserId: change.externalUserId },
        });
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
        await inScope(tx, { tenantId }, async () => {
          await tx.delete(memberships).where(eq(memberships.userId, row.id));
          await audit(tx, {
            tenantId,
            actor,
            action: "user.deleted",
            target: row.id,
            metadata: { externalUserId: change.externalUserId },
          });
        });
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
      await auditIn(tx, {
        tenantId: row.id,
        actor,
        action: "tenant.updated",
        target: change.externalOrgId,
        metadata: { name: change.name, slug },
      });
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
      await auditIn(tx, { tenantId, actor, action: "tenant.deleted", target: change.externalOrgId });
      return [{ action: "tenant.deleted", target: change.externalOrgId, tenantId }];
    }
    case "membership.upsert": {
      const [user, tenant] = [await findUser(tx, change.externalUserId), await findTenant(tx, change.externalOrgId)];
      if (!user || !tenant || user.deletedAt || tenant.deletedAt) return [];
      const result = await upsertMembership(tx, { tenantId: tenant.id, userId: user.id, role: change.role }, actor, {
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
      const deleted = await inScope(tx, { tenantId: tenant.id }, async () => {
        const rows = await tx
          .delete(memberships)
          .where(eq(memberships.userId, user.id))
          .returning({ id: memberships.id });
        if (rows.length > 0) {
          await audit(tx, {
            tenantId: tenant.id,
            actor,
            action: "membership.deleted",
            target: user.id,
            metadata: { externalUserId: change.externalUserId },
          });
        }
        return rows.length;
      });
      if (deleted === 0) return [];
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
  tx: Transaction,
  changes: readonly ProvisioningChange[],
  actor: string,
): Promise<AppliedChange[]> {
  const applied: AppliedChange[] = [];
  for (const change of changes) applied.push(...(await applyOne(tx, change, actor)));
  return applied;
}
