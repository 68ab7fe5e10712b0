import { sql } from "drizzle-orm";
import { APP_ROLE, type TenantTransaction } from "@/lib/db";

/**
 * Row-level-security scopes inside a transaction that otherwise runs as the connecting role
 * (tenants, users and webhook_events are not tenant-owned). Tenant-owned tables (memberships,
 * audit_events) are only touched through these, as the application role, so RLS applies exactly
 * as it does for `withTenant`.
 */

async function asAppRole<T>(tx: TenantTransaction, setting: string, value: string, fn: () => Promise<T>): Promise<T> {
  await tx.execute(sql`select set_config(${setting}, ${value}, true)`);
  await tx.execute(sql.raw(`set local role ${APP_ROLE}`));
  const result = await fn();
  // Back to the connecting role for the rest of the transaction (an error aborts it anyway).
  await tx.execute(sql.raw("reset role"));
  await tx.execute(sql`select set_config(${setting}, '', true)`);
  return result;
}

/** Runs `fn` with `app.tenant_id` set and the application role, inside an open transaction. */
export function inTenant<T>(tx: TenantTransaction, tenantId: string, fn: () => Promise<T>): Promise<T> {
  return asAppRole(tx, "app.tenant_id", tenantId, fn);
}

/**
 * Runs `fn` with `app.user_id` set and the application role: the memberships policy
 * `memberships_own_rows` lets a user read their own memberships across tenants (and nothing else).
 */
export function inUser<T>(tx: TenantTransaction, userId: string, fn: () => Promise<T>): Promise<T> {
  return asAppRole(tx, "app.user_id", userId, fn);
}
