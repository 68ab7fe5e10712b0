import { z } from "zod";
import { SECRET_VARIABLES } from "./client";

/**
 * Every runtime variable Slipway reads, in one place. Pure: no process.env access here, so the
 * schema can be unit-tested and compared against `.env.example`.
 *
 * Variables listed in SECRET_VARIABLES also accept `NAME_FILE` (a path whose trimmed content is
 * the value), the way Docker and compose secrets are mounted at /run/secrets/....
 */

const booleanString = z
  .enum(["true", "false", "1", "0"], { message: "must be true or false" })
  .transform((value) => value === "true" || value === "1");

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

const urlWithProtocol = (protocols: readonly string[], what: string) =>
  z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol);
        } catch {
          return false;
        }
      },
      `must be a ${what} URL (${protocols.map((p) => `${p}//`).join(" or ")})`,
    );

const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

const sampleRate = z.coerce.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1");
const positiveInt = z.coerce.number().int("must be a whole number").positive("must be positive");
const nonNegativeInt = z.coerce.number().int("must be a whole number").min(0, "must be 0 or more");
/** `POINTS/SECONDS`, e.g. `10/60`: at most 10 requests per 60 seconds. */
const rateLimit = z
  .string()
  .trim()
  .regex(/^\d+\/\d+$/, "must be POINTS/SECONDS, e.g. 10/60")
  .transform((value) => {
    const [points, seconds] = value.split("/").map(Number) as [number, number];
    return { points, seconds };
  })
  .refine((limit) => limit.points > 0 && limit.seconds > 0, "both numbers must be positive");
const commaList = z.string().transform((value) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean),
);

export const serverEnvSchema = z.object({
  // App
  APP_URL: optional(urlWithProtocol(["http:", "https:"], "http(s)")),
  APP_VERSION: optionalString,
  COMMIT_SHA: optionalString,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Where the server listens (the image sets 0.0.0.0 and 3000). */
  HOSTNAME: optionalString.default("0.0.0.0"),
  PORT: nonNegativeInt.max(65535, "must be a port number").default(3000),

  // Database
  DATABASE_URL: urlWithProtocol(["postgres:", "postgresql:"], "postgres"),
  DATABASE_POOL_MAX: positiveInt.default(10),
  DATABASE_POOL_MODE: z.enum(["session", "transaction"]).default("session"),
  DATABASE_CONNECT_TIMEOUT_SECONDS: positiveInt.default(5),
  DATABASE_IDLE_TIMEOUT_SECONDS: nonNegativeInt.default(20),
  DATABASE_STATEMENT_TIMEOUT_MS: nonNegativeInt.default(10_000),

  // Redis (optional)
  REDIS_URL: optional(urlWithProtocol(["redis:", "rediss:"], "redis")),
  REDIS_REQUIRED: booleanString.default(false),

  // Edge protection
  /**
   * Proxies in front of the app that append to X-Forwarded-For (compose's Caddy and Railway's edge: 1;
   * Render, behind Cloudflare: 2). The client's address is the entry that many places from the right.
   */
  TRUSTED_PROXY_HOPS: nonNegativeInt.max(5, "must be at most 5").default(0),
  /**
   * A header the platform's edge sets to the client's address, overwriting the client's own (Fly:
   * fly-client-ip). Wins over TRUSTED_PROXY_HOPS when it holds an IP address. Never name a header
   * the edge passes through unchanged: clients could then choose their address.
   */
  CLIENT_IP_HEADER: optional(
    z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/, "must be an HTTP header name, e.g. fly-client-ip")
      .transform((name) => name.toLowerCase()),
  ),
  /** Per-policy limits as POINTS/SECONDS (defaults in src/lib/rate-limit); shared by every instance through Redis. */
  RATE_LIMIT_SIGN_IN: optional(rateLimit),
  RATE_LIMIT_API_ANONYMOUS: optional(rateLimit),
  RATE_LIMIT_API_READ: optional(rateLimit),
  RATE_LIMIT_API_WRITE: optional(rateLimit),
  RATE_LIMIT_API_TENANT: optional(rateLimit),
  RATE_LIMIT_SERVER_ACTION: optional(rateLimit),
  RATE_LIMIT_PAGE_POST: optional(rateLimit),
  RATE_LIMIT_WEBHOOK: optional(rateLimit),
  RATE_LIMIT_TUNNEL: optional(rateLimit),
  RATE_LIMIT_WEB_VITALS: optional(rateLimit),

  // Backups: the scheduler's status file (docs/runbooks/backups.md), read by /api/health and the metrics.
  BACKUP_STATUS_FILE: optionalString,
  /** A public status page elsewhere (Better Stack, Instatus…), linked from /status. */
  STATUS_PAGE_URL: optional(urlWithProtocol(["https:", "http:"], "http(s)")),
  /** The Prometheus /status reads its uptime history from (the monitoring stack's). */
  PROMETHEUS_URL: optional(urlWithProtocol(["https:", "http:"], "http(s)")),
  /** The uptime workflow's record (its records/ folder), read by /status when no Prometheus is configured. */
  UPTIME_RECORD_URL: optional(urlWithProtocol(["https:", "http:", "file:"], "http(s) or file")),

  // Health and shutdown
  HEALTH_CACHE_MS: nonNegativeInt.default(1000),
  SHUTDOWN_DRAIN_SECONDS: nonNegativeInt.default(5),
  // Requests one process works on at once; more are answered 503 with Retry-After (load shedding).
  MAX_IN_FLIGHT_REQUESTS: positiveInt.default(100),
  // Of those, what one client address may hold; more are answered 429 (fairness under abuse).
  MAX_IN_FLIGHT_PER_CLIENT: positiveInt.default(20),
  // Of a signed-in caller's tenant API requests, how many run at once; the next MAX_QUEUED_PER_CALLER
  // wait their turn, more are answered 429 (one caller's burst cannot slow other tenants down).
  MAX_CONCURRENT_PER_CALLER: positiveInt.default(1),
  MAX_QUEUED_PER_CALLER: nonNegativeInt.default(16),
  // The whole request (headers and body) must arrive within this; a trickling body is cut with 408.
  REQUEST_TIMEOUT_SECONDS: positiveInt.max(300, "must be at most 300").default(30),
  // The request line and headers must arrive within this.
  HEADERS_TIMEOUT_SECONDS: positiveInt.max(60, "must be at most 60").default(10),
  // An idle kept-alive connection is closed after this (keep it above the balancer's idle timeout: Caddy's is 4 s).
  KEEP_ALIVE_TIMEOUT_SECONDS: positiveInt.max(120, "must be at most 120").default(5),
  SHUTDOWN_TIMEOUT_SECONDS: positiveInt.default(10),

  // Background jobs: the worker process (src/worker.ts, docs/jobs.md)
  /** The worker's health and metrics port (on HOSTNAME). */
  WORKER_PORT: nonNegativeInt.max(65535, "must be a port number").default(3001),
  /** On SIGTERM, running jobs may finish for this long; the rest go back to the queue for another worker. */
  WORKER_SHUTDOWN_TIMEOUT_SECONDS: positiveInt.max(600, "must be at most 600").default(30),
  /** Jobs of one queue a worker runs at once. */
  WORKER_CONCURRENCY: positiveInt.max(50, "must be at most 50").default(4),
  /** How often an idle worker looks for new jobs. */
  JOBS_POLL_INTERVAL_SECONDS: z.coerce
    .number()
    .min(0.5, "must be at least 0.5")
    .max(60, "must be at most 60")
    .default(1),
  /** How often timed-out jobs (a worker that died mid-job) go back to the queue, and old jobs are archived. */
  JOBS_MAINTENANCE_INTERVAL_SECONDS: positiveInt.max(3600, "must be at most 3600").default(60),
  /** Scheduled work (src/jobs.ts): how often each runs, in seconds, on UTC boundaries of that interval. */
  SCHEDULE_PURGE_REVOKED_SESSIONS_SECONDS: positiveInt.default(3600),
  SCHEDULE_PURGE_WEBHOOK_EVENTS_SECONDS: positiveInt.default(86_400),
  SCHEDULE_AUDIT_LOG_RETENTION_SECONDS: positiveInt.default(86_400),
  SCHEDULE_BACKUP_FRESHNESS_SECONDS: positiveInt.default(3600),
  /** Audit events older than this many days are deleted; unset keeps them forever. */
  AUDIT_LOG_RETENTION_DAYS: optional(positiveInt),

  // Email (invitations)
  /** smtp://user:pass@host:587 or smtps://…:465; unset in development prints emails to the worker's log. */
  SMTP_URL: optional(urlWithProtocol(["smtp:", "smtps:"], "SMTP")),
  SMTP_FROM: optionalString.default("Slipway <no-reply@localhost>"),
  /** How long an invitation's link works. */
  INVITATION_TTL_HOURS: positiveInt.max(24 * 30, "must be at most 720").default(168),
  /** Invitations one organization may send per 24 hours. */
  INVITATIONS_PER_DAY: positiveInt.max(100_000, "must be at most 100000").default(50),

  // Authentication
  AUTH_MODE: optional(z.enum(["clerk", "local"])),
  SESSION_SECRET: optional(z.string().min(32, "must be at least 32 characters")),
  CLERK_SECRET_KEY: optional(z.string().regex(/^sk_(test|live)_/, "must start with sk_test_ or sk_live_")),
  NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY: optional(
    z.string().regex(/^pk_(test|live)_/, "must start with pk_test_ or pk_live_"),
  ),
  CLERK_JWT_KEY: optionalString,
  CLERK_WEBHOOK_SECRET: optional(z.string().regex(/^whsec_/, "must start with whsec_")),
  CLERK_AUTHORIZED_PARTIES: optional(commaList),

  // Observability
  SENTRY_DSN: optional(urlWithProtocol(["http:", "https:"], "http(s)")),
  NEXT_PUBLIC_SENTRY_DSN: optional(urlWithProtocol(["http:", "https:"], "http(s)")),
  SENTRY_ENVIRONMENT: optionalString,
  SENTRY_ERROR_SAMPLE_RATE: sampleRate.default(1),
  SENTRY_TRACES_SAMPLE_RATE: sampleRate.optional(),
  SENTRY_REPLAYS_SESSION_SAMPLE_RATE: sampleRate.default(0),
  SENTRY_REPLAYS_ON_ERROR_SAMPLE_RATE: sampleRate.default(0),
  METRICS_TOKEN: optional(z.string().min(16, "must be at least 16 characters")),

  // Analytics (opt-in, cookie-less)
  NEXT_PUBLIC_ANALYTICS_PROVIDER: optional(z.enum(["plausible", "umami"])),
  NEXT_PUBLIC_ANALYTICS_DOMAIN: optionalString,
  NEXT_PUBLIC_ANALYTICS_SCRIPT_URL: optional(urlWithProtocol(["http:", "https:"], "http(s)")),
  NEXT_PUBLIC_ANALYTICS_WEBSITE_ID: optionalString,
});

/** Read by `next build` only (source-map upload); never needed at runtime. */
export const buildEnvSchema = z.object({
  SENTRY_AUTH_TOKEN: optionalString,
  SENTRY_ORG: optionalString,
  SENTRY_PROJECT: optionalString,
});

export { SECRET_VARIABLES };

// Every secret name must be a validated variable.
SECRET_VARIABLES satisfies readonly (keyof z.infer<typeof serverEnvSchema> | keyof z.infer<typeof buildEnvSchema>)[];

export type ServerEnv = z.infer<typeof serverEnvSchema>;
