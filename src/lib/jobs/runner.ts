import PgBoss from "pg-boss";
import { withScope, withSystemScope } from "@/lib/db";
import type { ServerEnv } from "@/lib/env";
import type { Logger } from "@/lib/logger";
import { reportJobError } from "@/lib/observability";
import type { JobDefinition, ScheduledJob } from "./definition";
import type { JobData } from "./enqueue";
import { getWorkerMetrics } from "./metrics";
import { createScheduler, scheduledJobDefinition } from "./scheduler";

/** A completed job stays in the queue table this long (its idempotency key deduplicates meanwhile). */
const ARCHIVE_COMPLETED_AFTER_DAYS = 7;
/** A dead letter stays in the queue table, with its error, this long (then in pgboss.archive). */
const ARCHIVE_FAILED_AFTER_DAYS = 30;
/** How long a dead database may keep the worker from starting before it says so again. */
const START_RETRY_MS = 2000;

export interface JobRunner {
  /** Started, the database answers and not stopping. */
  isReady: () => Promise<boolean>;
  /**
   * Stops taking jobs, lets running ones finish within `timeoutMs`, then hands the rest back to
   * the queue (failed with "shut down while active", so another worker retries them) and closes.
   */
  stop: (timeoutMs: number) => Promise<void>;
}

export interface RunnerOptions {
  jobs: readonly JobDefinition<unknown>[];
  scheduled: readonly ScheduledJob[];
  env: Readonly<ServerEnv>;
  log: Logger;
}

/** The pg-boss instance of a worker: its own pool, the schema checked not migrated (the release step migrates). */
function createBoss(env: Readonly<ServerEnv>): PgBoss {
  return new PgBoss({
    connectionString: env.DATABASE_URL,
    application_name: "slipway-worker",
    max: env.WORKER_CONCURRENCY + 2,
    migrate: false,
    // Schedules are Slipway's own (./scheduler.ts): seconds, from the environment, once per tick.
    schedule: false,
    // Maintenance: timed-out jobs back to the queue, archiving; one worker per interval does it.
    supervise: true,
    maintenanceIntervalSeconds: env.JOBS_MAINTENANCE_INTERVAL_SECONDS,
    archiveCompletedAfterSeconds: ARCHIVE_COMPLETED_AFTER_DAYS * 86_400,
    archiveFailedAfterSeconds: ARCHIVE_FAILED_AFTER_DAYS * 86_400,
    connectionTimeoutMillis: env.DATABASE_CONNECT_TIMEOUT_SECONDS * 1000,
  } as PgBoss.ConstructorOptions);
}

/** Starts pg-boss, waiting out a database that is not there yet (a worker may start before it). */
async function startWhenReachable(env: Readonly<ServerEnv>, log: Logger, stopped: () => boolean): Promise<PgBoss> {
  for (let attempt = 1; ; attempt++) {
    const boss = createBoss(env);
    boss.on("error", (error: Error) => log.warn({ err: error }, "job queue error"));
    try {
      await boss.start();
      return boss;
    } catch (error) {
      await boss.stop({ graceful: false, wait: true }).catch(() => {});
      if (error instanceof Error && /requires migrations|not installed/.test(error.message)) throw error;
      if (stopped()) throw error;
      if (attempt === 1 || attempt % 15 === 0)
        log.warn({ err: error, attempt }, "job queue: database unreachable, retrying");
      await new Promise((resolve) => setTimeout(resolve, START_RETRY_MS));
    }
  }
}

/** Runs one job: the payload validated, its scope entered, the timeout enforced, the outcome measured and reported. */
function handlerFor(definition: JobDefinition<unknown>, log: Logger) {
  const metrics = getWorkerMetrics();
  return async ([job]: PgBoss.JobWithMetadata<JobData>[]) => {
    if (!job) return;
    const started = performance.now();
    const attempt = job.retryCount + 1;
    const tenantId = definition.scope === "tenant" ? job.data.tenantId : undefined;
    const jobLog = log.child({ queue: definition.name, jobId: job.id, ...(tenantId ? { tenantId } : {}) });
    const timeout = AbortSignal.timeout(definition.timeoutSeconds * 1000);
    try {
      if (definition.scope === "tenant" && !tenantId)
        throw new Error(`${definition.name}: a tenant job without a tenant`);
      const payload = definition.payload.parse(job.data.payload);
      await definition.run({
        payload,
        jobId: job.id,
        tenantId,
        attempt,
        signal: timeout,
        log: jobLog,
        transaction: tenantId ? (fn) => withScope({ tenantId }, fn) : withSystemScope,
      });
      metrics.jobDuration.observe(
        { queue: definition.name, outcome: "completed" },
        (performance.now() - started) / 1000,
      );
    } catch (error) {
      const final = job.retryCount >= job.retryLimit;
      metrics.jobDuration.observe({ queue: definition.name, outcome: "failed" }, (performance.now() - started) / 1000);
      metrics.jobFailures.inc({ queue: definition.name });
      if (final) metrics.deadLetters.inc({ queue: definition.name });
      reportJobError(error, { queue: definition.name, jobId: job.id, tenantId, attempt, final }, jobLog);
      throw error;
    }
  };
}

/**
 * Starts the worker's job processing: every job's queue worked WORKER_CONCURRENCY at a time, and
 * the scheduler enqueueing each schedule's ticks. Refuses to start when a job has no queue (its
 * migration is missing) or the queue schema is not the one this pg-boss expects.
 */
export async function startJobRunner({ jobs, scheduled, env, log }: RunnerOptions): Promise<JobRunner> {
  let stopping = false;
  const boss = await startWhenReachable(env, log, () => stopping);
  const definitions = [...jobs, ...scheduled.map((job) => scheduledJobDefinition(job))];
  const missing: string[] = [];
  for (const definition of definitions) if (!(await boss.getQueue(definition.name))) missing.push(definition.name);
  if (missing.length > 0) {
    await boss.stop({ graceful: false, wait: true });
    throw new Error(
      `No queue for job(s) ${missing.join(", ")}: add a migration with SELECT pgboss.create_queue('<name>', '{"policy":"standard"}') (docs/jobs.md).`,
    );
  }
  for (const definition of definitions) {
    const handler = handlerFor(definition, log);
    for (let slot = 0; slot < env.WORKER_CONCURRENCY; slot++) {
      await boss.work<JobData>(
        definition.name,
        { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: env.JOBS_POLL_INTERVAL_SECONDS },
        handler,
      );
    }
  }

  const scheduleDueTicks = createScheduler(scheduled, env, log);
  let scheduling: Promise<void> = scheduleDueTicks();
  const timer = setInterval(() => {
    scheduling = scheduling.then(() => (stopping ? undefined : scheduleDueTicks()));
  }, 1000);

  const db = boss.getDb();
  return {
    isReady: async () => {
      if (stopping) return false;
      try {
        await Promise.race([
          db.executeSql("select 1", []),
          new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 2000)),
        ]);
        return true;
      } catch {
        return false;
      }
    },
    stop: async (timeoutMs) => {
      stopping = true;
      clearInterval(timer);
      await scheduling.catch(() => {});
      await boss.stop({ graceful: true, timeout: timeoutMs, wait: true, close: true });
    },
  };
}
