import PgBoss from "pg-boss";
import type { Transaction } from "@/lib/db";
import { singleton } from "@/lib/singleton";
import type { JobDefinition } from "./definition";
import { jobIdFor } from "./keys";
import { transactionAdapter } from "./sql-adapter";

/** What a job row's data holds: the payload, and the tenant it runs for (row-level security checks it). */
export interface JobData {
  tenantId?: string;
  payload: unknown;
}

/** Days a job may wait in the queue before it expires unrun (no worker for two weeks). */
const JOB_RETENTION_DAYS = 14;

/**
 * pg-boss only as the author of its insert statement: this instance never connects (every send
 * passes the caller's transaction as `db`) and never starts.
 */
const sender = () =>
  singleton(
    "jobs.sender",
    () =>
      new PgBoss({
        db: {
          executeSql: () => Promise.reject(new Error("enqueue() runs inside the caller's transaction only")),
        },
        migrate: false,
        schedule: false,
        supervise: false,
      }),
  );

/**
 * Enqueues `job` inside `tx` (an outbox: the job exists exactly when the transaction that caused
 * it commits). `key` is the idempotency key: enqueueing the same key again while the first job is
 * in the queue table (until ARCHIVE_COMPLETED_AFTER_DAYS after it completed) adds nothing. A tenant job needs `tx` in that tenant's scope (the
 * database refuses a job for another tenant). Returns whether a new job was added.
 */
export async function enqueue<P>(
  tx: Transaction,
  job: JobDefinition<P>,
  payload: P,
  options: { key: string; tenantId?: string; startAfterSeconds?: number },
): Promise<boolean> {
  if ((job.scope === "tenant") !== (options.tenantId !== undefined)) {
    throw new Error(`${job.name} is a ${job.scope} job: ${job.scope === "tenant" ? "give" : "do not give"} a tenantId`);
  }
  const data: JobData = {
    ...(options.tenantId ? { tenantId: options.tenantId } : {}),
    payload: job.payload.parse(payload),
  };
  const id = await sender().send(job.name, data as unknown as object, {
    id: jobIdFor(job.name, options.key),
    db: transactionAdapter(tx),
    retryLimit: job.retryLimit,
    retryDelay: job.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: job.timeoutSeconds,
    retentionDays: JOB_RETENTION_DAYS,
    // A Date, never seconds: pg-boss sends startAfter as one parameter PostgreSQL types as a
    // timestamp, which a number of seconds ("3600") is not (postgres.js binds typed parameters).
    ...(options.startAfterSeconds ? { startAfter: new Date(Date.now() + options.startAfterSeconds * 1000) } : {}),
  });
  return id !== null;
}
