import client, { type Counter, type Gauge, type Histogram, type Registry } from "prom-client";
import { getRelease } from "@/lib/env";
import { singleton } from "@/lib/singleton";

/**
 * Prometheus metrics for GET /api/metrics. One registry per process (a module loaded twice, per
 * bundle or on hot reload, must not register metrics twice). Labels are route patterns and status
 * classes, never raw URLs. Names are a contract with ops/prometheus (rules and dashboards).
 */

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<"method" | "route" | "status_class">;
  httpDuration: Histogram<"method" | "route" | "status_class">;
  buildInfo: Gauge<"version" | "commit">;
  rateLimitRejected: Counter<"policy">;
  rateLimitFallback: Counter<"policy">;
  webVitalSeconds: Histogram<"metric" | "route">;
  webVitalCls: Histogram<"route">;
}

type Probe<T> = () => T;

export interface DatabasePoolStats {
  /** Connections the pool may open (DATABASE_POOL_MAX). */
  max: number;
  /** Database operations currently holding a connection. */
  inUse: number;
}

/** Redis client state: "ready" means connected; undefined means Redis is not configured. */
export type RedisState = string | undefined;

/** What the readiness checks last saw (for slipway_ready and slipway_health_check_up). */
export interface HealthSnapshot {
  ready: boolean;
  checks: { database: boolean; redis?: boolean };
  /** End of the last successful backup (Unix seconds; 0 when unreadable); absent when not configured. */
  backupLastSuccessSeconds?: number;
}

/** One job queue's state (the jobs concern reads it from the database). */
export interface JobQueueSnapshot {
  queue: string;
  waiting: number;
  oldestWaitingSeconds: number;
  active: number;
  deadLetters: number;
}

const probes = singleton(
  "observability.metric-probes",
  (): {
    jobQueues?: Probe<Promise<JobQueueSnapshot[]>>;
    databasePool?: Probe<DatabasePoolStats>;
    redis?: Probe<RedisState>;
    health?: Probe<Promise<HealthSnapshot>>;
    inFlight?: Probe<number>;
  } => ({}),
);

/** The jobs concern reports the queues' state here (wired once in instrumentation.ts). */
export function observeJobQueues(probe: Probe<Promise<JobQueueSnapshot[]>>): void {
  probes.jobQueues = probe;
}

/** The HTTP server reports its in-flight account here (once, when it starts). */
export function observeInFlight(probe: Probe<number>): void {
  probes.inFlight = probe;
}

/** Set once at startup (install.ts), from timeDatabase's in-flight count and DATABASE_POOL_MAX. */
export function observeDatabasePool(probe: Probe<DatabasePoolStats>): void {
  probes.databasePool = probe;
}

/** The Redis client reports its connection state here (called once at startup). */
export function observeRedis(probe: Probe<RedisState>): void {
  probes.redis = probe;
}

/** The health concern reports readiness and dependency state here (wired once in instrumentation.ts). */
export function observeHealth(probe: Probe<Promise<HealthSnapshot>>): void {
  probes.health = probe;
}

function createMetrics(release: { version: string; commit: string | undefined }): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });

  const httpRequests = new client.Counter({
    name: "http_requests_total",
    help: "HTTP requests completed, by method, route pattern and status class.",
    labelNames: ["method", "route", "status_class"] as const,
    registers: [registry],
  });
  const httpDuration = new client.Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration in seconds, by method, route pattern and status class.",
    labelNames: ["method", "route", "status_class"] as const,
    // 0.5 s and 2 s are the API and page latency objectives (ops/prometheus/rules/slo.yml).
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10],
    registers: [registry],
  });
  new client.Gauge({
    name: "slipway_http_requests_in_flight",
    help: "Requests this process is working on (the account load shedding and the shutdown drain read).",
    registers: [registry],
    collect() {
      const inFlight = probes.inFlight?.();
      if (inFlight !== undefined) this.set(inFlight);
    },
  });
  const buildInfo = new client.Gauge({
    name: "slipway_build_info",
    help: "Always 1; labels carry the running version and commit.",
    labelNames: ["version", "commit"] as const,
    registers: [registry],
  });
  buildInfo.set({ version: release.version, commit: release.commit ?? "unknown" }, 1);

  new client.Gauge({
    name: "slipway_db_pool_connections",
    help: "Database pool: connections in use, remaining capacity and the maximum (state=in_use|idle_capacity|max).",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      this.reset();
      const stats = probes.databasePool?.();
      if (!stats) return;
      this.set({ state: "in_use" }, stats.inUse);
      this.set({ state: "idle_capacity" }, Math.max(0, stats.max - stats.inUse));
      this.set({ state: "max" }, stats.max);
    },
  });
  new client.Gauge({
    name: "slipway_redis_up",
    help: "1 when the Redis client is connected and ready, 0 otherwise; absent when Redis is not configured.",
    labelNames: ["client"] as const,
    registers: [registry],
    collect() {
      this.reset();
      const state = probes.redis?.();
      if (state === undefined) return;
      this.set({ client: "default" }, state === "ready" ? 1 : 0);
    },
  });
  // Both gauges ask the health probe; its checks are cached and single-flight (HEALTH_CACHE_MS).
  const healthNow = async () => probes.health?.();
  new client.Gauge({
    name: "slipway_ready",
    help: "1 when this instance is ready for traffic (GET /health/ready answers 200), 0 when not ready or draining.",
    registers: [registry],
    async collect() {
      const health = await healthNow();
      if (health) this.set(health.ready ? 1 : 0);
    },
  });
  new client.Gauge({
    name: "slipway_health_check_up",
    help: "1 when a dependency check passes, 0 when it fails (check=database|redis); redis absent when not configured.",
    labelNames: ["check"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const health = await healthNow();
      if (!health) return;
      this.set({ check: "database" }, health.checks.database ? 1 : 0);
      if (health.checks.redis !== undefined) this.set({ check: "redis" }, health.checks.redis ? 1 : 0);
    },
  });
  const rateLimitRejected = new client.Counter({
    name: "slipway_rate_limit_rejected_total",
    help: "Requests answered 429 by a rate limit, by policy.",
    labelNames: ["policy"] as const,
    registers: [registry],
  });
  const rateLimitFallback = new client.Counter({
    name: "slipway_rate_limit_fallback_total",
    help: "Rate-limit decisions taken by the per-instance in-memory limiter because Redis was unavailable, by policy.",
    labelNames: ["policy"] as const,
    registers: [registry],
  });
  new client.Gauge({
    name: "slipway_backup_last_success_timestamp_seconds",
    help: "End of the last successful backup (Unix seconds) from BACKUP_STATUS_FILE; 0 when unreadable, absent when not configured.",
    registers: [registry],
    async collect() {
      const seconds = (await healthNow())?.backupLastSuccessSeconds;
      // A gauge without labels always has a sample (0 after reset()): remove it when backups are not
      // reported, or SlipwayBackupTooOld would fire on every deployment that has none.
      if (seconds === undefined) this.remove();
      else this.set(seconds);
    },
  });
  // Real users' page experience (src/lib/observability/web-vitals.ts), per route template. Buckets
  // hold the thresholds of "good" and "poor" (web.dev): LCP 2.5/4 s, INP 0.2/0.5 s, FCP 1.8/3 s,
  // TTFB 0.8/1.8 s; CLS 0.1/0.25.
  const webVitalSeconds = new client.Histogram({
    name: "slipway_web_vitals_seconds",
    help: "Core Web Vitals reported by browsers, in seconds (metric=LCP|INP|FCP|TTFB), by route pattern.",
    labelNames: ["metric", "route"] as const,
    buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1, 1.8, 2.5, 3, 4, 6, 10],
    registers: [registry],
  });
  const webVitalCls = new client.Histogram({
    name: "slipway_web_vitals_cls",
    help: "Cumulative Layout Shift reported by browsers (unitless), by route pattern.",
    labelNames: ["route"] as const,
    buckets: [0.01, 0.05, 0.1, 0.15, 0.25, 0.5, 1],
    registers: [registry],
  });
  // The job queues' state, read from the database once per scrape (the four gauges share the read).
  // Exported by the web process, so it is scraped even while no worker runs (docs/jobs.md).
  let queuesRead: { at: number; snapshot: Promise<JobQueueSnapshot[] | undefined> } | undefined;
  const queuesNow = (): Promise<JobQueueSnapshot[] | undefined> => {
    if (!queuesRead || Date.now() - queuesRead.at > 1000) {
      queuesRead = {
        at: Date.now(),
        snapshot: probes.jobQueues?.().catch(() => undefined) ?? Promise.resolve(undefined),
      };
    }
    return queuesRead.snapshot;
  };
  const queueGauge = (name: string, help: string, value: (queue: JobQueueSnapshot) => number) =>
    new client.Gauge({
      name,
      help,
      labelNames: ["queue"] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const queue of (await queuesNow()) ?? []) this.set({ queue: queue.queue }, value(queue));
      },
    });
  queueGauge("slipway_job_queue_depth", "Jobs due and waiting for a worker, by queue.", (queue) => queue.waiting);
  queueGauge(
    "slipway_job_oldest_waiting_seconds",
    "How long the longest-due waiting job has been due, by queue (0 when none waits).",
    (queue) => queue.oldestWaitingSeconds,
  );
  queueGauge("slipway_job_active", "Jobs a worker is running now, by queue.", (queue) => queue.active);
  queueGauge(
    "slipway_job_dead_letters",
    "Jobs that failed their last attempt and are kept with their error (dead letters), by queue.",
    (queue) => queue.deadLetters,
  );
  return {
    registry,
    httpRequests,
    httpDuration,
    buildInfo,
    rateLimitRejected,
    rateLimitFallback,
    webVitalSeconds,
    webVitalCls,
  };
}

/** The process's metrics (created on first use, with the release of this build). */
export function getMetrics(): Metrics {
  return singleton("observability.metrics", () => createMetrics(getRelease()));
}

/** Constant-time comparison of the bearer token. */
export function isAuthorizedScrape(authorization: string | null, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? "");
  if (!match) return false;
  const given = new TextEncoder().encode(match[1]!.trim());
  const expected = new TextEncoder().encode(token);
  let difference = given.length ^ expected.length;
  for (let index = 0; index < expected.length; index++) difference |= (given[index] ?? 0) ^ expected[index]!;
  return difference === 0;
}
