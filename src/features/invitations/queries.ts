import "server-only";
import { and, desc, eq, isNull } from "drizzle-orm";
import { invitations, tenants, type Role } from "@db/schema";
import { requireRole, withTenant, type Caller } from "@/lib/auth";
import { inScope, getDb } from "@/lib/db";
import { statusOf, type InvitationStatus } from "./status";
import { invitationGone, verifyInvitationToken } from "./token";

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  status: InvitationStatus;
  createdAt: string;
  expiresAt: string;
  /** When its email left (null until the worker sent it). */
  emailSentAt: string | null;
  acceptedAt: string | null;
  revokedAt: string | null;
}

export const invitationColumns = {
  id: invitations.id,
  email: invitations.email,
  role: invitations.role,
  createdAt: invitations.createdAt,
  expiresAt: invitations.expiresAt,
  emailSentAt: invitations.emailSentAt,
  acceptedAt: invitations.acceptedAt,
  revokedAt: invitations.revokedAt,
};

interface InvitationRow {
  id: string;
  email: string;
  role: Role;
  createdAt: Date;
  expiresAt: Date;
  emailSentAt: Date | null;
  acceptedAt: Date | null;
  revokedAt: Date | null;
}

export function toInvitation(row: InvitationRow): Invitation {
  const iso = (date: Date | null) => (date ? date.toISOString() : null);
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    status: statusOf(row),
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    emailSentAt: iso(row.emailSentAt),
    acceptedAt: iso(row.acceptedAt),
    revokedAt: iso(row.revokedAt),
  };
}

/** The active tenant's invitations, newest first (admins only: they hold other people's addresses). */
export async function listInvitations(caller: Caller, limit = 100): Promise<Invitation[]> {
  return withTenant(caller, async (tx, tenant) => {
    requireRole(tenant, "admin");
    const rows = await tx.select(invitationColumns).from(invitations).orderBy(desc(invitations.createdAt)).limit(limit);
    return rows.map(toInvitation);
  });
}

/** What the accept page shows about a link: the organization, the address, the role. */
export interface InvitationPreview {
  tenantName: string;
  email: string;
  role: Role;
}

/**
 * The invitation a link names, while it can be accepted: 400 for a damaged or forged link, 410
 * when it expired, was accepted or revoked. Read in the link's tenant scope (the signature vouches
 * for the tenant id).
 */
export async function previewInvitation(token: string): Promise<InvitationPreview> {
  const claim = await verifyInvitationToken(token);
  const row = await getDb().transaction((tx) =>
    inScope(tx, { tenantId: claim.tenantId }, async () => {
      const [found] = await tx
        .select({ ...invitationColumns, tenantName: tenants.name })
        .from(invitations)
        .innerJoin(tenants, and(eq(tenants.id, invitations.tenantId), isNull(tenants.deletedAt)))
        .where(eq(invitations.id, claim.invitationId));
      return found;
    }),
  );
  if (!row) throw invitationGone("invitation_revoked");
  const status = statusOf(row);
  if (status !== "pending")
    throw invitationGone(
      status === "accepted" ? "invitation_used" : status === "expired" ? "invitation_expired" : "invitation_revoked",
    );
  return { tenantName: row.tenantName, email: row.email, role: row.role };
}
