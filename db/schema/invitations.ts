import { sql } from "drizzle-orm";
import { check, index, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { membershipRole } from "./memberships";
import { tenants } from "./tenants";
import { users } from "./users";

export const INVITATION_EMAIL_MAX = 254;

/**
 * An admin's invitation of an email address into a tenant with a role (local mode; Clerk mode has
 * Clerk's own). Pending until accepted, revoked or expired; the link in its email is signed and
 * names this row, so it works once (accepted_at) and not after expires_at. The email is sent by a
 * job enqueued in the transaction that created the row; email_sent_at is set by that job.
 */
export const invitations = pgTable(
  "invitations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** Lowercased. */
    email: text("email").notNull(),
    role: membershipRole("role").notNull(),
    invitedBy: uuid("invited_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    emailSentAt: timestamp("email_sent_at", { withTimezone: true }),
    acceptedAt: timestamp("accepted_at", { withTimezone: true }),
    acceptedBy: uuid("accepted_by").references(() => users.id, { onDelete: "set null" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (table) => [
    // One open invitation per address and tenant: re-inviting finds it instead of mailing again.
    uniqueIndex("invitations_tenant_email_open_unique")
      .on(table.tenantId, table.email)
      .where(sql`${table.acceptedAt} IS NULL AND ${table.revokedAt} IS NULL`),
    // The per-tenant quota counts a tenant's recent invitations.
    index("invitations_tenant_created_idx").on(table.tenantId, table.createdAt),
    check(
      "invitations_email_length",
      sql`char_length(${table.email}) between 3 and ${sql.raw(String(INVITATION_EMAIL_MAX))}`,
    ),
  ],
);
