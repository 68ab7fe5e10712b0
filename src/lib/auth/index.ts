import "server-only";

export { getAuthContext, requireRole, requireTenant, type AuthContext, type Role, type TenantContext } from "./context";
export {
  createLocalSessionToken,
  LOCAL_SESSION_COOKIE,
  localSessionCookie,
  verifyLocalSessionToken,
  type LocalSession,
} from "./local-session";
