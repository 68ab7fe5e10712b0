/**
 * The browser-safe part of the configuration concern: the names of the variables that carry
 * secrets (each also accepts `NAME_FILE`). Free of zod and node:fs, because the log and Sentry
 * scrubbers, which also run in the browser, censor these names. schema.ts checks that each is a
 * variable it validates.
 */
export const SECRET_VARIABLES = [
  "DATABASE_URL",
  "REDIS_URL",
  "SESSION_SECRET",
  "CLERK_SECRET_KEY",
  "CLERK_WEBHOOK_SECRET",
  "METRICS_TOKEN",
  "SMTP_URL",
  "SENTRY_AUTH_TOKEN",
] as const;

export type SecretVariable = (typeof SECRET_VARIABLES)[number];
