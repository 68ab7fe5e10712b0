import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres, { type Sql } from "postgres";
import * as schema from "@db/schema";
import { getEnv, type ServerEnv } from "@/lib/env";

export type Database = PostgresJsDatabase<typeof schema>;

interface DbHolder {
  __slipwaySql?: Sql;
  __slipwayDb?: Database;
}

// One pool per process, kept on globalThis so dev hot reload (and Next loading a module twice)
// does not open another pool.
const holder = globalThis as typeof globalThis & DbHolder;

export function poolOptions(env: ServerEnv): postgres.Options<Record<string, never>> {
  return {
    max: env.DATABASE_POOL_MAX,
    connect_timeout: env.DATABASE_CONNECT_TIMEOUT_SECONDS,
    idle_timeout: env.DATABASE_IDLE_TIMEOUT_SECONDS,
    // PgBouncer in transaction mode cannot keep prepared statements across transactions.
    prepare: env.DATABASE_POOL_MODE !== "transaction",
    connection: {
      application_name: "slipway",
      statement_timeout: env.DATABASE_STATEMENT_TIMEOUT_MS,
    },
    onnotice: () => {},
  };
}

/** The postgres.js pool (created on first use: nothing connects at import or during `next build`). */
export function getSql(): Sql {
  holder.__slipwaySql ??= postgres(getEnv().DATABASE_URL, poolOptions(getEnv()));
  return holder.__slipwaySql;
}

/** Drizzle over the pool. Runs as the connecting user: use withTenant for tenant data. */
export function getDb(): Database {
  holder.__slipwayDb ??= drizzle(getSql(), { schema });
  return holder.__slipwayDb;
}

/** Closes the pool, waiting up to `timeoutSeconds` for running queries. */
export async function closeDb(timeoutSeconds = 5): Promise<void> {
  const sql = holder.__slipwaySql;
  holder.__slipwaySql = undefined;
  holder.__slipwayDb = undefined;
  await sql?.end({ timeout: timeoutSeconds });
}
