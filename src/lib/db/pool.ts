import { connect, type Socket } from "node:net";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres, { type Sql } from "postgres";
import * as schema from "@db/schema";
import { outsideRequests } from "@/lib/memory";
import { getEnv, type ServerEnv } from "@/lib/env";
import { onShutdown } from "@/lib/shutdown";
import { releaseSingleton, singleton } from "@/lib/singleton";
import { pipelinedClient } from "./pipeline";

export type Database = PostgresJsDatabase<typeof schema>;

/** Options for every PostgreSQL connection the app opens (the pool, the health checks' connection). */
export function connectionOptions(
  env: Readonly<ServerEnv>,
  overrides: { max: number; statementTimeoutMs?: number },
): postgres.Options<Record<string, never>> {
  const options = {
    max: overrides.max,
    connect_timeout: env.DATABASE_CONNECT_TIMEOUT_SECONDS,
    idle_timeout: env.DATABASE_IDLE_TIMEOUT_SECONDS,
    // Seconds between reconnect attempts after failures: postgres.js's default grows to 20 s, which
    // kept instances away from a database that had been back for as long after an outage.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 2) * (0.5 + Math.random() / 2),
    // PgBouncer in transaction mode cannot keep prepared statements across transactions.
    prepare: env.DATABASE_POOL_MODE !== "transaction",
    connection: {
      application_name: "slipway",
      ...(overrides.statementTimeoutMs === undefined ? {} : { statement_timeout: overrides.statementTimeoutMs }),
    },
    onnotice: () => {},
    // A documented option (README, "Custom socket") that postgres.js 3.4's types leave out.
    socket: openSocket,
  };
  return options;
}

/**
 * The connection's socket, opened outside the request that needed it (it outlives the request;
 * see @/lib/memory). Returned still connecting, as postgres.js's own would be: it writes
 * its startup message at once (buffered until connected) and its connect timeout, errors, TLS
 * upgrade and reconnects work as without this option.
 */
function openSocket(options: { host: string[]; port: number[]; path?: string | false }): Socket {
  return outsideRequests(() => {
    if (options.path) return connect(options.path);
    const socket = connect(options.port[0]!, options.host[0]!) as Socket & { host?: string };
    // postgres.js names the TLS server (SNI) after socket.host, which its own sockets carry.
    socket.host = options.host[0];
    return socket;
  });
}

/**
 * A postgres.js client created on first use (nothing connects at import or during `next build`),
 * closed during shutdown after in-flight requests finished.
 */
export function lazyConnection(
  name: string,
  options: (env: Readonly<ServerEnv>) => postgres.Options<Record<string, never>>,
) {
  const get = (): Sql =>
    singleton(name, () => {
      const env = getEnv();
      onShutdown(name, () => close(Math.ceil(env.SHUTDOWN_TIMEOUT_SECONDS / 2)), "connections");
      return postgres(env.DATABASE_URL, options(env));
    });
  const close = async (timeoutSeconds = 5): Promise<void> => {
    await releaseSingleton<Sql>(name)?.end({ timeout: timeoutSeconds });
  };
  return { get, close };
}

const pool = lazyConnection("db.pool", (env) =>
  connectionOptions(env, { max: env.DATABASE_POOL_MAX, statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS }),
);

/** The postgres.js pool. */
const getSql = pool.get;

/**
 * Drizzle over the pool, with prepared statements and pipelined transactions (./pipeline.ts). Runs
 * as the connecting user: tenant data goes through a scope (./scope.ts).
 */
export function getDb(): Database {
  return singleton("db.drizzle", () => drizzle(pipelinedClient(getSql()), { schema }));
}

/** Closes the pool, waiting up to `timeoutSeconds` for running queries. */
export async function closeDb(timeoutSeconds = 5): Promise<void> {
  releaseSingleton("db.drizzle");
  await pool.close(timeoutSeconds);
}
