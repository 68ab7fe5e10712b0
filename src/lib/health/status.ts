/**
 * Pure decisions: what the instance reports given the results of its dependency checks. No I/O,
 * so every rule here is unit-tested (tests/unit/health/status.test.ts).
 */

export type DependencyStatus = "up" | "down";

export interface DependencyCheck {
  status: DependencyStatus;
  latencyMs: number;
  /** A short, sanitized reason when down ("connection refused", "timed out"). */
  error?: string;
}

export type RedisCheck = DependencyCheck | { status: "not-configured" };

export interface MigrationsCheck {
  /** up-to-date: nothing pending; pending: the database is behind the app; unknown: database down. */
  status: "up-to-date" | "pending" | "unknown";
  pending: number | null;
}

export interface DependencyChecks {
  database: DependencyCheck;
  redis: RedisCheck;
}

export type HealthStatus = "healthy" | "degraded" | "unhealthy";

/**
 * The detailed report's status. The database is the one hard dependency: down means unhealthy.
 * Redis down, migrations pending or backups stale still serve the core of the app: degraded.
 */
export function overallStatus(
  checks: DependencyChecks & { migrations: MigrationsCheck; backup?: { status: string } },
): HealthStatus {
  if (checks.database.status === "down") return "unhealthy";
  if (checks.redis.status === "down" || checks.migrations.status !== "up-to-date") return "degraded";
  // Backups never stop serving, but a stale or unreadable one is for a human to look at now.
  if (checks.backup && checks.backup.status !== "ok" && checks.backup.status !== "not-configured") return "degraded";
  return "healthy";
}

/** healthy and degraded answer 200 (keep serving, alert a human); unhealthy answers 503. */
export function httpStatusForHealth(status: HealthStatus): 200 | 503 {
  return status === "unhealthy" ? 503 : 200;
}

export type ReadinessStatus = "ready" | "not-ready" | "draining";

export interface Readiness {
  status: ReadinessStatus;
  /** The dependencies that made the instance not ready. */
  failing: ("database" | "redis")[];
}

/**
 * Whether a load balancer should send this instance traffic: not while draining for shutdown,
 * not without its database, and not without Redis when Redis is marked required.
 */
export function readinessFrom(input: {
  draining: boolean;
  checks?: DependencyChecks;
  redisRequired: boolean;
}): Readiness {
  if (input.draining || !input.checks) return { status: "draining", failing: [] };
  const failing: Readiness["failing"] = [];
  if (input.checks.database.status === "down") failing.push("database");
  if (input.redisRequired && input.checks.redis.status !== "up") failing.push("redis");
  return { status: failing.length === 0 ? "ready" : "not-ready", failing };
}

export function httpStatusForReadiness(readiness: Readiness): 200 | 503 {
  return readiness.status === "ready" ? 200 : 503;
}

/**
 * Migrations the app ships that the database has not applied. Mirrors drizzle's migrator: a
 * migration is applied when its journal timestamp is not newer than the last applied one.
 */
export function pendingMigrations(journalTimestamps: readonly number[], lastAppliedAt: number | null): number {
  if (lastAppliedAt === null) return journalTimestamps.length;
  return journalTimestamps.filter((when) => when > lastAppliedAt).length;
}
