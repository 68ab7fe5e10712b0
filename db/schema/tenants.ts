import { pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** A tenant is an organization (a Clerk organization in production). */
export const tenants = pgTable("tenants", {
  id: uuid("id").primaryKey().defaultRandom(),
  externalOrgId: text("external_org_id").notNull().unique(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  /** Soft delete: the org is gone upstream; rows stay for audit until purged. */
  deletedAt: timestamp("deleted_at", { withTimezone: true }),
});
