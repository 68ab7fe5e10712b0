import type { Role } from "@db/schema";

export type { Role };

/**
 * Maps a Clerk organization role to a Slipway role. Clerk reports roles as `org:<key>` (session
 * claims v2 carry `o.rol` without the prefix; the SDK adds it). Only `admin` grants admin rights:
 * any other or custom role is a member, so a new Clerk role never escalates by accident.
 */
export function roleFromClerk(orgRole: string | null | undefined): Role {
  const key = orgRole?.startsWith("org:") ? orgRole.slice(4) : orgRole;
  return key === "admin" ? "admin" : "member";
}

export function hasRole(actual: Role, required: Role): boolean {
  return required === "member" || actual === "admin";
}
