import { randomUUID } from "node:crypto";
import { jwtVerify, SignJWT } from "jose";

/**
 * Local-mode sessions (development, tests, public demos): an HS256 JWT in an httpOnly cookie,
 * signed with SESSION_SECRET. jose does the crypto. Each session has an id (`jti`): signing out
 * records it in revoked_sessions, and every request's verification refuses a revoked id.
 */

export const LOCAL_SESSION_COOKIE = "slipway_session";
const LOCAL_SESSION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;
const ISSUER = "slipway-local";

export interface LocalSession {
  /** Internal user id. */
  userId: string;
  /** Internal id of the active tenant, if one is selected. */
  tenantId?: string;
  /** The session's id (JWT `jti`); a new one for every sign-in. */
  sessionId?: string;
  /** When the token expires. */
  expiresAt?: Date;
}

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

export async function createLocalSessionToken(
  session: LocalSession,
  secret: string,
  now = new Date(),
): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT(session.tenantId ? { tid: session.tenantId } : {})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(session.userId)
    .setJti(session.sessionId ?? randomUUID())
    .setIssuer(ISSUER)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + LOCAL_SESSION_MAX_AGE_SECONDS)
    .sign(key(secret));
}

/**
 * How far the clocks of the instances that issue and read sessions may disagree: a token issued
 * further in the future than this (`iat`) is refused, as is one older than the session's lifetime.
 */
const CLOCK_SKEW_SECONDS = 30;

/** The session, or null when the token is missing, forged, expired, issued in the future or malformed. */
export async function verifyLocalSessionToken(
  token: string | undefined,
  secret: string,
  now = new Date(),
): Promise<LocalSession | null> {
  if (!token) return null;
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      issuer: ISSUER,
      algorithms: ["HS256"],
      maxTokenAge: LOCAL_SESSION_MAX_AGE_SECONDS,
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: now,
    });
    if (typeof payload.sub !== "string" || typeof payload.jti !== "string") return null;
    return {
      userId: payload.sub,
      tenantId: typeof payload.tid === "string" ? payload.tid : undefined,
      sessionId: payload.jti,
      expiresAt: new Date((payload.exp ?? 0) * 1000),
    };
  } catch {
    return null;
  }
}

export function localSessionCookie(token: string, secure: boolean) {
  return {
    name: LOCAL_SESSION_COOKIE,
    value: token,
    httpOnly: true,
    sameSite: "lax" as const,
    secure,
    path: "/",
    maxAge: LOCAL_SESSION_MAX_AGE_SECONDS,
  };
}
