import "server-only";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { invitations, tenants, users } from "@db/schema";
import { getEnv } from "@/lib/env";
import { defineJob } from "@/lib/jobs";
import { sendEmail } from "@/lib/mail";
import { statusOf } from "./status";
import { signInvitationToken } from "./token";

/** Where links point: APP_URL, else this machine's app (development). */
function appUrl(): string {
  const env = getEnv();
  return (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, "");
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/**
 * Sends an invitation's email, once: enqueued in the transaction that created the invitation,
 * keyed by its id. A retry after the email left but before email_sent_at committed (the worker
 * died in between) sends it again with the same Message-ID: the at-least-once window (docs/jobs.md).
 */
export const invitationEmailJob = defineJob({
  name: "invitation-email",
  scope: "tenant",
  payload: z.strictObject({ invitationId: z.uuid() }),
  timeoutSeconds: 30,
  retryLimit: 5,
  retryDelaySeconds: 5,
  async run({ payload, transaction, log, tenantId }) {
    const invitation = await transaction(async (tx) => {
      const [row] = await tx
        .select({
          id: invitations.id,
          email: invitations.email,
          role: invitations.role,
          expiresAt: invitations.expiresAt,
          emailSentAt: invitations.emailSentAt,
          acceptedAt: invitations.acceptedAt,
          revokedAt: invitations.revokedAt,
          tenantName: tenants.name,
          inviterName: users.name,
        })
        .from(invitations)
        .innerJoin(tenants, eq(tenants.id, invitations.tenantId))
        .leftJoin(users, eq(users.id, invitations.invitedBy))
        .where(eq(invitations.id, payload.invitationId));
      return row;
    });
    if (!invitation || invitation.emailSentAt || statusOf(invitation) !== "pending") {
      log.info({ invitationId: payload.invitationId }, "invitation email not needed (sent, gone or no longer pending)");
      return;
    }
    const link = `${appUrl()}/invitations/${await signInvitationToken({ invitationId: invitation.id, tenantId: tenantId! }, invitation.expiresAt)}`;
    const who = invitation.inviterName ? `${invitation.inviterName} invited you` : "You are invited";
    const text = `${who} to join ${invitation.tenantName} on Slipway as ${invitation.role}.\n\nAccept the invitation: ${link}\n\nThe link works once and expires on ${invitation.expiresAt.toUTCString()}.\n`;
    await sendEmail(
      {
        to: invitation.email,
        subject: `Join ${invitation.tenantName} on Slipway`,
        text,
        html: `<p>${escapeHtml(who)} to join <strong>${escapeHtml(invitation.tenantName)}</strong> on Slipway as ${invitation.role}.</p><p><a href="${escapeHtml(link)}">Accept the invitation</a></p><p>The link works once and expires on ${escapeHtml(invitation.expiresAt.toUTCString())}.</p>`,
        idempotencyKey: `invitation-${invitation.id}`,
      },
      log,
    );
    await transaction((tx) =>
      tx
        .update(invitations)
        .set({ emailSentAt: sql`now()` })
        .where(eq(invitations.id, invitation.id)),
    );
  },
});
