import type { Role } from "@db/schema";

export type MemberChange = { kind: "set-role"; role: Role } | { kind: "remove" };

export interface Refusal {
  code: "not_a_member" | "last_admin";
  message: string;
}

/**
 * Pure: whether an admin may apply `change` to the member `targetUserId`. An organization always
 * keeps at least one admin, so nobody can lock everyone out of managing it.
 * Returns the refusal, or null when allowed.
 */
export function refuseMemberChange(
  members: readonly { userId: string; role: Role }[],
  targetUserId: string,
  change: MemberChange,
): Refusal | null {
  const target = members.find((member) => member.userId === targetUserId);
  if (!target) return { code: "not_a_member", message: "That person is not a member of this organization." };
  const removesAdmin = target.role === "admin" && (change.kind === "remove" || change.role !== "admin");
  const admins = members.filter((member) => member.role === "admin").length;
  if (removesAdmin && admins <= 1) return { code: "last_admin", message: "An organization needs at least one admin." };
  return null;
}
