import { cache } from "react";
import { redirect } from "next/navigation";
import { getAuthMode } from "@/lib/env";
import { ForbiddenError, UnauthorizedError } from "@/lib/errors";
import { identifyRequest } from "@/lib/observability";
import { clerkIdentityOf } from "./clerk-identity";
import { localAuthContext } from "./local-context";
import { SELECT_ORGANIZATION_PATH, SIGN_IN_PATH } from "./paths";
import { hasRole, type Role } from "./roles";
import type { AuthContext, TenantContext } from "./types";

export type { AuthContext, Role, TenantContext };

async function clerkAuthContext(): Promise<AuthContext | null> {
  // Imported only in Clerk mode: local mode never loads Clerk's server code.
  const [{ auth }, { resolveClerkIdentity }] = await Promise.all([
    import("@clerk/nextjs/server"),
    import("./clerk-context"),
  ]);
  const identity = clerkIdentityOf(await auth());
  return identity ? resolveClerkIdentity(identity) : null;
}

/**
 * The signed-in user and active tenant in internal ids, or null when signed out. One lookup per
 * request (React cache) however many components ask.
 */
export const getAuthContext = cache(async (): Promise<AuthContext | null> => {
  const context = getAuthMode() === "clerk" ? await clerkAuthContext() : await localAuthContext();
  // The request's log line, metrics context and Sentry tags name the tenant and internal user id.
  if (context) identifyRequest(context);
  return context;
});

function toTenantContext(context: AuthContext): TenantContext | null {
  if (!context.tenantId || !context.role) return null;
  return { userId: context.userId, tenantId: context.tenantId, role: context.role };
}

/** For API routes and actions: the tenant context, or 401 (signed out) / 403 (no active tenant). */
export async function requireTenant(): Promise<TenantContext> {
  const context = await getAuthContext();
  if (!context) throw new UnauthorizedError();
  const tenant = toTenantContext(context);
  if (!tenant) throw new ForbiddenError("Select an organization to continue.", "no_active_tenant");
  return tenant;
}

/** For pages: the tenant context, or a redirect to sign-in / organization selection. */
export async function requirePageTenant(): Promise<TenantContext> {
  const context = await getAuthContext();
  if (!context) redirect(SIGN_IN_PATH);
  const tenant = toTenantContext(context);
  if (!tenant) redirect(SELECT_ORGANIZATION_PATH);
  return tenant;
}

/** For pages that need a signed-in user but no tenant (organization selection). */
export async function requirePageUser(): Promise<AuthContext> {
  const context = await getAuthContext();
  if (!context) redirect(SIGN_IN_PATH);
  return context;
}

/** 403 unless the caller's role in the active tenant is at least `role`. Server-side, every time. */
export function requireRole(context: TenantContext, role: Role): void {
  if (!hasRole(context.role, role)) {
    throw new ForbiddenError("Only an admin of this organization can do this.", "role_not_allowed");
  }
}

export function canActAs(context: TenantContext | null, role: Role): boolean {
  return context !== null && hasRole(context.role, role);
}
