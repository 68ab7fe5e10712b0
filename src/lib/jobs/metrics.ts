import client, { type Counter, type Histogram, type Registry } from "prom-client";
import { getRelease } from "@/lib/env";
import { singleton } from "@/lib/singleton";

/**
 * The worker process's own metrics (GET /metrics on WORKER_PORT): how long each job took and how
 * it ended, failed attempts and dead letters, by queue. The queue's state (depth, oldest waiting
 * job, dead letters held) is read from the database by the web process (./queue-health.ts), so it
 * is scraped even when no worker runs. The label is `queue`: `job` is Prometheus's own.
 */
export interface WorkerMetrics {
  registry: Registry;
  jobDuration: Histogram<"queue" | "outcome">;
  jobFailures: Counter<"queue">;
  deadLetters: Counter<"queue">;
}

export function getWorkerMetrics(): WorkerMetrics {
  return singleton("jobs.worker-metrics", () => {
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry });
    const release = getRelease();
    new client.Gauge({
      name: "slipway_build_info",
      help: "Always 1; labels carry the running version and commit.",
      labelNames: ["version", "commit"] as const,
      registers: [registry],
    }).set({ version: release.version, commit: release.commit ?? "unknown" }, 1);
    return {
      registry,
      jobDuration: new client.Histogram({
        name: "slipway_job_duration_seconds",
        help: "Job attempts by queue and outcome (completed|failed), in seconds.",
        labelNames: ["queue", "outcome"] as const,
        buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
        registers: [registry],
      }),
      jobFailures: new client.Counter({
        name: "slipway_job_failures_total",
        help: "Job attempts that failed (threw or timed out), by queue; each is retried until its retry limit.",
        labelNames: ["queue"] as const,
        registers: [registry],
      }),
      deadLetters: new client.Counter({
        name: "slipway_job_dead_letters_total",
        help: "Jobs that failed their last attempt and became dead letters, by queue.",
        labelNames: ["queue"] as const,
        registers: [registry],
      }),
    };
  });
}
