import "server-only";
import type { AuthMode } from "@/lib/env";
import type { WebhookDelivery, WebhookReceipt } from "./provider";
import { identityProvider } from "./providers";

/**
 * Authentication and tenants: what pages, routes, features and the route wrappers (apiRoute,
 * formAction) need. Who is asking comes from the request's session, read by the mode's identity
 * provider (./providers/<name>/, ADR 0067); it is verified against the database in the same
 * transaction as the tenant query (withTenant), which runs as the application role under
 * row-level security. Two other entries: src/proxy.ts takes the proxy step from
 * "@/lib/auth/proxy" (a smaller bundle), pages take the sign-in UI from "@/lib/auth/screens".
 */
export {
  getAuthContext,
  hasRole,
  requireAuthContext,
  requirePageTenant,
  requireRole,
  withTenant,
  type Caller,
} from "./tenant";
export {
  announceAuthMode,
  getSession,
  inAppAccounts,
  membersManagedBy,
  requireTenantOf,
  requireTenantSession,
} from "./session";
export type { Session } from "./provider";
export { HOME_PATH, SIGN_IN_PATH } from "./route-access";

/** A delivery to the named provider's provisioning webhook (its route names the provider that sends it): verified, then applied. */
export function receiveWebhook(provider: AuthMode, delivery: WebhookDelivery): Promise<WebhookReceipt> {
  const { receiveWebhook: receive } = identityProvider(provider);
  if (!receive) throw new Error(`the ${provider} identity provider receives no webhooks`);
  return receive(delivery);
}
