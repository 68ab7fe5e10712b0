/** Scheduled maintenance: purges and checks the worker runs on a schedule (src/jobs.ts). */
export { auditLogRetention, backupFreshness, purgeRevokedSessions, purgeWebhookEvents } from "./jobs";
