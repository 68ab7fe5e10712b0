import { AppError, ConflictError, InvalidInputError, ServiceUnavailableError } from "./app-errors";

/**
 * What a PostgreSQL error means for the client, decided in one place (ADR 0017): by SQLSTATE
 * (https://www.postgresql.org/docs/current/errcodes-appendix.html), exact code first, then its
 * class (the first two characters). Refusals the client can act on are 4xx; what concurrency, a
 * timeout, the database's state or a release in progress causes is 409 or 503 with Retry-After.
 * What only a defect of ours can raise is not mapped: a syntax error, a PL/pgSQL RAISE without a
 * code, and 42501 (a missing grant, or a row-level security policy refusing a row the code wrote
 * into another tenant): they stay bugs, answered 500, reported as errors, and page (error spike).
 * A feature that names a constraint maps it first, with its own message (refuseConstraint).
 */

/** The fields of a PostgreSQL error that decide the answer (postgres.js's PostgresError). */
export interface PostgresErrorFields {
  code: string;
  /** ERROR, or FATAL / PANIC when PostgreSQL ends the session. */
  severity: string;
  constraint_name?: string;
  routine?: string;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * The PostgreSQL error in `error` or its causes (drizzle wraps driver errors), if any: known by its
 * shape, a SQLSTATE and a severity (class names do not survive the production build's minifier).
 */
export function postgresErrorOf(error: unknown): PostgresErrorFields | undefined {
  for (let current = error, depth = 0; typeof current === "object" && current !== null && depth < 5; depth++) {
    const { code, severity } = current as { code?: unknown; severity?: unknown };
    if (typeof code === "string" && SQLSTATE.test(code) && typeof severity === "string") {
      return current as PostgresErrorFields;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const TRY_AGAIN = "Try again shortly.";
const concurrentChange = () =>
  new ConflictError(
    "Someone else changed the same data at the same moment. Try again.",
    undefined,
    "concurrent_change",
    1,
  );
const databaseBusy = () =>
  new ServiceUnavailableError(`The database is busy with other work. ${TRY_AGAIN}`, "database_busy", 2);
const databaseUnavailable = () =>
  new ServiceUnavailableError(`The database is unavailable. ${TRY_AGAIN}`, "service_unavailable", 5);
const schemaMismatch = () =>
  new ServiceUnavailableError(`The database is being upgraded for this release. ${TRY_AGAIN}`, "schema_mismatch", 5);
const conflict = () => new ConflictError("This conflicts with data that exists now.");
const invalidValue = () => new InvalidInputError("A value in the request cannot be stored.");

const BY_CODE: Record<string, () => AppError> = {
  // Transaction rollbacks that withTenant already retried (retryableDatabaseError).
  "40001": concurrentChange, // serialization_failure
  "40P01": concurrentChange, // deadlock_detected
  "40003": databaseUnavailable, // statement_completion_unknown
  "57014": () =>
    new ServiceUnavailableError(`The database took too long to answer. ${TRY_AGAIN}`, "database_timeout", 2),
  "55P03": databaseBusy, // lock_not_available (lock_timeout)
  "25006": () =>
    new ServiceUnavailableError(`The database accepts no changes right now. ${TRY_AGAIN}`, "database_read_only", 5),
  "25P03": databaseUnavailable, // idle_in_transaction_session_timeout
  "23502": invalidValue, // not_null_violation
  "23514": invalidValue, // check_violation
  // The schema is behind or ahead of this release (a migration not applied yet, or a contract step
  // already applied): answered as a pause, reported, and cleared by finishing the release.
  "42P01": schemaMismatch, // undefined_table
  "42703": schemaMismatch, // undefined_column
  "42883": schemaMismatch, // undefined_function
  "42704": schemaMismatch, // undefined_object
  "0A000": schemaMismatch, // feature_not_supported: "cached plan must not change result type"
  "26000": databaseUnavailable, // invalid_sql_statement_name: a prepared statement the pooler lost
};

const BY_CLASS: Record<string, () => AppError> = {
  "08": databaseUnavailable, // connection_exception
  "22": invalidValue, // data_exception: a value out of range, malformed, too long for its type
  "23": conflict, // integrity_constraint_violation: unique, foreign key, exclusion, restrict
  "28": databaseUnavailable, // invalid_authorization_specification: our credentials, not the caller's
  "3D": databaseUnavailable, // invalid_catalog_name: the database does not exist
  "40": concurrentChange, // transaction_rollback
  "53": databaseUnavailable, // insufficient_resources: disk full, out of memory, too many connections
  "54": () => new InvalidInputError("A value in the request is too large to store."), // program_limit_exceeded
  "55": databaseBusy, // object_not_in_prerequisite_state
  "57": databaseUnavailable, // operator_intervention: shutdown, restart, database dropped
  "58": databaseUnavailable, // system_error: I/O
  "72": concurrentChange, // snapshot_too_old
  F0: databaseUnavailable, // config_file_error
  XX: databaseUnavailable, // internal_error, data_corrupted, index_corrupted
};

/** The answer for a PostgreSQL error, or undefined when it is not one or signals a bug of ours. */
export function fromPostgresError(error: unknown): AppError | undefined {
  const postgres = postgresErrorOf(error);
  if (!postgres) return undefined;
  return (BY_CODE[postgres.code] ?? BY_CLASS[postgres.code.slice(0, 2)])?.();
}

/**
 * Whether a transaction that failed with `error` may simply run again: a serialization failure, a
 * deadlock (PostgreSQL chose this transaction to end), or a prepared statement a schema change
 * invalidated (postgres.js forgets it, so the next attempt prepares it afresh).
 */
export function retryableDatabaseError(error: unknown): boolean {
  const postgres = postgresErrorOf(error);
  if (!postgres) return false;
  return (
    postgres.code === "40001" ||
    postgres.code === "40P01" ||
    (postgres.code === "0A000" && postgres.routine === "RevalidateCachedQuery")
  );
}

/**
 * Features map their named constraints to their own refusal: `refusal` is called with the name of
 * the constraint `error` violated; what it returns is thrown, and anything else propagates as is.
 */
export function refuseConstraint(error: unknown, refusal: (constraint: string) => AppError | undefined): never {
  const constraint = postgresErrorOf(error)?.constraint_name;
  throw (constraint && refusal(constraint)) || error;
}
