import "server-only";

/** The PostgreSQL pool, the row-level-security scope every tenant query runs in, and the audit log. */
export { closeDb, connectionOptions, getDb, getSql, lazyConnection, type Database } from "./client";
export {
  APP_ROLE,
  audit,
  enterScope,
  inScope,
  withScope,
  type AuditEvent,
  type Scope,
  type ScopeVerification,
  type Transaction,
} from "./scope";
