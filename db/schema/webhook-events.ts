import { jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Webhook deliveries already processed, keyed by the provider's message id (svix-id), so a
 * redelivered event changes nothing. Not tenant-owned: written by the webhook handler only.
 */
export const webhookEvents = pgTable("webhook_events", {
  id: text("id").primaryKey(),
  source: text("source").notNull(),
  type: text("type").notNull(),
  /** What the event changed (a summary for operators; audit_events holds the per-tenant trail). */
  changes: jsonb("changes").$type<unknown[]>().notNull().default([]),
  receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
});
