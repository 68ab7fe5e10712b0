import { cache } from "react";
import { cookies, headers } from "next/headers";
import { eq, lt, sql } from "drizzle-orm";
import { revokedSessions, users } from "@db/schema";
import { getDb } from "@/lib/db";
import { postgresErrorOf } from "@/lib/errors";
import { getAuthMode, getEnv, isProduction } from "@/lib/env";
import { readClerkSession, type ClerkSession } from "./clerk";
import { rememberRejected, wasRejected } from "./rejected-sessions";
import {
  createLocalSessionToken,
  LOCAL_SESSION_COOKIE,
  localSessionCookie,
  verifyLocalSessionToken,
} from "./local-session";

/** Local mode: the signed cookie names the internal user, the active tenant and the session id. */
export interface LocalSessionClaim {
  provider: "local";
  userId: string;
  tenantId: string | null;
  sessionId: string;
}

/**
 * Who the request's credentials say is asking: a claim, checked for authenticity (signature,
 * expiry) but not yet against the database. Verification (the user exists, the session is not
 * revoked, the membership and tenant exist) happens in the same transaction as the request's
 * tenant query: see ./tenant.ts.
 */
export type Session = LocalSessionClaim | ClerkSession;

function sessionSecret(): string {
  const secret = getEnv().SESSION_SECRET;
  if (!secret) throw new Error("SESSION_SECRET is not set (required for local auth mode)");
  return secret;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function readLocalSession(): Promise<LocalSessionClaim | null> {
  const token = (await cookies()).get(LOCAL_SESSION_COOKIE)?.value;
  const session = await verifyLocalSessionToken(token, sessionSecret());
  if (!session?.sessionId || !UUID.test(session.userId)) return null;
  const tenantId = session.tenantId && UUID.test(session.tenantId) ? session.tenantId : null;
  return { provider: "local", userId: session.userId, tenantId, sessionId: session.sessionId };
}

/**
 * The request's session, or null when signed out (including a session the database refused a
 * moment ago: ./rejected-sessions.ts). No database access; once per request.
 */
export const getSession = cache(async (): Promise<Session | null> => {
  const session = await (getAuthMode() === "clerk" ? readClerkSession() : readLocalSession());
  return session && !wasRejected(rejectionKey(session)) ? session : null;
});

/** A stable key for the caller and their tenant (rate limits count per key). */
export function sessionKey(session: Session): string {
  return session.provider === "local"
    ? `user:${session.userId}:${session.tenantId ?? "-"}`
    : `clerk:${session.externalUserId}:${session.organization?.externalOrgId ?? "-"}`;
}

/** A stable key for the tenant the session names (per-tenant quotas), or null when it names none. */
export function tenantKey(session: Session): string | null {
  if (session.provider === "local") return session.tenantId ? `tenant:${session.tenantId}` : null;
  return session.organization ? `clerk-org:${session.organization.externalOrgId}` : null;
}

/** What a refusal of this session is remembered by: the session id (local), the user (Clerk). */
function rejectionKey(session: Session): string {
  return session.provider === "local" ? localRejectionKey(session.sessionId) : `clerk:${session.externalUserId}`;
}

function localRejectionKey(sessionId: string): string {
  return `local:${sessionId}`;
}

/** The database refused this session (revoked, or an unknown user): sign it out at once for a while. */
export function rememberRejectedSession(session: Session): void {
  rememberRejected(rejectionKey(session));
}

/** Whether the session names an active tenant (an organization in Clerk). */
export function claimsTenant(session: Session): boolean {
  return session.provider === "local" ? session.tenantId !== null : session.organization !== null;
}

/** Secure cookies whenever the site is served over https (directly or behind a TLS-terminating proxy). */
async function cookieIsSecure(): Promise<boolean> {
  if (getEnv().APP_URL?.startsWith("https:")) return true;
  return (await headers()).get("x-forwarded-proto") === "https";
}

/**
 * Local mode: signs `userId` in (a new session id every time), in `tenantId` when given. The caller
 * has checked that the user may sign in and belongs to the tenant.
 */
export async function startLocalSession(userId: string, tenantId: string | undefined): Promise<void> {
  const token = await createLocalSessionToken({ userId, tenantId }, sessionSecret());
  (await cookies()).set(localSessionCookie(token, await cookieIsSecure()));
}

/**
 * Local mode: ends the request's session for good. The token would stay valid until it expires,
 * so its id is recorded as revoked (and ids of tokens that expired anyway are dropped). A user an
 * operator deleted outright has nothing left to revoke: no verification accepts an unknown user.
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
    rememberRejected(localRejectionKey(session.sessionId));
  }
  jar.delete(LOCAL_SESSION_COOKIE);
}

const FOREIGN_KEY_VIOLATION = "23503";

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
