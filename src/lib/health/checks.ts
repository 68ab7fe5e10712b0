import "server-only";
import journal from "@db/migrations/meta/_journal.json";
import { connectionOptions, lazyConnection } from "@/lib/db";
import { getLogger } from "@/lib/logger";
import { isRedisConfigured, pingRedis } from "@/lib/redis";
import { describeFailure, withTimeout } from "./failure";
import { pendingMigrations, type DependencyCheck, type MigrationsCheck, type RedisCheck } from "./status";

/** Upper bound for one dependency check; a probe answers within about this long. */
const CHECK_TIMEOUT_MS = 1000;

/**
 * The health checks' own PostgreSQL connection, separate from the application pool. Checks
 * measure whether the database answers, not how long the pool's queue is: when every pooled
 * connection is busy, a check queued behind application queries would time out and take a
 * healthy but busy instance out of rotation (and, across instances, turn load into an outage).
 * One connection per process; readiness runs at most one check per HEALTH_CACHE_MS on it.
 *
 * A check that runs too long is ended by the server (statement_timeout), never cancelled from
 * here: postgres.js strands a connection whose first query is cancelled while it is still
 * connecting (it never opens again), so after an outage long enough for its reconnect backoff to
 * exceed CHECK_TIMEOUT_MS every later check timed out and the instance never turned ready again
 * (found by the game day, tests/integration/health/slow-reconnect.test.ts). A check still
 * waiting for the connection simply runs once it opens.
 */
const healthConnection = lazyConnection("health.connection", (env) =>
  connectionOptions(env, { max: 1, statementTimeoutMs: CHECK_TIMEOUT_MS }),
);

/**
 * The readiness query. The marker comment lets an operator (and the integration test, through
 * PostgreSQL's statement log) tell health checks apart from application queries.
 */
const DATABASE_CHECK_SQL = "SELECT 1 /* slipway-health */";

/** Journal timestamps of the migrations bundled with this build (drizzle's meta/_journal.json). */
const SHIPPED_MIGRATIONS: readonly number[] = (journal as { entries: { when: number }[] }).entries.map(
  (entry) => entry.when,
);

const lastStatus = new Map<string, string>();

/** Logs a check's failure and recovery once per transition, not on every probe. */
function logTransition(name: string, status: string, error?: unknown): void {
  if (lastStatus.get(name) === status) return;
  const previous = lastStatus.get(name);
  lastStatus.set(name, status);
  const log = getLogger().child({ component: "health", check: name });
  if (status === "down") log.warn({ reason: describeFailure(error), err: error }, `${name} check failing`);
  else if (previous === "down") log.info(`${name} check recovered`);
}

async function timed(name: string, check: () => Promise<void>): Promise<DependencyCheck> {
  const started = performance.now();
  try {
    await check();
    logTransition(name, "up");
    return { status: "up", latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    logTransition(name, "down", error);
    return { status: "down", latencyMs: Math.round(performance.now() - started), error: describeFailure(error) };
  }
}

/** PostgreSQL answers `SELECT 1` within CHECK_TIMEOUT_MS. */
export function checkDatabase(): Promise<DependencyCheck> {
  return timed("database", async () => {
    await withTimeout(healthConnection.get().unsafe(DATABASE_CHECK_SQL).execute(), CHECK_TIMEOUT_MS);
  });
}

/** Redis answers PING within its command timeout; not-configured when REDIS_URL is unset. */
export async function checkRedis(): Promise<RedisCheck> {
  if (!isRedisConfigured()) return { status: "not-configured" };
  return timed("redis", () => withTimeout(pingRedis(), CHECK_TIMEOUT_MS * 2));
}

/** How many of the migrations this build ships the database has not applied. */
export async function checkMigrations(): Promise<MigrationsCheck> {
  let lastAppliedAt: number | null;
  try {
    const rows = await withTimeout(
      healthConnection
        .get()
        .unsafe<{ created_at: string | number }[]>(
          "SELECT created_at FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 1 /* slipway-health */",
        ),
      CHECK_TIMEOUT_MS,
    );
    lastAppliedAt = rows[0] ? Number(rows[0].created_at) : null;
  } catch (error) {
    const code = (error as { code?: string }).code;
    // No migrations schema or table yet (undefined_table, invalid_schema_name): nothing applied.
    if (code !== "42P01" && code !== "3F000") return { status: "unknown", pending: null };
    lastAppliedAt = null;
  }
  const pending = pendingMigrations(SHIPPED_MIGRATIONS, lastAppliedAt);
  return { status: pending === 0 ? "up-to-date" : "pending", pending };
}
