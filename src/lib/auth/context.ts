import { cookies } from "next/headers";
import { sql } from "drizzle-orm";
import { getEnv } from "@/lib/env";
import { ForbiddenError, UnauthorizedError } from "@/lib/errors";
import { withTenant } from "@/lib/db";
import { LOCAL_SESSION_COOKIE, verifyLocalSessionToken } from "./local-session";

export type Role = "admin" | "member";

/** Who is asking, in internal ids. tenantId/role are null until a tenant is selected. */
export interface AuthContext {
  userId: string;
  tenantId: string | null;
  role: Role | null;
}

export interface TenantContext {
  userId: string;
  tenantId: string;
  role: Role;
}

function sessionSecret(): string {
  const secret = getEnv().SESSION_SECRET;
  if (!secret) throw new Error("SESSION_SECRET is not set (required for local auth mode)");
  return secret;
}

async function roleIn(tenantId: string, userId: string): Promise<Role | null> {
  const rows = await withTenant(tenantId, (tx) =>
    tx.execute<{ role: Role }>(sql`select role from memberships where user_id = ${userId} limit 1`),
  );
  return rows[0]?.role ?? null;
}

/** The signed-in user and active tenant, or null when signed out. */
export async function getAuthContext(): Promise<AuthContext | null> {
  const token = (await cookies()).get(LOCAL_SESSION_COOKIE)?.value;
  const session = await verifyLocalSessionToken(token, sessionSecret());
  if (!session) return null;
  const role = session.tenantId ? await roleIn(session.tenantId, session.userId) : null;
  return { userId: session.userId, tenantId: role ? session.tenantId! : null, role };
}

/** For API routes and actions: the tenant context, or 401 (signed out) / 403 (no active tenant). */
export async function requireTenant(): Promise<TenantContext> {
  const context = await getAuthContext();
  if (!context) throw new UnauthorizedError();
  if (!context.tenantId || !context.role) {
    throw new ForbiddenError("Select an organization to continue.", "no_active_tenant");
  }
  return { userId: context.userId, tenantId: context.tenantId, role: context.role };
}

export function requireRole(context: TenantContext, role: Role): void {
  if (role === "admin" && context.role !== "admin") {
    throw new ForbiddenError("Only an admin of this organization can do this.", "role_not_allowed");
  }
}
