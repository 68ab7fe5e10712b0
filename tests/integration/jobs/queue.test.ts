import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import { projects } from "@db/schema";
import { adminSql, createTenant, type TenantFixture } from "../../support/tenants";
import { until } from "../../support/until";

/**
 * The job queue in-process against the real database: the outbox, idempotency keys, the tenant
 * scope of enqueueing and of running, retries into a dead letter, timeouts, and scheduled ticks
 * once across two workers. Its queues are the test's own (created here), so no other test's
 * worker takes its jobs.
 */

process.env.DATABASE_URL = inject("databaseUrl");
process.env.JOBS_POLL_INTERVAL_SECONDS = "0.5";
process.env.JOBS_MAINTENANCE_INTERVAL_SECONDS = "1";
process.env.WORKER_CONCURRENCY = "2";
(await import("@/lib/env")).forgetEnv();
const { defineJob, defineScheduledJob, enqueue, getWorkerMetrics, readQueueHealth, startJobRunner } =
  await import("@/lib/jobs");
const { closeDb, withScope, withSystemScope } = await import("@/lib/db");
const { getEnv } = await import("@/lib/env");
const { getLogger } = await import("@/lib/logger");

const admin = adminSql(inject("databaseUrl"));
const suffix = randomBytes(4).toString("hex");
const names = {
  probe: `test-probe-${suffix}`,
  failing: `test-failing-${suffix}`,
  slow: `test-slow-${suffix}`,
  tick: `test-tick-${suffix}`,
};
const tickTable = `test_ticks_${suffix}`;
const log = getLogger().child({ test: "jobs" });

/** What each probe job saw, by job id. */
const probes = new Map<string, { visibleTenants: string[]; foreignInsert: string; foreignUpdate: number }>();

const probeJob = defineJob({
  name: names.probe,
  scope: "tenant",
  payload: z.strictObject({ foreignTenantId: z.uuid(), foreignProjectId: z.uuid() }),
  timeoutSeconds: 10,
  retryLimit: 0,
  retryDelaySeconds: 1,
  async run({ payload, jobId, transaction }) {
    const visible = await transaction((tx) => tx.selectDistinct({ tenantId: projects.tenantId }).from(projects));
    const foreignInsert = await transaction((tx) =>
      tx.insert(projects).values({ tenantId: payload.foreignTenantId, name: `intruder ${suffix}` }),
    ).then(
      () => "inserted",
      (error: { cause?: { code?: string } }) => error.cause?.code ?? "error",
    );
    const updated = await transaction((tx) =>
      tx.update(projects).set({ name: "taken over" }).where(eq(projects.id, payload.foreignProjectId)).returning(),
    );
    probes.set(jobId, {
      visibleTenants: visible.map((row) => row.tenantId),
      foreignInsert,
      foreignUpdate: updated.length,
    });
  },
});

const failingJob = defineJob({
  name: names.failing,
  scope: "system",
  payload: z.strictObject({}),
  timeoutSeconds: 10,
  retryLimit: 2,
  retryDelaySeconds: 1,
  async run() {
    throw new Error("the relay refused the message");
  },
});

const slowJob = defineJob({
  name: names.slow,
  scope: "system",
  payload: z.strictObject({}),
  timeoutSeconds: 1,
  retryLimit: 0,
  retryDelaySeconds: 1,
  run: ({ signal }) => new Promise<void>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))),
});

const tickJob = defineScheduledJob({
  name: names.tick,
  everySeconds: () => 1,
  timeoutSeconds: 10,
  async run(tx, { payload }) {
    await tx.execute(sql`insert into ${sql.identifier(tickTable)} (tick_at) values (${payload.tickAt})`);
  },
});

let a: TenantFixture;
let b: TenantFixture;

const jobRow = async (queue: string, id: string) =>
  (
    await admin<{ state: string; retry_count: number; output: { message?: string } | null }[]>`
    select state, retry_count, output from pgboss.job where name = ${queue} and id = ${id}`
  )[0];
const jobsOf = async (queue: string) =>
  admin<
    { id: string; state: string; data: { tenantId?: string } }[]
  >`select id, state, data from pgboss.job where name = ${queue}`;

beforeAll(async () => {
  for (const name of Object.values(names)) await admin`select pgboss.create_queue(${name}, '{"policy":"standard"}')`;
  await admin.unsafe(`create table ${tickTable} (tick_at timestamptz not null)`);
  a = await createTenant(admin, { projects: ["A"] });
  b = await createTenant(admin, { projects: ["B"] });
});

afterAll(async () => {
  // A queue's jobs go first: its partition's foreign key to the queue is ON DELETE RESTRICT.
  for (const name of Object.values(names)) {
    await admin`delete from pgboss.job where name = ${name}`;
    await admin`select pgboss.delete_queue(${name})`;
  }
  await admin.unsafe(`drop table if exists ${tickTable}`);
  await admin`delete from scheduled_runs where name = ${names.tick}`;
  await closeDb();
  await admin.end();
});

describe("enqueueing", () => {
  it("adds nothing for a rolled-back change and the job for a committed one (an outbox)", async () => {
    const payload = { foreignTenantId: b.tenantId, foreignProjectId: b.projectIds[0]! };
    await expect(
      withScope({ tenantId: a.tenantId }, async (tx) => {
        await enqueue(tx, probeJob, payload, { key: `rolled-back-${suffix}`, tenantId: a.tenantId });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await jobsOf(names.probe)).toEqual([]);

    const added = await withScope({ tenantId: a.tenantId }, (tx) =>
      enqueue(tx, probeJob, payload, { key: `committed-${suffix}`, tenantId: a.tenantId }),
    );
    expect(added).toBe(true);
    expect((await jobsOf(names.probe)).map((job) => job.data.tenantId)).toEqual([a.tenantId]);
  });

  it("adds one job per idempotency key", async () => {
    const send = () =>
      withSystemScope((tx) => enqueue(tx, failingJob, {}, { key: `once-${suffix}`, startAfterSeconds: 3600 }));
    expect(await send()).toBe(true);
    expect(await send()).toBe(false);
    expect((await jobsOf(names.failing)).length).toBe(1);
    await admin`delete from pgboss.job where name = ${names.failing}`;
  });

  it("is refused by the database when a tenant's transaction enqueues a job for another tenant", async () => {
    const attempt = withScope({ tenantId: a.tenantId }, (tx) =>
      enqueue(
        tx,
        probeJob,
        { foreignTenantId: a.tenantId, foreignProjectId: a.projectIds[0]! },
        {
          key: `forged-${suffix}`,
          tenantId: b.tenantId,
        },
      ),
    );
    await expect(attempt).rejects.toMatchObject({ cause: { code: "42501" } });
    expect((await jobsOf(names.probe)).some((job) => job.data.tenantId === b.tenantId)).toBe(false);
  });
});

describe("running", () => {
  let runners: Awaited<ReturnType<typeof startJobRunner>>[] = [];

  beforeAll(async () => {
    const options = { jobs: [probeJob, failingJob, slowJob], scheduled: [tickJob], env: getEnv(), log };
    runners = [await startJobRunner(options), await startJobRunner(options)];
  });

  afterAll(async () => {
    await Promise.all(runners.map((runner) => runner.stop(2000)));
  });

  it("runs a tenant's job in that tenant's scope: it never reads or writes another tenant's rows", async () => {
    const [job] = await jobsOf(names.probe);
    const seen = await until("the probe job's run", async () => probes.get(job!.id), 30_000);
    expect(seen.visibleTenants).toEqual([a.tenantId]);
    expect(seen.foreignInsert).toBe("42501");
    expect(seen.foreignUpdate).toBe(0);
    const [foreign] = await admin`select name from projects where id = ${b.projectIds[0]!}`;
    expect(foreign!.name).toBe("B");
    expect((await jobRow(names.probe, job!.id))!.state).toBe("completed");
  });

  it("retries a failing job with backoff, then keeps it as a dead letter with its error", async () => {
    const before =
      (await getWorkerMetrics().deadLetters.get()).values.find((v) => v.labels.queue === names.failing)?.value ?? 0;
    await withSystemScope((tx) => enqueue(tx, failingJob, {}, { key: `dead-${suffix}` }));
    const [job] = await jobsOf(names.failing);
    const row = await until(
      "the failing job's dead letter",
      async () => {
        const current = await jobRow(names.failing, job!.id);
        return current?.state === "failed" ? current : undefined;
      },
      30_000,
    );
    expect(row.retry_count).toBe(2);
    expect(row.output?.message).toBe("the relay refused the message");
    const after = (await getWorkerMetrics().deadLetters.get()).values.find(
      (v) => v.labels.queue === names.failing,
    )?.value;
    expect(after).toBe(before + 1);
    const failures = (await getWorkerMetrics().jobFailures.get()).values.find((v) => v.labels.queue === names.failing);
    expect(failures?.value).toBeGreaterThanOrEqual(3);
  });

  it("fails an attempt that outlives its timeout", async () => {
    await withSystemScope((tx) => enqueue(tx, slowJob, {}, { key: `slow-${suffix}` }));
    const [job] = await jobsOf(names.slow);
    const row = await until(
      "the slow job's failure",
      async () => {
        const current = await jobRow(names.slow, job!.id);
        return current?.state === "failed" ? current : undefined;
      },
      30_000,
    );
    // The runner aborts the attempt with AbortSignal.timeout (its message), pg-boss's own expiry says "exceeded".
    expect(row.output?.message).toMatch(/aborted due to timeout|exceeded 1000ms/);
  });

  it("enqueues each scheduled tick once across two workers, and its work commits once", async () => {
    const ticks = await until(
      "three completed ticks",
      async () => {
        const rows = await admin<{ tick_at: Date; attempts: string; completed_at: Date | null }[]>`
        select tick_at, attempts, completed_at from scheduled_runs where name = ${names.tick} order by tick_at`;
        return rows.filter((row) => row.completed_at).length >= 3 ? rows : undefined;
      },
      30_000,
    );
    const done = ticks.filter((tick) => tick.completed_at);
    const work = await admin.unsafe<{ tick_at: Date; runs: number }[]>(
      `select tick_at, count(*)::int as runs from ${tickTable} group by tick_at order by tick_at`,
    );
    for (const tick of done) {
      expect(work.find((row) => row.tick_at.getTime() === tick.tick_at.getTime())?.runs).toBe(1);
      expect(tick.tick_at.getTime() % 1000).toBe(0);
    }
    expect(work.every((row) => row.runs === 1)).toBe(true);
    expect(new Set(ticks.map((tick) => tick.tick_at.getTime())).size).toBe(ticks.length);
  });
});

describe("the queues' state (the web process's /api/metrics gauges)", () => {
  it("is read on its own connection while every pooled connection is held: a saturated pool cannot hold the scrape", async () => {
    const poolSize = getEnv().DATABASE_POOL_MAX;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding = 0;
    const holders = Array.from({ length: poolSize }, () =>
      withSystemScope(async (tx) => {
        await tx.execute(sql`select 1`);
        holding++;
        await released;
      }),
    );
    try {
      const deadline = Date.now() + 30_000;
      while (holding < poolSize && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(holding, "every pooled connection held by a transaction").toBe(poolSize);
      // Queued behind the pool, the read would wait until the transactions end: bound it.
      const read = await Promise.race([
        readQueueHealth(),
        new Promise<"queued behind the pool">((resolve) => setTimeout(() => resolve("queued behind the pool"), 15_000)),
      ]);
      expect(read).toEqual(expect.arrayContaining([expect.objectContaining({ queue: names.probe })]));
    } finally {
      release();
      await Promise.all(holders);
    }
  });
});
