import "server-only";

/**
 * Authentication and tenants: the one auth context everything tenant-scoped takes its tenant from.
 * src/proxy.ts imports the proxy step from "@/lib/auth/proxy" instead (a smaller bundle).
 */
export {
  canActAs,
  getAuthContext,
  requirePageTenant,
  requirePageUser,
  requireRole,
  requireTenant,
  type AuthContext,
  type Role,
  type TenantContext,
} from "./context";
export { HOME_PATH, SELECT_ORGANIZATION_PATH, SIGN_IN_PATH, SIGN_UP_PATH } from "./paths";
export { hasRole, roleFromClerk } from "./roles";
export { receiveClerkWebhook, type WebhookResult } from "./clerk-webhook";
export { sessionSecret } from "./local-context";
export {
  createLocalSessionToken,
  LOCAL_SESSION_COOKIE,
  localSessionCookie,
  verifyLocalSessionToken,
  type LocalSession,
} from "./local-session";
