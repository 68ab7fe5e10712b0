import "server-only";

/**
 * Authentication and tenants. Who is asking comes from the request's session (a local signed
 * cookie or a Clerk token); it is verified against the database in the same transaction as the
 * tenant query (withTenant), which runs as the application role under row-level security.
 * src/proxy.ts imports the proxy step from "@/lib/auth/proxy" instead (a smaller bundle).
 */
export {
  getAuthContext,
  hasRole,
  requireAuthContext,
  requirePageTenant,
  requirePageUser,
  requireRole,
  requireTenantOf,
  requireTenantSession,
  withTenant,
  type Caller,
} from "./tenant";
export {
  announceAuthMode,
  endLocalSession,
  getSession,
  sessionKey,
  startLocalSession,
  tenantKey,
  type Session,
} from "./session";
export { HOME_PATH, SELECT_ORGANIZATION_PATH, SIGN_IN_PATH, SIGN_UP_PATH } from "./route-access";
export {
  ensureTenant,
  ensureUser,
  findTenant,
  findUser,
  freeSlug,
  inserted,
  tenantsOfUser,
  upsertMembership,
} from "./identity-store";
export { roleFromClerk } from "./clerk";
