/**
 * An invitation's state, without the request-side imports of queries.ts (auth, Next): the worker's
 * job (jobs.ts) needs it and must not bundle them.
 */
export type InvitationStatus = "pending" | "accepted" | "revoked" | "expired";

/** Pure: an invitation's state at `now`. */
export function statusOf(
  row: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date },
  now = Date.now(),
): InvitationStatus {
  if (row.acceptedAt) return "accepted";
  if (row.revokedAt) return "revoked";
  return row.expiresAt.getTime() <= now ? "expired" : "pending";
}
