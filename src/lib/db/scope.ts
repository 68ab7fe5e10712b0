import { sql } from "drizzle-orm";
import { auditEvents, type AuditAction, type Role } from "@db/schema";
import { timeDatabase } from "@/lib/observability";
import { getDb, type Database } from "./pool";

export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * Who row-level security lets a statement see: `tenantId` (app.tenant_id) scopes tenant-owned
 * rows, `userId` (app.user_id) lets a user read their own memberships across tenants, and
 * `sessionId` is the caller's session, checked against revoked_sessions.
 */
export interface Scope {
  tenantId?: string | null;
  userId?: string | null;
  sessionId?: string | null;
}

/** What entering a scope with a user learned about them (see migration 0004). */
export interface ScopeVerification {
  userName: string | null;
  userEmail: string | null;
  /** Null when the tenant does not exist or is deleted. */
  tenantId: string | null;
  tenantName: string | null;
  tenantSlug: string | null;
  /** Null when the user is not a member of the tenant. */
  role: Role | null;
}

/**
 * THE role switch: one statement (the slipway_enter_scope function, migration 0004) sets the scope,
 * becomes the application role for the rest of the transaction (transaction-local, so safe behind
 * PgBouncer in transaction mode) and, given a user, verifies them under row-level security. Every
 * tenant query runs after it, as slipway_app. Undefined when the user is unknown, deleted or the
 * session revoked (or no user was given).
 */
export async function enterScope(tx: Transaction, scope: Scope): Promise<ScopeVerification | undefined> {
  const rows = await tx.execute<{
    user_name: string | null;
    user_email: string | null;
    tenant_id: string | null;
    tenant_name: string | null;
    tenant_slug: string | null;
    role: Role | null;
  }>(
    sql`select * from slipway_enter_scope(${scope.tenantId ?? null}, ${scope.userId ?? null}, ${scope.sessionId ?? null})`,
  );
  const row = rows[0];
  return row
    ? {
        userName: row.user_name,
        userEmail: row.user_email,
        tenantId: row.tenant_id,
        tenantName: row.tenant_name,
        tenantSlug: row.tenant_slug,
        role: row.role,
      }
    : undefined;
}

/**
 * Runs `fn` inside `scope` within an open transaction that otherwise runs as the connecting role
 * (provisioning writes tenants and users, which only the owner may, and audit rows, which go
 * through RLS), then returns to the connecting role with no scope.
 *
 * What runs here mirrors the identity provider (Clerk's webhooks and session tokens), which owns
 * memberships in Clerk mode: app.identity_provider_sync tells the last-admin rule (migration 0006)
 * not to refuse its changes. It stays on until the transaction ends: the rule is checked at
 * COMMIT, after `fn` has returned, and must still see it then.
 */
export async function inScope<T>(tx: Transaction, scope: Scope, fn: () => Promise<T>): Promise<T> {
  await enterScope(tx, { tenantId: scope.tenantId, userId: scope.userId });
  await tx.execute(sql`select set_config('app.identity_provider_sync', 'on', true)`);
  const result = await fn();
  await tx.execute(
    sql`select set_config('role', 'none', true), set_config('app.tenant_id', '', true), set_config('app.user_id', '', true)`,
  );
  return result;
}

/** A transaction as the application role within `scope` (for code that already trusts its scope). */
export function withScope<T>(scope: Scope, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  return timeDatabase(() =>
    getDb().transaction(async (tx) => {
      await enterScope(tx, { tenantId: scope.tenantId, userId: scope.userId });
      return fn(tx);
    }),
  );
}

/**
 * THE system scope: a transaction as the connecting role with no tenant and no user, for trusted
 * work that belongs to no tenant (scheduled maintenance: purging expired rows, retention). It may
 * touch every tenant's rows, so nothing a tenant sends ever runs in it.
 */
export function withSystemScope<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
  return timeDatabase(() => getDb().transaction(fn));
}

export interface AuditEvent {
  tenantId: string;
  /** Internal user id, or a system actor such as "clerk-webhook". */
  actor: string;
  action: AuditAction;
  target: string;
  metadata?: Record<string, unknown>;
}

/**
 * Appends to the tenant's audit log inside `tx`, so the change and its record commit together.
 * `tx` must be in the event's tenant scope (audit_events is append-only under RLS).
 */
export async function audit(tx: Transaction, event: AuditEvent): Promise<void> {
  await tx.insert(auditEvents).values({ ...event, metadata: event.metadata ?? {} });
}
