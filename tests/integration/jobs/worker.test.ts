import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call } from "../../support/projects-api";
import { runbookBlock, runRunbookBlock } from "../../support/runbook";
import { startSentryStandIn, type SentryStandIn } from "../../support/sentry-stand-in";
import { startSmtpServer, type SmtpServerHandle } from "../../support/smtp";
import { createTenant, type TenantFixture } from "../../support/tenants";
import { startTopology, type Topology } from "../../support/topology";
import { until } from "../../support/until";

/**
 * The worker as production runs it (`node worker.mjs` of the build, tests/support/topology.ts),
 * two app instances behind the balancer and a real SMTP server: health and metrics on its own
 * port; a SIGTERM drain that loses no job; 200 invitations through the API, two workers, one
 * SIGKILLed mid-run and a PostgreSQL restart, after which every invitation's email has arrived (at
 * most twice per idempotency key), none is a dead letter, and each scheduled tick's work committed
 * once; a failing job in Sentry and the runbook's commands on its dead letter.
 */

const SCHEDULE_SECONDS = "2";
let topology: Topology;
let smtp: SmtpServerHandle;
let sentry: SentryStandIn;

beforeAll(async () => {
  smtp = await startSmtpServer();
  sentry = await startSentryStandIn();
  topology = await startTopology({
    instances: ["a", "b"],
    redis: false,
    env: {
      SMTP_URL: smtp.url,
      SENTRY_DSN: sentry.dsn,
      APP_URL: "http://app.test",
      INVITATIONS_PER_DAY: "1000",
      JOBS_POLL_INTERVAL_SECONDS: "0.5",
      JOBS_MAINTENANCE_INTERVAL_SECONDS: "2",
      WORKER_SHUTDOWN_TIMEOUT_SECONDS: "15",
      SCHEDULE_PURGE_REVOKED_SESSIONS_SECONDS: SCHEDULE_SECONDS,
      SCHEDULE_PURGE_WEBHOOK_EVENTS_SECONDS: SCHEDULE_SECONDS,
      SCHEDULE_AUDIT_LOG_RETENTION_SECONDS: SCHEDULE_SECONDS,
      SCHEDULE_BACKUP_FRESHNESS_SECONDS: SCHEDULE_SECONDS,
    },
  });
}, 120_000);

afterAll(async () => {
  await topology?.stop();
  await smtp?.stop();
  await sentry?.stop();
});

/** Invites `count` fresh addresses into `tenant` through the API; returns their invitation ids. */
async function inviteMany(tenant: TenantFixture, count: number, prefix: string): Promise<string[]> {
  const cookie = await topology.cookieFor(tenant.adminId, tenant.tenantId);
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const response = await call(topology.url, "/api/v1/invitations", {
      method: "POST",
      cookie,
      json: { email: `${prefix}-${index}@example.com`, role: "member" },
    });
    expect(response.status).toBe(201);
    ids.push(response.body.data.id as string);
  }
  return ids;
}

const deliveriesOf = (ids: string[]) =>
  ids.map((id) => smtp.mails.filter((mail) => mail.idempotencyKey === `invitation-${id}`).length);

/** What a timed-out wait on `ids` prints: the invitations without an email, their jobs' rows, the workers' last log lines. */
async function undelivered(ids: string[]): Promise<string> {
  const missing = ids.filter((_, index) => deliveriesOf(ids)[index] === 0);
  const jobs = await topology.sql`
    select data -> 'payload' ->> 'invitationId' as invitation, state, retry_count, start_after, started_on,
           expire_in, output
    from pgboss.job where name = 'invitation-email' and data -> 'payload' ->> 'invitationId' = any(${missing})`;
  const workers = [...topology.workers.values()].map(
    (worker) => `worker ${worker.name}:\n${worker.server.logs.slice(-15).join("\n")}`,
  );
  return [
    `${missing.length} of ${ids.length} invitations have no email; their jobs:`,
    JSON.stringify(jobs, null, 1),
    ...workers,
  ].join("\n");
}

/** Stops the named workers still running (a failed test's leftovers would take the next test's jobs). */
async function stopWorkers(...names: string[]): Promise<void> {
  for (const name of names) if (topology.workers.has(name)) await topology.stopWorker(name, "SIGKILL");
}

const deadLetters = async () =>
  Number((await topology.sql<{ count: string }[]>`select count(*) from pgboss.job where state = 'failed'`)[0]!.count);

describe("the worker process", () => {
  it("serves its liveness, readiness and metrics on WORKER_PORT", async () => {
    const worker = await topology.addWorker("probe");
    expect((await fetch(`${worker.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${worker.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
    const refused = await fetch(`${worker.url}/metrics`);
    expect(refused.status).toBe(401);
    const metrics = await fetch(`${worker.url}/metrics`, {
      headers: { authorization: `Bearer ${topology.metricsToken}` },
    });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("slipway_job_duration_seconds");
    expect(await topology.stopWorker("probe")).toBe(0);
  });

  it("drains on SIGTERM: running jobs finish, the rest wait for the next worker, none is lost", async () => {
    const tenant = await createTenant(topology.sql, { projects: [] });
    smtp.setDelay(1500);
    try {
      const ids = await inviteMany(tenant, 12, `drain-${tenant.slug}`);
      await topology.addWorker("first");
      await until("jobs in flight", async () => {
        const [row] = await topology.sql<
          { count: string }[]
        >`select count(*) from pgboss.job where state = 'active' and data ->> 'tenantId' = ${tenant.tenantId}`;
        return Number(row!.count) > 0 ? true : undefined;
      });
      const started = Date.now();
      expect(await topology.stopWorker("first", "SIGTERM")).toBe(0);
      expect(Date.now() - started).toBeLessThan(15_000);
      smtp.setDelay(0);
      await topology.addWorker("second");
      await until("every invitation's email", () =>
        deliveriesOf(ids).every((count) => count >= 1) ? true : undefined,
      );
      expect(deliveriesOf(ids)).toEqual(ids.map(() => 1));
      expect(await deadLetters()).toBe(0);
      await topology.stopWorker("second");
    } finally {
      smtp.setDelay(0);
    }
  }, 120_000);

  it("mails 200 invitations through two apps and two workers, one SIGKILLed, PostgreSQL restarted: each arrives, none lost, no dead letter", async () => {
    const tenant = await createTenant(topology.sql, { projects: [] });
    const ids = await inviteMany(tenant, 200, `chaos-${tenant.slug}`);
    smtp.setDelay(150);
    try {
      await topology.addWorker("w1");
      await topology.addWorker("w2");
      await until("a few emails out", () => (deliveriesOf(ids).filter(Boolean).length >= 20 ? true : undefined));
      await topology.stopWorker("w1", "SIGKILL");
      await topology.postgres.stop();
      await topology.postgres.start();
      smtp.setDelay(0);
      await until(
        "every invitation's email",
        () => (deliveriesOf(ids).every((count) => count >= 1) ? true : undefined),
        120_000,
        () => undelivered(ids),
      );
      // An email the relay took whose email_sent_at did not commit (the restart) is recorded by
      // the job's retry, after the email arrived: wait for every record, not only every email.
      await until(
        "every invitation recorded as sent",
        async () => {
          const [sent] = await topology.sql<{ count: string }[]>`
            select count(*) from invitations where tenant_id = ${tenant.tenantId} and email_sent_at is not null`;
          return Number(sent!.count) === ids.length ? true : undefined;
        },
        120_000,
        () => undelivered(ids),
      );
      // At least once: a worker killed after the relay took an email but before email_sent_at
      // committed sends it again on retry (docs/jobs.md, "the at-least-once window").
      expect(Math.max(...deliveriesOf(ids))).toBeLessThanOrEqual(2);
      expect(await deadLetters()).toBe(0);

      // Each tick that was enqueued completes, once: the ledger holds one row per schedule and tick,
      // and a tick's work commits with its completed_at. A tick whose job the SIGKILLed worker held
      // (or whose outcome the outage lost) stays active until its timeout (60 to 600 s for the
      // scheduled jobs) and is then retried (docs/jobs.md, the bound for a dead worker's jobs): so
      // every open tick must still have its job in the queue, and none may be a dead letter.
      const strandedTicks = () => topology.sql<{ name: string; tick_at: Date; job_states: string | null }[]>`
        select r.name, r.tick_at, string_agg(j.state::text, ',') as job_states
        from scheduled_runs r
        left join pgboss.job j on j.name = r.name and (j.data -> 'payload' ->> 'tickAt')::timestamptz = r.tick_at
        where r.completed_at is null and r.tick_at < now() - interval '10 seconds'
        group by r.name, r.tick_at
        having count(*) filter (where j.state in ('created', 'retry', 'active')) = 0`;
      await until(
        "every open tick to be completed or still queued",
        async () => ((await strandedTicks()).length === 0 ? true : undefined),
        90_000,
        async () => `ticks with neither completed_at nor a queued job: ${JSON.stringify(await strandedTicks())}`,
      );
      const ticks = await topology.sql<{ name: string; ticks: string }[]>`
      select name, count(*) as ticks from scheduled_runs group by name order by name`;
      expect(ticks.map((row) => row.name)).toEqual([
        "audit-log-retention",
        "backup-freshness",
        "purge-revoked-sessions",
        "purge-webhook-events",
      ]);
      await topology.stopWorker("w2");
    } finally {
      smtp.setDelay(0);
      await stopWorkers("w1", "w2");
    }
  }, 240_000);

  it("reports a failing job to Sentry with its name and tenant; the runbook lists the dead letter and puts it back", async () => {
    const tenant = await createTenant(topology.sql, { projects: [] });
    await smtp.stop();
    const [id] = await inviteMany(tenant, 1, `sentry-${tenant.slug}`);
    await topology.addWorker("reporting");
    const event = await sentry.waitFor(() =>
      sentry
        .items("event")
        .map((item) => item.payload as { tags?: Record<string, string> })
        .find(
          (payload) => payload.tags?.job_name === "invitation-email" && payload.tags?.tenant_id === tenant.tenantId,
        ),
    );
    expect(event.tags).toMatchObject({ job_name: "invitation-email", tenant_id: tenant.tenantId });
    expect(JSON.stringify(sentry.envelopes.map((envelope) => envelope.raw))).not.toContain(
      `sentry-${tenant.slug}-0@example.com`,
    );

    // Its retries (5, with backoff from 5 s) would take minutes: make the next failed attempt its last.
    await until("the job's next attempt to be its last", async () => {
      const updated = await topology.sql`
        update pgboss.job set retry_limit = retry_count, start_after = now()
        where name = 'invitation-email' and data -> 'payload' ->> 'invitationId' = ${id!} and state in ('created', 'retry')`;
      return updated.count === 1 ? true : undefined;
    });
    await until("the dead letter", async () => ((await deadLetters()) === 1 ? true : undefined));

    const env = {
      DATABASE_URL: topology.databaseUrl,
      APP_URL: topology.url,
      METRICS_TOKEN: topology.metricsToken,
      WORKER_URL: topology.workers.get("reporting")!.url,
    };
    const run = (id: string, extra: Record<string, string> = {}) =>
      runRunbookBlock(runbookBlock("jobs.md", id), { env: { ...env, ...extra }, timeoutMs: 30_000 });
    const listed = await run("dead-letters-list");
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`invitation-email \\S+ ${tenant.tenantId} \\d+ `));
    const states = await run("job-queue-states");
    expect(states.code, states.stderr).toBe(0);
    expect(states.stdout).toMatch(/^invitation-email failed 1 /m);
    const metrics = await run("job-queue-metrics");
    expect(metrics.code, metrics.stderr).toBe(0);
    expect(metrics.stdout).toMatch(/^slipway_job_dead_letters\{[^}]*queue="invitation-email"[^}]*\} 1$/m);
    const ready = await run("worker-ready");
    expect(ready.code, ready.stderr).toBe(0);
    expect(ready.stdout.trim()).toBe('{"status":"ready"}');
    expect(await topology.stopWorker("reporting")).toBe(0);

    // The relay is fixed (a new one); the runbook puts the dead letter back and the email goes out once.
    const relay = await startSmtpServer();
    try {
      await topology.addWorker("retrying", { env: { SMTP_URL: relay.url } });
      const retried = await run("dead-letters-retry", { QUEUE: "invitation-email" });
      expect(retried.code, retried.stderr).toBe(0);
      expect(retried.stdout).toContain("UPDATE 1");
      await relay.waitFor((mails) => mails.find((mail) => mail.idempotencyKey === `invitation-${id}`), 60_000);
      await until("no dead letter", async () => ((await deadLetters()) === 0 ? true : undefined));
      expect(relay.mails.filter((mail) => mail.idempotencyKey === `invitation-${id}`)).toHaveLength(1);
      await topology.stopWorker("retrying");
    } finally {
      await relay.stop();
    }
  }, 120_000);
});
