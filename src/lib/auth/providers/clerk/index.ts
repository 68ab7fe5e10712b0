import type { IdentityProvider } from "../../provider";
import { upsertMembership } from "./directory";
import { CLERK_SESSION_ACTOR, internalIdsOf, readClerkSession, type ClerkSession } from "./session";
import { receiveClerkWebhook } from "./webhook";

/**
 * Clerk (production): Clerk's users and organizations, its session tokens verified by its
 * middleware (./proxy.ts), its components for signing in and managing organizations
 * (./screens.tsx), and its webhooks mirroring users, organizations and memberships into our tables
 * (./webhook.ts). Members are managed in Clerk: a change made here would be undone by the next
 * session token or webhook. The only folder that imports @clerk/* (eslint.config.mjs).
 */
export const clerkProvider: IdentityProvider<ClerkSession> = {
  readSession: readClerkSession,
  callerIds: async (tx, session) => ({ ...(await internalIdsOf(tx, session)), sessionId: null }),
  // The token's role is authoritative (Clerk changes roles): the membership follows it.
  async reconcileRole(tx, session, member) {
    const tokenRole = session.organization?.role;
    if (!tokenRole || tokenRole === member.role) return null;
    await upsertMembership(tx, { ...member, role: tokenRole }, CLERK_SESSION_ACTOR, { source: "session token" });
    return tokenRole;
  },
  members: { managedBy: "Clerk" },
  receiveWebhook: receiveClerkWebhook,
};
