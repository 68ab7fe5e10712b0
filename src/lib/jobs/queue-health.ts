import { connectionOptions, lazyConnection } from "@/lib/db";

/**
 * The queue gauges' own PostgreSQL connection, outside the application pool (like the health
 * checks'): /api/metrics reads the queues on every scrape, and a read queued behind a saturated
 * pool held the whole scrape until Prometheus gave up, so the instance looked down and the pool's
 * own gauge, which SlipwayDatabasePoolSaturated reads, was never scraped (found by the game day's
 * pool-exhaustion scenario). One connection per web process; the read is ended by the server after
 * READ_TIMEOUT_MS (statement_timeout), never cancelled from here (see src/lib/health/checks.ts).
 */
const READ_TIMEOUT_MS = 1000;
const queueHealthConnection = lazyConnection("jobs.queue-health", (env) =>
  connectionOptions(env, { max: 1, statementTimeoutMs: READ_TIMEOUT_MS }),
);

/** One queue's state, read from pgboss.job. */
export interface QueueHealth {
  queue: string;
  /** Jobs due and not taken by a worker (new, or waiting for their retry whose time has come). */
  waiting: number;
  /** How long the longest-due waiting job has been due; 0 when none waits. */
  oldestWaitingSeconds: number;
  /** Jobs a worker holds right now. */
  active: number;
  /** Jobs that failed their last attempt, with their error (kept ARCHIVE_FAILED_AFTER_DAYS). */
  deadLetters: number;
}

/** Every queue's state in one statement (the web process's /api/metrics reads it on each scrape). */
export async function readQueueHealth(): Promise<QueueHealth[]> {
  const rows = await queueHealthConnection.get().unsafe<
    {
      queue: string;
      waiting: string;
      oldest_waiting_seconds: string | null;
      active: string;
      dead_letters: string;
    }[]
  >(`
    select q.name as queue,
      count(j.id) filter (where j.state in ('created', 'retry') and j.start_after <= now()) as waiting,
      extract(epoch from now() - min(j.start_after) filter (where j.state in ('created', 'retry') and j.start_after <= now())) as oldest_waiting_seconds,
      count(j.id) filter (where j.state = 'active') as active,
      count(j.id) filter (where j.state = 'failed') as dead_letters
    from pgboss.queue q left join pgboss.job j on j.name = q.name
    group by q.name order by q.name /* slipway-metrics */`);
  return Array.from(rows).map((row) => ({
    queue: row.queue,
    waiting: Number(row.waiting),
    oldestWaitingSeconds: Math.max(0, Number(row.oldest_waiting_seconds ?? 0)),
    active: Number(row.active),
    deadLetters: Number(row.dead_letters),
  }));
}
