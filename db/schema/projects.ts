import { sql } from "drizzle-orm";
import { check, index, pgEnum, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { tenants } from "./tenants";
import { users } from "./users";

export const projectStatus = pgEnum("project_status", ["active", "paused", "archived"]);
export type ProjectStatus = (typeof projectStatus.enumValues)[number];

export const PROJECT_NAME_MAX = 100;
export const PROJECT_DESCRIPTION_MAX = 2000;

/** The example tenant-scoped feature. */
export const projects = pgTable(
  "projects",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    status: projectStatus("status").notNull().default("active"),
    createdBy: uuid("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    unique("projects_tenant_name_unique").on(table.tenantId, table.name),
    // Leads with tenant_id; also serves keyset pagination by (created_at, id).
    index("projects_tenant_created_idx").on(table.tenantId, table.createdAt, table.id),
    // The API validates lengths first (400); these keep every other writer honest too.
    check("projects_name_length", sql`char_length(${table.name}) between 1 and ${sql.raw(String(PROJECT_NAME_MAX))}`),
    check(
      "projects_description_length",
      sql`char_length(${table.description}) <= ${sql.raw(String(PROJECT_DESCRIPTION_MAX))}`,
    ),
  ],
);
