import "server-only";
import { getEnv, getRelease } from "@/lib/env";
import type { HealthSnapshot } from "@/lib/observability";
import { isShuttingDown } from "@/lib/shutdown";
import { singleton } from "@/lib/singleton";
import { checkBackup, type BackupCheck } from "./backup";
import { cachedCheck } from "./cache";
import { checkDatabase, checkMigrations, checkRedis } from "./checks";
import {
  httpStatusForHealth,
  httpStatusForReadiness,
  overallStatus,
  readinessFrom,
  type DependencyChecks,
  type HealthStatus,
  type MigrationsCheck,
  type Readiness,
  type RedisCheck,
  type DependencyCheck,
} from "./status";

/** When this process started (performance.timeOrigin is the process start, not module load). */
const STARTED_AT = new Date(performance.timeOrigin).toISOString();

const ttl = () => getEnv().HEALTH_CACHE_MS;

// One cache and one in-flight check per process, shared by every route bundle.
const caches = singleton("health.caches", () => ({
  dependencies: cachedCheck<DependencyChecks>(async () => {
    const [database, redis] = await Promise.all([checkDatabase(), checkRedis()]);
    return { database, redis };
  }, ttl),
  migrations: cachedCheck(checkMigrations, ttl),
  backup: cachedCheck(() => checkBackup(getEnv().BACKUP_STATUS_FILE), ttl),
}));

export interface ReadinessResult {
  httpStatus: 200 | 503;
  body: { status: Readiness["status"]; failing?: Readiness["failing"] };
}

/** Readiness: 503 at once while draining, else the (cached) database and required-Redis checks. */
export async function getReadiness(): Promise<ReadinessResult> {
  const redisRequired = getEnv().REDIS_REQUIRED;
  if (isShuttingDown()) return { httpStatus: 503, body: { status: "draining" } };
  const checks = await caches.dependencies.get();
  // Shutdown may have started while the checks ran.
  const readiness = readinessFrom({ draining: isShuttingDown(), checks, redisRequired });
  return {
    httpStatus: httpStatusForReadiness(readiness),
    body:
      readiness.failing.length > 0
        ? { status: readiness.status, failing: readiness.failing }
        : { status: readiness.status },
  };
}

export interface HealthReport {
  status: HealthStatus;
  version: string;
  commit: string | null;
  startedAt: string;
  uptimeSeconds: number;
  timestamp: string;
  draining: boolean;
  checks: { database: DependencyCheck; redis: RedisCheck; migrations: MigrationsCheck; backup?: BackupCheck };
}

/** The detailed report behind /api/health (checks cached like readiness). */
export async function getHealthReport(): Promise<{ httpStatus: 200 | 503; body: HealthReport }> {
  const { database, redis } = await caches.dependencies.get();
  const migrations: MigrationsCheck =
    database.status === "up" ? await caches.migrations.get() : { status: "unknown", pending: null };
  const backup = await caches.backup.get();
  const checks = { database, redis, migrations, ...(backup.status === "not-configured" ? {} : { backup }) };
  const status = overallStatus(checks);
  const { version, commit } = getRelease();
  return {
    httpStatus: httpStatusForHealth(status),
    body: {
      status,
      version,
      commit: commit ?? null,
      startedAt: STARTED_AT,
      uptimeSeconds: Math.floor(process.uptime()),
      timestamp: new Date().toISOString(),
      draining: isShuttingDown(),
      checks,
    },
  };
}

/** For the metrics (slipway_ready, slipway_health_check_up): what readiness sees now, from the same cache. */
export async function healthSnapshot(): Promise<HealthSnapshot> {
  const readiness = await getReadiness();
  const [{ database, redis }, backup] = await Promise.all([caches.dependencies.get(), caches.backup.get()]);
  return {
    ready: readiness.httpStatus === 200,
    checks: {
      database: database.status === "up",
      ...(redis.status === "not-configured" ? {} : { redis: redis.status === "up" }),
    },
    // 0 when the status file is configured but unreadable: the backup-age alert fires, as it should.
    ...(backup.status === "not-configured"
      ? {}
      : { backupLastSuccessSeconds: backup.lastSuccessAt ? Date.parse(backup.lastSuccessAt) / 1000 : 0 }),
  };
}
