import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { tenants } from "./tenants";

/** Every action the audit log records; audit() accepts only these. */
export const AUDIT_ACTIONS = [
  "tenant.created",
  "tenant.updated",
  "tenant.deleted",
  "user.created",
  "user.updated",
  "user.deleted",
  "membership.created",
  "membership.role_changed",
  "membership.deleted",
  "invitation.created",
  "invitation.revoked",
  "invitation.accepted",
  "project.created",
  "project.updated",
  "project.deleted",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Append-only: the application role may insert, never update or delete (see the RLS migration). */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** Internal user id, or a system actor such as "clerk-webhook". */
    actor: text("actor").notNull(),
    action: text("action").$type<AuditAction>().notNull(),
    target: text("target").notNull(),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("audit_events_tenant_created_idx").on(table.tenantId, table.createdAt)],
);
