import type postgres from "postgres";
import type { ParameterOrJSON, PendingQuery, ReservedSql, Sql } from "postgres";
import { postgresErrorOf } from "@/lib/errors";

/**
 * The postgres.js client drizzle is given (getDb): the pool, changed in two ways that take round
 * trips out of every request (ADR 0017):
 *
 * - **Statements are prepared.** drizzle asks for unnamed statements, and postgres.js sends an
 *   unnamed statement with parameters in two round trips (Parse/Describe, wait for the parameter
 *   types, then Bind/Execute) and cannot pipeline it. A prepared statement is one round trip from
 *   its second use on a connection (postgres.js keeps them per connection), and pipelines. The pool's
 *   own `prepare` option still decides: off behind PgBouncer in transaction mode.
 * - **A transaction's BEGIN travels with its first statements.** drizzle's `transaction()` calls
 *   `begin()`, which postgres.js answers by sending BEGIN alone and waiting. Here it reserves a
 *   connection and writes BEGIN without waiting: statements issued in the same tick leave in the
 *   same write (postgres.js pipelines one connection's queries), and PostgreSQL answers them in
 *   order. A failing statement aborts the transaction, so the statements after it fail too
 *   (25P02) and never run: the transaction reports the first failure, as postgres.js's own does.
 */
export function pipelinedClient(pool: Sql): Sql {
  const unsafe = preparing(pool.unsafe);
  const begin = (fn: (client: Sql) => Promise<unknown>) => pipelinedTransaction(pool, fn);
  return new Proxy(pool, {
    get: (target, key, receiver) =>
      key === "unsafe" ? unsafe : key === "begin" ? begin : Reflect.get(target, key, receiver),
  });
}

type Unsafe = Sql["unsafe"];
type QueryOptions = Parameters<Unsafe>[2];

/**
 * `unsafe` asking for a prepared statement where drizzle asks for an unnamed one (postgres.js still
 * sends an unnamed one when the pool's `prepare` option is off).
 */
function preparing(unsafe: Unsafe): Unsafe {
  return ((query: string, parameters?: ParameterOrJSON<never>[], options?: QueryOptions) =>
    unsafe(query, parameters, { ...options, prepare: true })) as Unsafe;
}

/**
 * The connection is gone: an error of the socket (closed, reset, timed out), or PostgreSQL ending
 * the session (FATAL: terminated by an administrator, shutting down).
 */
function isConnectionError(error: unknown): boolean {
  const severity = postgresErrorOf(error)?.severity;
  return severity === undefined || severity === "FATAL" || severity === "PANIC";
}

const ABORTED_TRANSACTION = "25P02";

/**
 * A transaction on a reserved connection. What postgres.js leaves to us here, and its own `begin()`
 * gets wrong: once the connection is lost (PostgreSQL restarted or ended the session), nothing is
 * written to it any more (postgres.js throws, uncaught, writing to the socket it dropped, which its
 * `begin()` does with its ROLLBACK), and it is not released into the pool (postgres.js already
 * returned it to its closed connections, to reconnect on demand). Once the transaction is over, a
 * statement `fn` still issues is refused, never run outside it. A connection that closes while
 * idle between two statements is seen at the next one, as with postgres.js's `begin()`.
 */
async function pipelinedTransaction<T>(pool: Sql, fn: (client: Sql) => Promise<T>): Promise<T> {
  const connection = await pool.reserve();
  const state = { firstError: undefined as unknown, connectionLost: false, over: false };
  const track = <Q extends PendingQuery<postgres.Row[]>>(query: Q): Q => {
    query.catch((error: unknown) => {
      state.firstError ??= error;
      state.connectionLost ||= isConnectionError(error);
    });
    return query;
  };
  const usable = () => {
    if (state.connectionLost || state.over) throw transactionEnded(state.connectionLost);
  };
  const send = (statement: string) => {
    usable();
    return track(connection.unsafe(statement) as PendingQuery<postgres.Row[]>);
  };
  const finish = () => {
    state.over = true;
    if (!state.connectionLost) connection.release();
  };

  void send("begin");
  let result: T;
  try {
    result = await fn(transactionClient(connection, track, usable));
    if (state.firstError !== undefined) throw state.firstError;
  } catch (error) {
    if (!state.connectionLost) await send("rollback").catch(() => {});
    finish();
    // "current transaction is aborted" hides the statement that aborted it.
    throw state.firstError !== undefined && postgresErrorOf(error)?.code === ABORTED_TRANSACTION
      ? state.firstError
      : error;
  }
  try {
    const committed = await send("commit");
    // Statements fn issued without waiting for them answer before COMMIT does; had one failed,
    // PostgreSQL ended the transaction with ROLLBACK instead.
    if (state.firstError !== undefined) throw state.firstError;
    if ((committed as { command?: string }).command === "ROLLBACK") throw transactionEnded(false);
  } finally {
    finish();
  }
  return result;
}

/** Answered 503 like any lost connection (@/lib/errors). */
function transactionEnded(connectionLost: boolean): Error {
  return Object.assign(
    new Error(
      connectionLost
        ? "The database connection closed during the transaction."
        : "The transaction has ended: no statement runs outside it.",
    ),
    { code: "CONNECTION_CLOSED" },
  );
}

/** The client drizzle's transaction runs on: the reserved connection, every statement tracked. */
function transactionClient(
  connection: ReservedSql,
  track: <Q extends PendingQuery<postgres.Row[]>>(query: Q) => Q,
  usable: () => void,
): Sql {
  const unsafe = preparing(((...args: Parameters<Unsafe>) => {
    usable();
    return track(connection.unsafe(...args) as PendingQuery<postgres.Row[]>);
  }) as Unsafe);
  const savepoint = () => {
    throw new Error("Nested transactions (savepoints) are not supported by the pipelined transaction.");
  };
  return new Proxy(connection, {
    get: (target, key, receiver) =>
      key === "unsafe" ? unsafe : key === "savepoint" ? savepoint : Reflect.get(target, key, receiver),
  });
}
