import "server-only";
import postgres, { type Sql } from "postgres";
import { getEnv } from "@/lib/env";

/**
 * The health checks' own PostgreSQL connection, separate from the application pool. Checks
 * measure whether the database answers, not how long the pool's queue is: when every pooled
 * connection is busy, a check queued behind application queries would time out and take a
 * healthy but busy instance out of rotation (and, across instances, turn load into an outage).
 * One connection per process; readiness runs at most one check per HEALTH_CACHE_MS on it.
 */
const holder = globalThis as typeof globalThis & { __slipwayHealthSql?: Sql };

export function getHealthSql(): Sql {
  if (!holder.__slipwayHealthSql) {
    const env = getEnv();
    holder.__slipwayHealthSql = postgres(env.DATABASE_URL, {
      max: 1,
      connect_timeout: env.DATABASE_CONNECT_TIMEOUT_SECONDS,
      idle_timeout: env.DATABASE_IDLE_TIMEOUT_SECONDS,
      // PgBouncer in transaction mode cannot keep prepared statements.
      prepare: env.DATABASE_POOL_MODE !== "transaction",
      connection: { application_name: "slipway" },
      onnotice: () => {},
    });
  }
  return holder.__slipwayHealthSql;
}

/** Closes the health connection (shutdown). */
export async function closeHealthSql(timeoutSeconds = 2): Promise<void> {
  const sql = holder.__slipwayHealthSql;
  holder.__slipwayHealthSql = undefined;
  await sql?.end({ timeout: timeoutSeconds });
}
