import { sql } from "drizzle-orm";
// Deep import on purpose: database-timing is plain Node (no `server-only`), so scripts that use
// withTenant under tsx keep working.
import { timeDatabase } from "@/lib/observability/database-timing";
import { getDb, type Database } from "./client";

/** The non-owner, non-superuser role tenant queries run as (created by migration 0001). */
export const APP_ROLE = "slipway_app";

export type TenantTransaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * Runs `fn` in one transaction as the application role with `app.tenant_id` set, so row-level
 * security limits every statement to this tenant. Both settings are transaction-local (safe
 * behind PgBouncer in transaction mode).
 */
export async function withTenant<T>(tenantId: string, fn: (tx: TenantTransaction) => Promise<T>): Promise<T> {
  return timeDatabase(() =>
    getDb().transaction(async (tx) => {
      await tx.execute(sql`select set_config('app.tenant_id', ${tenantId}, true)`);
      await tx.execute(sql.raw(`set local role ${APP_ROLE}`));
      return fn(tx);
    }),
  );
}

/**
 * Runs `fn` as the application role with only `app.user_id` set: the user's own memberships
 * (in every tenant) and those tenants are readable, tenant data is not. For choosing a tenant
 * (organization switcher) before one is active.
 */
export async function withUser<T>(userId: string, fn: (tx: TenantTransaction) => Promise<T>): Promise<T> {
  return timeDatabase(() =>
    getDb().transaction(async (tx) => {
      await tx.execute(sql`select set_config('app.user_id', ${userId}, true)`);
      await tx.execute(sql.raw(`set local role ${APP_ROLE}`));
      return fn(tx);
    }),
  );
}
