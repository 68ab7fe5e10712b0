import "server-only";

/**
 * For pages and server actions: the tenant context, or a redirect to sign in (signed out) or to
 * choose an organization (signed in, none active). API routes use apiRoute (401/403 JSON) instead.
 * The one implementation lives in the auth context.
 */
export { requirePageTenant as requireTenantPage } from "@/lib/auth";
