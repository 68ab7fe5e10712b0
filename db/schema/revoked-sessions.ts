import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "./users";

/**
 * Local-mode sessions ended by signing out: a session token stays valid until it expires, so its
 * id (the JWT's jti) is recorded here and every request's verification refuses it. Rows can go
 * once the token has expired anyway.
 */
export const revokedSessions = pgTable(
  "revoked_sessions",
  {
    id: text("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index("revoked_sessions_expires_idx").on(table.expiresAt)],
);
