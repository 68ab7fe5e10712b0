import "server-only";

/** The PostgreSQL pool, the row-level-security scope every tenant query runs in, and the audit log. */
export { closeDb, connectionOptions, getDb, lazyConnection } from "./pool";
export { retriedTransaction } from "./retry";
export { audit, enterScope, inScope, withScope, withSystemScope, type AuditEvent, type Transaction } from "./scope";
