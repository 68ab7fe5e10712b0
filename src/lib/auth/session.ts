import { cache } from "react";
import { getAuthMode, isProduction } from "@/lib/env";
import { ForbiddenError, UnauthorizedError } from "@/lib/errors";
import type { InAppAccounts, Session } from "./provider";
import { identityProvider } from "./providers";
import { wasRejected } from "./rejected-sessions";

/**
 * The request's session, or null when signed out (including a session the database refused a
 * moment ago: ./rejected-sessions.ts). Read by the mode's identity provider; no database access;
 * once per request. Verification (the user exists, the session is not revoked, the membership and
 * tenant exist) happens in the same transaction as the request's tenant query: see ./tenant.ts.
 */
export const getSession = cache(async (): Promise<Session | null> => {
  const session = await identityProvider().readSession();
  return session && !wasRejected(session.rejectionKey) ? session : null;
});

/** 403 no_active_tenant unless the session names a tenant. */
export function requireTenantOf(session: Session): Session {
  if (session.tenantKey === null) throw new ForbiddenError("Select an organization to continue.", "no_active_tenant");
  return session;
}

/** The session of a request that must name a tenant: 401 signed out, 403 no_active_tenant. */
export async function requireTenantSession(): Promise<Session> {
  const session = await getSession();
  if (!session) throw new UnauthorizedError();
  return requireTenantOf(session);
}

/**
 * Where members are managed: null when this app keeps the accounts (local mode: members are
 * invited, re-roled and removed here), else the identity provider that owns them, by name for
 * messages ("Clerk") and the code its refusals carry (`managed_by_clerk`). A change made here
 * would be undone by that provider's next session token or webhook.
 */
export function membersManagedBy(): { name: string; code: string } | null {
  const { members } = identityProvider();
  return "accounts" in members ? null : { name: members.managedBy, code: `managed_by_${getAuthMode()}` };
}

/** The app's own accounts (sign in as a user, create one), or a 403 where the identity provider owns them. */
export function inAppAccounts(): InAppAccounts {
  const { members } = identityProvider();
  if ("accounts" in members) return members.accounts;
  throw new ForbiddenError(
    `Members are managed in the organization settings (${members.managedBy}).`,
    `managed_by_${getAuthMode()}`,
  );
}

/** Once at server start: which mode authenticates, loudly when production runs the open demo mode. */
export function announceAuthMode(log: {
  info: (o: object, m: string) => void;
  warn: (o: object, m: string) => void;
}): void {
  const authMode = getAuthMode();
  if (authMode === "local" && isProduction) {
    log.warn(
      { authMode },
      "AUTH_MODE=local in production: anyone can sign in as any listed demo user. Use this only for public demos; set Clerk keys for real users.",
    );
  } else {
    log.info({ authMode }, "authentication mode");
  }
}
