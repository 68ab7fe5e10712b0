import "server-only";
import { errors, jwtVerify, SignJWT } from "jose";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";

/**
 * The signed part of an invitation link: an HS256 JWT (jose) naming the invitation and its tenant,
 * expiring with it, signed with SESSION_SECRET under its own audience (a session token is not an
 * invitation and the reverse). Single use is the row's state (accepted_at), checked on accept.
 */

const AUDIENCE = "slipway-invitation";

export interface InvitationClaim {
  invitationId: string;
  tenantId: string;
}

function key(): Uint8Array {
  const secret = getEnv().SESSION_SECRET;
  if (!secret) throw new Error("SESSION_SECRET is not set (invitations need it to sign their links)");
  return new TextEncoder().encode(secret);
}

export async function signInvitationToken(claim: InvitationClaim, expiresAt: Date): Promise<string> {
  return new SignJWT({ tid: claim.tenantId })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claim.invitationId)
    .setAudience(AUDIENCE)
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(key());
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The claim of a valid link; 410 invitation_expired past its expiry, 400 invalid_invitation_link otherwise. */
export async function verifyInvitationToken(token: string): Promise<InvitationClaim> {
  try {
    const { payload } = await jwtVerify(token, key(), { audience: AUDIENCE, algorithms: ["HS256"] });
    if (
      typeof payload.sub === "string" &&
      UUID.test(payload.sub) &&
      typeof payload.tid === "string" &&
      UUID.test(payload.tid)
    ) {
      return { invitationId: payload.sub, tenantId: payload.tid };
    }
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw invitationGone("invitation_expired");
  }
  throw new AppError(400, "invalid_invitation_link", "This invitation link is not valid. Ask for a new invitation.");
}

const GONE = {
  invitation_expired: "This invitation has expired. Ask for a new one.",
  invitation_used: "This invitation has already been accepted.",
  invitation_revoked: "This invitation was revoked.",
} as const;

/** 410: the link was real but cannot be used any more. */
export function invitationGone(code: keyof typeof GONE): AppError {
  return new AppError(410, code, GONE[code]);
}
