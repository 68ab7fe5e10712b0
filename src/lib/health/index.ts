import "server-only";

export { getHealthReport, getReadiness, type HealthReport, type ReadinessResult } from "./report";
export { isDraining, markDraining } from "./draining";
export { DATABASE_CHECK_SQL, CHECK_TIMEOUT_MS } from "./checks";
export {
  overallStatus,
  readinessFrom,
  httpStatusForHealth,
  httpStatusForReadiness,
  pendingMigrations,
  type HealthStatus,
  type Readiness,
  type DependencyCheck,
  type MigrationsCheck,
  type RedisCheck,
} from "./status";
export { healthResponse, NO_STORE_HEADERS } from "./respond";
