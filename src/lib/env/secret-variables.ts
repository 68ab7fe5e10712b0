/**
 * Variables that carry secrets: each also accepts `NAME_FILE`. A module of its own, free of zod and
 * of the schema, because the log and Sentry scrubbers (which also run in the browser) need the names.
 * schema.ts checks that every name is a variable it validates.
 */
export const SECRET_VARIABLES = [
  "DATABASE_URL",
  "REDIS_URL",
  "SESSION_SECRET",
  "CLERK_SECRET_KEY",
  "CLERK_WEBHOOK_SECRET",
  "METRICS_TOKEN",
  "SENTRY_AUTH_TOKEN",
] as const;
