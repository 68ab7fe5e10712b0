import type { z } from "zod";
import type { ServerEnv } from "@/lib/env";
import type { Transaction } from "@/lib/db";
import type { Logger } from "@/lib/logger";

/** What a job's handler gets. */
export interface JobContext<P> {
  /** The payload, validated by the job's schema. */
  payload: P;
  jobId: string;
  /** The tenant a tenant job belongs to (stamped when it was enqueued); undefined for system jobs. */
  tenantId: string | undefined;
  /** 1 on the first attempt, 2 on the first retry… */
  attempt: number;
  /** Aborted when the job's timeout passes: stop and let it be retried. */
  signal: AbortSignal;
  log: Logger;
  /**
   * A transaction in the job's scope, and the only way a job reaches the database: a tenant job's
   * runs as the application role inside its tenant's row-level-security scope, like a request; a
   * system job's is the one system scope.
   */
  transaction: <T>(fn: (tx: Transaction) => Promise<T>) => Promise<T>;
}

/**
 * A kind of job: its queue (one pg-boss queue of the same name, created by a migration), whose
 * scope it runs in, the payload it accepts, how long one attempt may take and how often it is
 * retried (with exponential backoff from retryDelaySeconds) before it becomes a dead letter.
 */
export interface JobDefinition<P> {
  name: string;
  scope: "tenant" | "system";
  payload: z.ZodType<P>;
  timeoutSeconds: number;
  retryLimit: number;
  retryDelaySeconds: number;
  // Method syntax: a list of jobs of different payloads is a JobDefinition<unknown>[].
  run(context: JobContext<P>): Promise<void>;
}

export function defineJob<P>(definition: JobDefinition<P>): JobDefinition<P> {
  return definition;
}

/** The payload of a scheduled job: the UTC tick it runs for. */
export interface Tick {
  tickAt: string;
}

/**
 * Scheduled work: a system job enqueued once per tick (every `everySeconds`, on UTC boundaries of
 * that interval) across any number of workers. `run` gets the system-scope transaction in which the
 * tick is also marked done, so a tick's database work commits exactly once even when an attempt
 * dies halfway and is retried.
 */
export interface ScheduledJob {
  name: string;
  everySeconds: (env: Readonly<ServerEnv>) => number;
  timeoutSeconds: number;
  run: (tx: Transaction, context: Omit<JobContext<Tick>, "transaction">) => Promise<void>;
}

export function defineScheduledJob(definition: ScheduledJob): ScheduledJob {
  return definition;
}
