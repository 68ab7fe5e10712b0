import "server-only";
import { and, count, eq, gt, isNull, sql } from "drizzle-orm";
import { invitations, memberships, users, type Role } from "@db/schema";
import { inAppAccounts, membersManagedBy, requireRole, withTenant, type Caller } from "@/lib/auth";
import { audit, getDb, inScope } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { AppError, ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import { enqueue } from "@/lib/jobs";
import { invitationEmailJob } from "./jobs";
import { invitationColumns, toInvitation, type Invitation } from "./queries";
import { statusOf } from "./status";
import type { CreateInvitationInput } from "./schemas";
import { invitationGone, verifyInvitationToken } from "./token";

const target = (invitationId: string) => `invitation:${invitationId}`;

/** Only where this app keeps the accounts: with Clerk, Clerk's own invitations are the way in (its dashboard and components). */
function assertInvitationsHere(): void {
  const managedBy = membersManagedBy();
  if (managedBy)
    throw new ForbiddenError(`Invite members in the organization settings (${managedBy.name}).`, managedBy.code);
}

/**
 * Invites `input.email` with `input.role` into the caller's tenant (admins only): the invitation,
 * its audit row and the job that emails it commit together. Re-inviting an address with a pending
 * invitation returns that one (created: false) and sends nothing. At most INVITATIONS_PER_DAY per
 * tenant per 24 hours (429 invitation_quota_exceeded); invitations are serialised per tenant for
 * the count to hold under concurrency.
 */
export async function createInvitation(
  caller: Caller,
  input: CreateInvitationInput,
): Promise<{ invitation: Invitation; created: boolean }> {
  assertInvitationsHere();
  const env = getEnv();
  return withTenant(caller, async (tx, tenant) => {
    requireRole(tenant, "admin");
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`invitations:${tenant.tenantId}`}, 0))`);
    const open = and(eq(invitations.email, input.email), isNull(invitations.acceptedAt), isNull(invitations.revokedAt));
    const [existing] = await tx.select(invitationColumns).from(invitations).where(open);
    if (existing && statusOf(existing) === "pending") return { invitation: toInvitation(existing), created: false };
    // An expired one is closed, so the new invitation takes its place.
    if (existing)
      await tx
        .update(invitations)
        .set({ revokedAt: sql`now()` })
        .where(eq(invitations.id, existing.id));

    const [member] = await tx
      .select({ id: memberships.id })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.tenantId, tenant.tenantId), sql`lower(${users.email}) = ${input.email}`));
    if (member) throw new ConflictError("This address already belongs to a member.", undefined, "already_member");

    const [recent] = await tx
      .select({ count: count() })
      .from(invitations)
      .where(gt(invitations.createdAt, sql`now() - interval '1 day'`));
    if ((recent?.count ?? 0) >= env.INVITATIONS_PER_DAY) {
      throw new AppError(
        429,
        "invitation_quota_exceeded",
        `This organization has sent ${env.INVITATIONS_PER_DAY} invitations in the last 24 hours, its limit. Try again later.`,
      );
    }

    const [row] = await tx
      .insert(invitations)
      .values({
        tenantId: tenant.tenantId,
        email: input.email,
        role: input.role,
        invitedBy: tenant.userId,
        expiresAt: sql`now() + make_interval(hours => ${env.INVITATION_TTL_HOURS})`,
      })
      .returning(invitationColumns);
    await audit(tx, {
      tenantId: tenant.tenantId,
      actor: tenant.userId,
      action: "invitation.created",
      target: target(row!.id),
      metadata: { role: input.role },
    });
    await enqueue(tx, invitationEmailJob, { invitationId: row!.id }, { key: row!.id, tenantId: tenant.tenantId });
    return { invitation: toInvitation(row!), created: true };
  });
}

/** Admins only: a pending invitation stops working (404 in another tenant or unknown, 409 when not pending). */
export async function revokeInvitation(caller: Caller, id: string): Promise<void> {
  assertInvitationsHere();
  await withTenant(caller, async (tx, tenant) => {
    requireRole(tenant, "admin");
    const [row] = await tx
      .update(invitations)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(invitations.id, id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
      .returning({ id: invitations.id });
    if (!row) {
      const [other] = await tx.select({ id: invitations.id }).from(invitations).where(eq(invitations.id, id));
      if (!other) throw new NotFoundError("No invitation with this id.");
      throw new ConflictError("This invitation is no longer pending.", undefined, "invitation_not_pending");
    }
    await audit(tx, {
      tenantId: tenant.tenantId,
      actor: tenant.userId,
      action: "invitation.revoked",
      target: target(id),
    });
  });
}

/** Who accepts: a signed-in user, or a new local user with a name. */
export type Acceptor = { userId: string } | { newUserName: string };

/**
 * Accepts the invitation a link names, once: the membership, the invitation marked accepted and
 * their audit rows commit together, with the invitation row locked so a link used twice at once
 * works once. A signed-in user must hold the invited address; a new user is created with it
 * (409 sign_in_to_accept when a user with that address exists). 400/410 for a bad or spent link.
 */
export async function acceptInvitation(
  token: string,
  acceptor: Acceptor,
): Promise<{ userId: string; tenantId: string; role: Role }> {
  assertInvitationsHere();
  const claim = await verifyInvitationToken(token);
  const scope = { tenantId: claim.tenantId };
  return getDb().transaction(async (tx) => {
    const invitation = await inScope(tx, scope, async () => {
      const [row] = await tx
        .select(invitationColumns)
        .from(invitations)
        .where(eq(invitations.id, claim.invitationId))
        .for("update");
      return row;
    });
    if (!invitation) throw invitationGone("invitation_revoked");
    const status = statusOf(invitation);
    if (status === "accepted") throw invitationGone("invitation_used");
    if (status === "expired") throw invitationGone("invitation_expired");
    if (status === "revoked") throw invitationGone("invitation_revoked");

    const holders = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(sql`lower(${users.email}) = ${invitation.email}`, isNull(users.deletedAt)));
    let userId: string;
    if ("userId" in acceptor) {
      if (!holders.some((holder) => holder.id === acceptor.userId)) {
        throw new ForbiddenError(
          `This invitation is for ${invitation.email}: sign in as that user to accept it.`,
          "invitation_for_another_address",
        );
      }
      userId = acceptor.userId;
    } else {
      if (holders.length > 0) {
        throw new ConflictError(
          `A user with ${invitation.email} exists: sign in as that user to accept.`,
          undefined,
          "sign_in_to_accept",
        );
      }
      const name = acceptor.newUserName.trim() || invitation.email.split("@")[0]!;
      userId = await inAppAccounts().createUser(tx, { email: invitation.email, name });
    }

    await inScope(tx, scope, async () => {
      const [membership] = await tx
        .insert(memberships)
        .values({ tenantId: claim.tenantId, userId, role: invitation.role })
        .onConflictDoNothing({ target: [memberships.tenantId, memberships.userId] })
        .returning({ id: memberships.id });
      await tx
        .update(invitations)
        .set({ acceptedAt: sql`now()`, acceptedBy: userId })
        .where(eq(invitations.id, invitation.id));
      await audit(tx, {
        tenantId: claim.tenantId,
        actor: userId,
        action: "invitation.accepted",
        target: target(invitation.id),
      });
      if (membership) {
        await audit(tx, {
          tenantId: claim.tenantId,
          actor: userId,
          action: "membership.created",
          target: userId,
          metadata: { role: invitation.role, source: "invitation" },
        });
      }
    });
    return { userId, tenantId: claim.tenantId, role: invitation.role };
  });
}
