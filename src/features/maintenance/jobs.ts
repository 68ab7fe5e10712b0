import "server-only";
import { lt, sql } from "drizzle-orm";
import { auditEvents, revokedSessions, webhookEvents } from "@db/schema";
import { getEnv } from "@/lib/env";
import { checkBackup } from "@/lib/health";
import { defineScheduledJob } from "@/lib/jobs";
import { reportError } from "@/lib/observability";

/**
 * Scheduled maintenance, in the system scope, once per tick across every worker (src/jobs.ts
 * lists them; SCHEDULE_*_SECONDS set how often). Each deletes in the transaction that marks its
 * tick done, so a tick's deletion commits once.
 */

/** Processed webhook events are kept this long (redeliveries come within days; Clerk retries for 3). */
const WEBHOOK_EVENTS_RETENTION_DAYS = 30;

/** Local-mode sign-outs whose token has expired anyway: nothing can present them again. */
export const purgeRevokedSessions = defineScheduledJob({
  name: "purge-revoked-sessions",
  everySeconds: (env) => env.SCHEDULE_PURGE_REVOKED_SESSIONS_SECONDS,
  timeoutSeconds: 120,
  async run(tx, { log }) {
    const deleted = await tx
      .delete(revokedSessions)
      .where(lt(revokedSessions.expiresAt, sql`now()`))
      .returning({ id: revokedSessions.id });
    log.info({ deleted: deleted.length }, "expired revoked sessions purged");
  },
});

export const purgeWebhookEvents = defineScheduledJob({
  name: "purge-webhook-events",
  everySeconds: (env) => env.SCHEDULE_PURGE_WEBHOOK_EVENTS_SECONDS,
  timeoutSeconds: 300,
  async run(tx, { log }) {
    const deleted = await tx
      .delete(webhookEvents)
      .where(lt(webhookEvents.receivedAt, sql`now() - make_interval(days => ${WEBHOOK_EVENTS_RETENTION_DAYS})`))
      .returning({ id: webhookEvents.id });
    log.info({ deleted: deleted.length, olderThanDays: WEBHOOK_EVENTS_RETENTION_DAYS }, "old webhook events purged");
  },
});

/**
 * Deletes audit events older than AUDIT_LOG_RETENTION_DAYS; keeps everything while it is unset.
 * The database allows the deletion only for events past the retention this transaction declares.
 */
export const auditLogRetention = defineScheduledJob({
  name: "audit-log-retention",
  everySeconds: (env) => env.SCHEDULE_AUDIT_LOG_RETENTION_SECONDS,
  timeoutSeconds: 600,
  async run(tx, { log }) {
    const days = getEnv().AUDIT_LOG_RETENTION_DAYS;
    if (days === undefined) {
      log.info("audit-log retention: AUDIT_LOG_RETENTION_DAYS is unset, keeping every event");
      return;
    }
    await tx.execute(sql`select set_config('app.audit_retention_days', ${String(days)}, true)`);
    const deleted = await tx
      .delete(auditEvents)
      .where(lt(auditEvents.createdAt, sql`now() - make_interval(days => ${days})`))
      .returning({ id: auditEvents.id });
    log.info({ deleted: deleted.length, olderThanDays: days }, "audit events past retention deleted");
  },
});

/**
 * The backup status file's freshness (BACKUP_STATUS_FILE), for deployments where no Prometheus
 * watches slipway_backup_last_success_timestamp_seconds: a stale or unreadable status is an error
 * in the log and in Sentry. Nothing to check where the file is not configured (managed platforms
 * back up themselves: docs/runbooks/backups.md).
 */
export const backupFreshness = defineScheduledJob({
  name: "backup-freshness",
  everySeconds: (env) => env.SCHEDULE_BACKUP_FRESHNESS_SECONDS,
  timeoutSeconds: 60,
  async run(_tx, { log }) {
    const check = await checkBackup(getEnv().BACKUP_STATUS_FILE);
    if (check.status === "not-configured") {
      log.info("backup freshness: BACKUP_STATUS_FILE is not set, nothing to check");
      return;
    }
    if (check.status === "ok") {
      log.info({ ageSeconds: check.ageSeconds, lastSuccessAt: check.lastSuccessAt }, "backups are fresh");
      return;
    }
    reportError(
      new Error(`Backups are ${check.status}: the last success was ${check.lastSuccessAt ?? "never recorded"}.`),
      {
        message: "backup freshness check failed",
      },
    );
  },
});
