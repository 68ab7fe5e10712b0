import "server-only";

export { closeDb, getDb, getSql, type Database } from "./client";
export { APP_ROLE, withTenant, withUser, type TenantTransaction } from "./tenant";
