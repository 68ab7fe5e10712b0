import "server-only";

export { closeDb, getDb, getSql, type Database } from "./client";
export { APP_ROLE, withTenant, type TenantTransaction } from "./tenant";
