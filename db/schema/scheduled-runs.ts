import { bigint, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * The scheduler's ledger (src/lib/jobs/scheduler.ts): one row per scheduled job and tick, inserted
 * by whichever worker reaches the tick first, in the transaction that enqueues the tick's job, so a
 * tick is enqueued once across any number of workers. The job marks completed_at in the
 * transaction of its own work: a tick's work commits once. Not tenant-owned: the connecting role only.
 */
export const scheduledRuns = pgTable(
  "scheduled_runs",
  {
    name: text("name").notNull(),
    tickAt: timestamp("tick_at", { withTimezone: true }).notNull(),
    enqueuedAt: timestamp("enqueued_at", { withTimezone: true }).notNull().defaultNow(),
    /** Attempts that started (a retry after a crash or timeout adds one). */
    attempts: bigint("attempts", { mode: "number" }).notNull().default(0),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (table) => [primaryKey({ columns: [table.name, table.tickAt] })],
);
