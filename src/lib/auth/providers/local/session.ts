import { cookies, headers } from "next/headers";
import { eq, lt, sql } from "drizzle-orm";
import { revokedSessions, users } from "@db/schema";
import { getDb } from "@/lib/db";
import { postgresErrorOf } from "@/lib/errors";
import { getEnv } from "@/lib/env";
import type { Session } from "../../provider";
import { rememberRejected } from "../../rejected-sessions";
import {
  createLocalSessionToken,
  LOCAL_SESSION_COOKIE,
  localSessionCookie,
  verifyLocalSessionToken,
} from "./session-token";

/** Local mode: the signed cookie names the internal user, the active tenant and the session id. */
export interface LocalSessionClaim extends Session {
  provider: "local";
  userId: string;
  tenantId: string | null;
  sessionId: string;
}

function sessionSecret(): string {
  const secret = getEnv().SESSION_SECRET;
  if (!secret) throw new Error("SESSION_SECRET is not set (required for local auth mode)");
  return secret;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a refusal of a local session is remembered by: its id. */
const rejectionKeyOf = (sessionId: string) => `local:${sessionId}`;

/** The request's local session (its cookie's signature and expiry checked), or null. */
export async function readLocalSession(): Promise<LocalSessionClaim | null> {
  const token = (await cookies()).get(LOCAL_SESSION_COOKIE)?.value;
  const session = await verifyLocalSessionToken(token, sessionSecret());
  if (!session?.sessionId || !UUID.test(session.userId)) return null;
  const tenantId = session.tenantId && UUID.test(session.tenantId) ? session.tenantId : null;
  return {
    provider: "local",
    key: `user:${session.userId}:${tenantId ?? "-"}`,
    tenantKey: tenantId ? `tenant:${tenantId}` : null,
    rejectionKey: rejectionKeyOf(session.sessionId),
    userId: session.userId,
    tenantId,
    sessionId: session.sessionId,
  };
}

/** Secure cookies whenever the site is served over https (directly or behind a TLS-terminating proxy). */
async function cookieIsSecure(): Promise<boolean> {
  if (getEnv().APP_URL?.startsWith("https:")) return true;
  return (await headers()).get("x-forwarded-proto") === "https";
}

/**
 * Signs `userId` in (a new session id every time), in `tenantId` when given. The caller has
 * checked that the user may sign in and belongs to the tenant.
 */
export async function startLocalSession(userId: string, tenantId: string | undefined): Promise<void> {
  const token = await createLocalSessionToken({ userId, tenantId }, sessionSecret());
  (await cookies()).set(localSessionCookie(token, await cookieIsSecure()));
}

/**
 * Ends the request's session for good. The token would stay valid until it expires, so its id is
 * recorded as revoked (and ids of tokens that expired anyway are dropped). A user an operator
 * deleted outright has nothing left to revoke: no verification accepts an unknown user.
 */
export async function endLocalSession(): Promise<void> {
  const jar = await cookies();
  const session = await verifyLocalSessionToken(jar.get(LOCAL_SESSION_COOKIE)?.value, sessionSecret());
  if (session?.sessionId && session.expiresAt && UUID.test(session.userId)) {
    const db = getDb();
    await db.delete(revokedSessions).where(lt(revokedSessions.expiresAt, new Date()));
    await db
      .insert(revokedSessions)
      .select(
        db
          .select({
            id: sql`${session.sessionId}::text`.as("id"),
            userId: users.id,
            expiresAt: sql`${session.expiresAt.toISOString()}::timestamptz`.as("expires_at"),
            revokedAt: sql`now()`.as("revoked_at"),
          })
          .from(users)
          .where(eq(users.id, session.userId)),
      )
      .onConflictDoNothing()
      .catch((error: unknown) => {
        // The user was deleted between the select and the insert's foreign-key check.
        if (postgresErrorOf(error)?.code !== FOREIGN_KEY_VIOLATION) throw error;
      });
    rememberRejected(rejectionKeyOf(session.sessionId));
  }
  jar.delete(LOCAL_SESSION_COOKIE);
}

const FOREIGN_KEY_VIOLATION = "23503";
