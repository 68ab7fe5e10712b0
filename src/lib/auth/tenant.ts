import { cache } from "react";
import { redirect } from "next/navigation";
import { and, asc, eq, isNull } from "drizzle-orm";
import { memberships, tenants } from "@db/schema";
import { enterScope, getDb, retriedTransaction, type Transaction } from "@/lib/db";
import { ForbiddenError, toAppError, UnauthorizedError } from "@/lib/errors";
import { identifyRequest, markErrorArea, timeDatabase } from "@/lib/observability";
import type { Role } from "@db/schema";
import type { Session } from "./provider";
import { identityProvider } from "./providers";
import { rememberRejected } from "./rejected-sessions";
import { SELECT_ORGANIZATION_PATH, SIGN_IN_PATH } from "./route-access";
import { getSession } from "./session";

/** Who is asking, verified against the database, in internal ids. */
export interface AuthContext {
  readonly verified: true;
  userId: string;
  user: { name: string | null; email: string | null };
  /** Null until an organization is selected (or when the selected one is gone). */
  tenantId: string | null;
  tenant: { name: string; slug: string } | null;
  role: Role | null;
}

/** A verified caller with an active tenant: what tenant-scoped code runs as. */
export interface TenantContext extends AuthContext {
  tenantId: string;
  tenant: { name: string; slug: string };
  role: Role;
}

/** An organization the user belongs to (local mode's organization switcher). */
export interface Organization {
  tenantId: string;
  name: string;
  role: Role;
}

/**
 * What tenant-scoped feature code takes: the request's session (verified inside the feature's
 * transaction) or a context this request already verified (pages, after requirePageTenant()).
 */
export type Caller = Session | TenantContext;

/** The user's organizations, by name (read in the user's scope through the own-memberships policy). */
async function organizationsOf(tx: Transaction, userId: string): Promise<Organization[]> {
  return tx
    .select({ tenantId: memberships.tenantId, name: tenants.name, role: memberships.role })
    .from(memberships)
    .innerJoin(tenants, and(eq(tenants.id, memberships.tenantId), isNull(tenants.deletedAt)))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(tenants.name));
}

/**
 * Enters the caller's scope in `tx` and verifies them, in ONE statement (enterScope): the whole
 * cost of authentication and authorization for a request, in the transaction its query uses. The
 * identity provider names the internal ids first (Clerk maps its ids, cached, provisioning them on
 * first sign-in) and may then bring the membership's role in line with its own (Clerk's token is
 * authoritative). Null when the caller is signed out (unknown or deleted user, revoked session).
 */
async function enterAs(
  tx: Transaction,
  session: Session,
  withOrganizations = false,
): Promise<(AuthContext & { organizations?: Organization[] }) | null> {
  try {
    return await verifyCaller(tx, session, withOrganizations);
  } catch (error) {
    // An unexpected failure here (not an outage, not a refusal) means nobody can sign in: P0.
    throw toAppError(error) ? error : markErrorArea(error, "auth");
  }
}

async function verifyCaller(
  tx: Transaction,
  session: Session,
  withOrganizations: boolean,
): Promise<(AuthContext & { organizations?: Organization[] }) | null> {
  const provider = identityProvider();
  const ids = await provider.callerIds(tx, session);
  let row = await enterScope(tx, ids);
  if (!row) {
    // Refused (revoked, or an unknown user): the same session is signed out at once for a while.
    rememberRejected(session.rejectionKey);
    return null;
  }
  if (provider.reconcileRole && row.tenantId) {
    const role = await provider.reconcileRole(tx, session, {
      userId: ids.userId,
      tenantId: row.tenantId,
      role: row.role,
    });
    if (role) {
      // The provider wrote in the tenant's scope: back to the caller's.
      await enterScope(tx, ids);
      row = { ...row, role };
    }
  }
  const member = Boolean(row.tenantId && row.role);
  const context: AuthContext & { organizations?: Organization[] } = {
    verified: true,
    userId: ids.userId,
    user: { name: row.userName, email: row.userEmail },
    tenantId: member ? row.tenantId : null,
    tenant: member ? { name: row.tenantName!, slug: row.tenantSlug! } : null,
    role: member ? row.role : null,
    ...(withOrganizations ? { organizations: await organizationsOf(tx, ids.userId) } : {}),
  };
  identifyRequest(context);
  return context;
}

function asTenantContext(context: AuthContext | null): TenantContext {
  if (!context) throw new UnauthorizedError();
  if (!context.tenantId || !context.role) {
    throw new ForbiddenError("Select an organization to continue.", "no_active_tenant");
  }
  return context as TenantContext;
}

/**
 * Runs `fn` in one transaction as the application role, scoped to the caller's tenant, so
 * row-level security limits every statement to it. A session is verified first, in the same
 * transaction (401 when signed out, 403 no_active_tenant without a membership), and `fn` runs
 * once that verification has answered; a context this request already verified is only scoped,
 * in the same round trip as `fn`'s first statements (ADR 0017). A transaction PostgreSQL ended for
 * a conflict with a concurrent one (serialization failure, deadlock) runs again, a bounded number
 * of times, so `fn` must do nothing outside it.
 */
export function withTenant<T>(caller: Caller, fn: (tx: Transaction, tenant: TenantContext) => Promise<T>): Promise<T> {
  return retriedTransaction(async (tx) => {
    if ("verified" in caller) {
      // Sent with fn's first statements (the transaction pipelines them): a failure to enter aborts
      // the transaction, so none of them runs outside the scope, and the transaction reports it.
      enterScope(tx, caller).catch(() => {});
      return fn(tx, caller);
    }
    return fn(tx, asTenantContext(await enterAs(tx, caller)));
  });
}

/** For pages: the verified caller and their organizations, or null when signed out. Once per request. */
export const getAuthContext = cache(async () => {
  const session = await getSession();
  if (!session) return null;
  return timeDatabase(() => getDb().transaction((tx) => enterAs(tx, session, true)));
});

/** For the API: the verified caller (tenant optional), or 401. */
export async function requireAuthContext(): Promise<AuthContext> {
  const session = await getSession();
  const context = session ? await timeDatabase(() => getDb().transaction((tx) => enterAs(tx, session))) : null;
  if (!context) throw new UnauthorizedError();
  return context;
}

/** For pages: the verified tenant context, or a redirect to sign-in / organization selection. */
export async function requirePageTenant(): Promise<TenantContext> {
  const context = await getAuthContext();
  if (!context) redirect(SIGN_IN_PATH);
  if (!context.tenantId) redirect(SELECT_ORGANIZATION_PATH);
  return context as TenantContext;
}

/** For pages that need a signed-in user but no tenant (organization selection). */
export async function requirePageUser(): Promise<AuthContext & { organizations?: Organization[] }> {
  const context = await getAuthContext();
  if (!context) redirect(SIGN_IN_PATH);
  return context;
}

/** Whether `actual` grants what `required` needs: an admin may do everything a member may. */
export function hasRole(actual: Role, required: Role): boolean {
  return required === "member" || actual === "admin";
}

/** 403 unless the caller's role in the active tenant is at least `role`. Server-side, every time. */
export function requireRole(context: Pick<TenantContext, "role">, role: Role): void {
  if (!hasRole(context.role, role)) {
    throw new ForbiddenError("Only an admin of this organization can do this.", "role_not_allowed");
  }
}
