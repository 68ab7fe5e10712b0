import { randomUUID } from "node:crypto";
import type { IdentityProvider } from "../../provider";
import { ensureUser } from "../../identity-store";
import { endLocalSession, readLocalSession, startLocalSession, type LocalSessionClaim } from "./session";

/**
 * Local mode (development, tests, public demos): a signed cookie over the users in the database,
 * chosen from a list, no passwords. This app keeps the accounts: members are invited, signed in
 * and signed out here. Its screens are ./screens.tsx; it has no proxy step (pages and routes
 * check the cookie themselves).
 */
export const localProvider: IdentityProvider<LocalSessionClaim> = {
  readSession: readLocalSession,
  callerIds: async (_tx, session) => ({
    userId: session.userId,
    tenantId: session.tenantId,
    sessionId: session.sessionId,
  }),
  members: {
    accounts: {
      async signInAs(userId, tenantId) {
        await endLocalSession();
        await startLocalSession(userId, tenantId);
      },
      async createUser(tx, user) {
        // local_*: the sign-in page offers the demo users and users created here (./sign-in-choices.ts).
        return (await ensureUser(tx, { externalUserId: `local_${randomUUID()}`, ...user })).row.id;
      },
    },
  },
};
