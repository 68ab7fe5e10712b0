import { invitationEmailJob } from "@/features/invitations/jobs";
import { auditLogRetention, backupFreshness, purgeRevokedSessions, purgeWebhookEvents } from "@/features/maintenance";
import type { JobDefinition, ScheduledJob } from "@/lib/jobs";

/**
 * THE job table: every kind of job the worker runs, and every schedule. Each has a pg-boss queue of
 * its name, created by a migration (the worker refuses to start without it). Adding a job:
 * docs/jobs.md. Features' job modules are imported directly (`@/features/<feature>/jobs`): the
 * feature's index also holds its pages' actions and components, which the worker does not load.
 */
export const jobs: readonly JobDefinition<unknown>[] = [invitationEmailJob as JobDefinition<unknown>];

export const scheduledJobs: readonly ScheduledJob[] = [
  purgeRevokedSessions,
  purgeWebhookEvents,
  auditLogRetention,
  backupFreshness,
];
