import "server-only";
import { redirect } from "next/navigation";
import { getAuthContext, type TenantContext } from "@/lib/auth";

/**
 * For pages and server actions: the tenant context, or a redirect to sign in (signed out) or to
 * choose an organization (signed in, none active). API routes use apiRoute (401/403 JSON) instead.
 */
export async function requireTenantPage(): Promise<TenantContext> {
  const context = await getAuthContext();
  if (!context) redirect("/sign-in");
  if (!context.tenantId || !context.role) redirect("/select-organization");
  return { userId: context.userId, tenantId: context.tenantId, role: context.role };
}
