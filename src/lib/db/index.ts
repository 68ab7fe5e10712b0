import "server-only";

/** The PostgreSQL pool, the row-level-security scope every tenant query runs in, and the audit log. */
export { closeDb, connectionOptions, getDb, lazyConnection } from "./pool";
export { retriedTransaction } from "./retry";
export { audit, enterScope, inScope, withScope, withSystemScope } from "./scope";
export type { AuditEvent, Transaction } from "./scope";
