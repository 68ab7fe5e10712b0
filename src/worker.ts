/**
 * The worker process: `node worker.mjs` beside server.js in the standalone output and the image
 * (this file, bundled by scripts/build-server.mjs), `npm run worker` in development (and with the
 * app by `npm run dev`). It runs the jobs and schedules of src/jobs.ts (docs/jobs.md), with the
 * app's configuration, logging, Sentry and metrics, and serves on WORKER_PORT (HOSTNAME):
 *
 *   GET /health/live    200 while the process runs
 *   GET /health/ready   200 when it takes jobs (started, the database answers, not draining), else 503
 *   GET /metrics        Prometheus metrics (bearer METRICS_TOKEN; 404 while unset)
 *
 * SIGTERM (or SIGINT): readiness turns 503, no new job is taken, running jobs get until
 * WORKER_SHUTDOWN_TIMEOUT_SECONDS to finish, the rest go back to the queue for another worker,
 * then the process exits 0. A second signal exits at once. It never migrates: the release step does.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { closeDb } from "@/lib/db";
import { getEnv, validateConfigAtStartup } from "@/lib/env";
import { getWorkerMetrics, startJobRunner, type JobRunner } from "@/lib/jobs";
import { flushLogger, getLogger } from "@/lib/logger";
import { isAuthorizedScrape, runningSentry, startWorkerSentry } from "@/lib/observability";
import { jobs, scheduledJobs } from "./jobs";

validateConfigAtStartup();
const env = getEnv();
const log = getLogger().child({ process: "worker" });
await startWorkerSentry();

/** What the drain leaves for closing the pools and the health server. */
const CLOSE_MARGIN_MS = 2000;

let runner: JobRunner | undefined;
let phase: "starting" | "running" | "draining" = "starting";

function send(response: ServerResponse, status: number, body: unknown, type = "application/json"): void {
  response.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  response.end(typeof body === "string" ? body : JSON.stringify(body));
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? "/").split("?")[0];
  if (request.method !== "GET" && request.method !== "HEAD") {
    return send(response, 405, { error: { code: "method_not_allowed", message: "Only GET is served here." } });
  }
  if (path === "/health/live") return send(response, 200, { status: "ok" });
  if (path === "/health/ready") {
    const ready = phase === "running" && runner !== undefined && (await runner.isReady());
    return send(response, ready ? 200 : 503, {
      status: ready ? "ready" : phase === "running" ? "database_unavailable" : phase,
    });
  }
  if (path === "/metrics" && env.METRICS_TOKEN) {
    if (!isAuthorizedScrape(request.headers.authorization ?? null, env.METRICS_TOKEN)) {
      return send(response, 401, { error: { code: "unauthorized", message: "A valid bearer token is required." } });
    }
    const { registry } = getWorkerMetrics();
    return send(response, 200, await registry.metrics(), registry.contentType);
  }
  send(response, 404, { error: { code: "not_found", message: "Not found." } });
}

const server = createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    log.error({ err: error }, "worker health server error");
    if (!response.headersSent)
      send(response, 500, { error: { code: "internal_error", message: "Something went wrong." } });
  });
});
await new Promise<void>((resolve, reject) => {
  server.once("error", reject);
  server.listen(env.WORKER_PORT, env.HOSTNAME, () => resolve());
});
log.info({ port: env.WORKER_PORT, hostname: env.HOSTNAME }, "worker health server listening");

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (phase === "draining") {
    log.warn({ signal }, "second signal: exiting now");
    flushLogger();
    process.exit(1);
  }
  const previous = phase;
  phase = "draining";
  const budgetMs = Math.max(1000, env.WORKER_SHUTDOWN_TIMEOUT_SECONDS * 1000 - CLOSE_MARGIN_MS);
  log.info({ signal, timeoutMs: budgetMs }, "worker draining: no new jobs, waiting for running ones");
  const started = Date.now();
  try {
    if (previous === "running") await runner?.stop(budgetMs);
    await closeDb(1);
    await runningSentry()?.flush(1000);
  } catch (error) {
    log.error({ err: error }, "worker shutdown failed");
  }
  server.close();
  log.info({ durationMs: Date.now() - started }, "worker stopped");
  flushLogger();
  process.exit(0);
}
// pg-boss completes and fails jobs without awaiting (its worker loop moves on): while the database
// is down those calls reject with nobody to catch them. The job stays active and comes back after
// its timeout, so this is a warning, not a reason to die.
process.on("unhandledRejection", (reason) =>
  log.warn({ err: reason }, "unhandled rejection (job queue call during an outage?)"),
);
process.on("SIGTERM", (signal) => void shutdown(signal));
process.on("SIGINT", (signal) => void shutdown(signal));

if (!env.SMTP_URL) {
  log.warn("SMTP_URL is unset: emails are printed to this log in development and fail elsewhere");
}

try {
  runner = await startJobRunner({ jobs, scheduled: scheduledJobs, env, log });
} catch (error) {
  log.fatal({ err: error }, "worker cannot start");
  flushLogger();
  process.exit(1);
}
if (phase === "starting") {
  phase = "running";
  log.info({ jobs: jobs.map((job) => job.name), scheduled: scheduledJobs.map((job) => job.name) }, "worker running");
} else {
  await runner.stop(1000);
}
