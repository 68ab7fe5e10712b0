import { and, eq, lt, sql } from "drizzle-orm";
import { scheduledRuns } from "@db/schema";
import { withSystemScope } from "@/lib/db";
import type { ServerEnv } from "@/lib/env";
import type { Logger } from "@/lib/logger";
import { defineJob, type JobDefinition, type ScheduledJob, type Tick } from "./definition";
import { enqueue } from "./enqueue";
import { z } from "zod";

/** Ledger rows older than this are deleted by the job of the same schedule. */
const LEDGER_RETENTION_DAYS = 30;

/** Pure: the start of the UTC interval of `everySeconds` that holds `now` (ms). */
function tickAt(now: number, everySeconds: number): Date {
  const everyMs = everySeconds * 1000;
  return new Date(Math.floor(now / everyMs) * everyMs);
}

const tickPayload = z.strictObject({ tickAt: z.iso.datetime() });

/**
 * The system job that runs a scheduled job's tick: it counts the attempt, then runs the work in the
 * transaction that marks the tick completed (a tick already completed is skipped), so the work
 * commits once per tick whatever happens to the attempts.
 */
export function scheduledJobDefinition(scheduled: ScheduledJob): JobDefinition<Tick> {
  return defineJob({
    name: scheduled.name,
    scope: "system",
    payload: tickPayload,
    timeoutSeconds: scheduled.timeoutSeconds,
    retryLimit: 3,
    retryDelaySeconds: 5,
    run: async ({ transaction: _transaction, ...context }) => {
      const tick = new Date(context.payload.tickAt);
      const ledger = and(eq(scheduledRuns.name, scheduled.name), eq(scheduledRuns.tickAt, tick));
      await withSystemScope((tx) =>
        tx
          .update(scheduledRuns)
          .set({ attempts: sql`${scheduledRuns.attempts} + 1` })
          .where(ledger),
      );
      await withSystemScope(async (tx) => {
        const [row] = await tx
          .select({ completedAt: scheduledRuns.completedAt })
          .from(scheduledRuns)
          .where(ledger)
          .for("update");
        if (row?.completedAt) {
          context.log.info({ queue: scheduled.name, tickAt: context.payload.tickAt }, "tick already completed");
          return;
        }
        await scheduled.run(tx, context);
        await tx
          .update(scheduledRuns)
          .set({ completedAt: sql`now()` })
          .where(ledger);
        await tx
          .delete(scheduledRuns)
          .where(
            and(
              eq(scheduledRuns.name, scheduled.name),
              lt(scheduledRuns.tickAt, sql`now() - make_interval(days => ${LEDGER_RETENTION_DAYS})`),
            ),
          );
      });
    },
  });
}

/**
 * Each worker calls this about once a second: for every schedule whose current tick it has not
 * seen, it inserts the tick into the ledger and, when the insert won (no other worker got there
 * first), enqueues the tick's job in the same transaction. Ticks pass while no worker runs are not
 * made up (the next tick runs). Errors (the database down) are logged; the next call tries again.
 */
export function createScheduler(scheduled: readonly ScheduledJob[], env: Readonly<ServerEnv>, log: Logger) {
  const seen = new Map<string, number>();
  const definitions = new Map(scheduled.map((job) => [job.name, scheduledJobDefinition(job)]));
  return async function scheduleDueTicks(now = Date.now()): Promise<void> {
    for (const job of scheduled) {
      const tick = tickAt(now, job.everySeconds(env));
      if (seen.get(job.name) === tick.getTime()) continue;
      try {
        const enqueued = await withSystemScope(async (tx) => {
          const [won] = await tx
            .insert(scheduledRuns)
            .values({ name: job.name, tickAt: tick })
            .onConflictDoNothing()
            .returning({ name: scheduledRuns.name });
          if (!won) return false;
          return enqueue(tx, definitions.get(job.name)!, { tickAt: tick.toISOString() }, { key: tick.toISOString() });
        });
        seen.set(job.name, tick.getTime());
        if (enqueued) log.info({ queue: job.name, tickAt: tick.toISOString() }, "scheduled job enqueued");
      } catch (error) {
        log.warn({ err: error, queue: job.name }, "could not schedule: will try again");
      }
    }
  };
}
