import { sql } from "drizzle-orm";
import { check, index, pgEnum, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";
import { tenants } from "./tenants";
import { CODE_POINTS_PER_CHARACTER } from "./text";
import { users } from "./users";

export const projectStatus = pgEnum("project_status", ["active", "paused", "archived"]);
export type ProjectStatus = (typeof projectStatus.enumValues)[number];

/** In user-perceived characters (@/lib/text); the checks below bound code points. */
export const PROJECT_NAME_MAX = 100;
export const PROJECT_DESCRIPTION_MAX = 2000;
const codePoints = (characters: number) => sql.raw(String(characters * CODE_POINTS_PER_CHARACTER));

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
    // The API validates text first (400, @/lib/text); these keep every other writer honest too.
    check("projects_name_length", sql`char_length(${table.name}) between 1 and ${codePoints(PROJECT_NAME_MAX)}`),
    check(
      "projects_description_length",
      sql`char_length(${table.description}) <= ${codePoints(PROJECT_DESCRIPTION_MAX)}`,
    ),
    // Names and descriptions are stored NFC-normalized, so the unique constraint sees "Café" typed
    // either way as one name: a trigger normalizes what any writer stores (migration 0005).
  ],
);
