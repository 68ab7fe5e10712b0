import "server-only";

/**
 * Background jobs on PostgreSQL (pg-boss; ADR 0064, docs/jobs.md): define a job, enqueue it in the
 * transaction of the change that causes it, and, in the worker process (src/worker.ts), run every
 * job and schedule listed in src/jobs.ts.
 */
export { defineJob, defineScheduledJob, type JobDefinition, type ScheduledJob } from "./definition";
export { enqueue } from "./enqueue";
export { getWorkerMetrics } from "./metrics";
export { readQueueHealth } from "./queue-health";
export { startJobRunner, type JobRunner } from "./runner";
