import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { retryableDatabaseError, toAppError } from "@/lib/errors";
import { freePort } from "../../../scripts/embedded-postgres";
import { migrateDatabase } from "../../support/migrate";
import { adminSql, createEmptyDatabase, createTenant, type TenantFixture } from "../../support/tenants";

/**
 * Every PostgreSQL error class the application answers, provoked in a real PostgreSQL and passed
 * through toAppError (the one mapping, src/lib/errors/postgres.ts): what the client gets, and
 * whether withTenant may run the transaction again. Where a client has no way to make PostgreSQL
 * raise a class (disk, corruption, configuration files), a PL/pgSQL RAISE with that SQLSTATE
 * stands in, and the test says so.
 */

const clusterUrl = inject("databaseUrl");
const cluster = adminSql(clusterUrl);
let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
let sql: postgres.Sql;
let other: postgres.Sql;
let tenant: TenantFixture;

beforeAll(async () => {
  database = await createEmptyDatabase(cluster, clusterUrl);
  await migrateDatabase(database.url);
  sql = postgres(database.url, { max: 4, onnotice: () => {} });
  other = postgres(database.url, { max: 2, onnotice: () => {} });
  tenant = await createTenant(sql, { projects: ["Alpha", "Beta"] });
});

afterAll(async () => {
  await sql?.end();
  await other?.end();
  await database?.drop();
  await cluster.end();
});

/** The error `work` fails with (the test fails if it succeeds). */
async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error("expected the statement to fail");
}

/** What toAppError answers for `error`, with the SQLSTATE it came from. */
function answerFor(error: unknown) {
  const known = toAppError(error);
  return {
    sqlState: (error as { code?: string }).code,
    status: known?.status,
    code: known?.code,
    retryAfterSeconds: known?.retryAfterSeconds,
  };
}

const raised = (sqlState: string) =>
  failureOf(() => sql.unsafe(`DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '${sqlState}'; END $$`));

/** Resolves when another session waits for a lock (pg_locks), polling with a bound. */
async function untilSomeoneWaitsForALock(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const [row] = await cluster`select count(*)::int as waiting from pg_locks where not granted`;
    if (row!.waiting > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("no session started waiting for a lock");
}

describe("refusals the client can act on (4xx)", () => {
  it("22 data exception (a value PostgreSQL cannot take): 400 invalid_input", async () => {
    const error = await failureOf(() => sql`select ${"not a number"}::int`);
    expect(answerFor(error)).toMatchObject({ sqlState: "22P02", status: 400, code: "invalid_input" });
  });

  it("23505 unique violation escaping the feature's own mapping: 409 conflict", async () => {
    const error = await failureOf(
      () => sql`insert into tenants (external_org_id, slug, name) values ('org_x', ${tenant.slug}, 'Dup')`,
    );
    expect(answerFor(error)).toMatchObject({ sqlState: "23505", status: 409, code: "conflict" });
  });

  it("23503 foreign key violation (what it refers to is gone): 409 conflict", async () => {
    const error = await failureOf(
      () =>
        sql`insert into memberships (tenant_id, user_id) values (${tenant.tenantId}, ${"00000000-0000-4000-8000-000000000000"})`,
    );
    expect(answerFor(error)).toMatchObject({ sqlState: "23503", status: 409, code: "conflict" });
  });

  it("23502 not-null and 23514 check violations: 400 invalid_input", async () => {
    const notNull = await failureOf(() => sql`insert into users (external_user_id) values (null)`);
    expect(answerFor(notNull)).toMatchObject({ sqlState: "23502", status: 400, code: "invalid_input" });
    const check = await failureOf(() => sql`insert into projects (tenant_id, name) values (${tenant.tenantId}, ${""})`);
    expect(answerFor(check)).toMatchObject({ sqlState: "23514", status: 400, code: "invalid_input" });
  });

  it("54 program limit exceeded (a value too large for its index): 400 invalid_input", async () => {
    const huge = randomBytes(8000).toString("base64");
    const error = await failureOf(
      () => sql`insert into tenants (external_org_id, slug, name) values (${huge}, ${`s-${Date.now()}`}, 'Huge')`,
    );
    expect(answerFor(error)).toMatchObject({ sqlState: "54000", status: 400, code: "invalid_input" });
  });
});

describe("concurrency: run again, then 409 concurrent_change with Retry-After", () => {
  it("40001 serialization failure", async () => {
    const error = await failureOf(() =>
      sql.begin("isolation level repeatable read", async (tx) => {
        await tx`select name from projects where id = ${tenant.projectIds[0]!}`;
        await other`update projects set description = 'changed meanwhile' where id = ${tenant.projectIds[0]!}`;
        await tx`update projects set description = 'too late' where id = ${tenant.projectIds[0]!}`;
      }),
    );
    expect(answerFor(error)).toEqual({
      sqlState: "40001",
      status: 409,
      code: "concurrent_change",
      retryAfterSeconds: 1,
    });
    expect(retryableDatabaseError(error)).toBe(true);
  });

  it("40P01 deadlock (PostgreSQL ends one of two transactions waiting for each other)", async () => {
    const [first, second] = tenant.projectIds as [string, string];
    let releaseSecond!: () => void;
    const secondHoldsItsRow = new Promise<void>((resolve) => (releaseSecond = resolve));
    const one = sql.begin(async (tx) => {
      await tx`update projects set description = 'one' where id = ${first}`;
      await secondHoldsItsRow;
      await tx`update projects set description = 'one' where id = ${second}`;
    });
    const two = other.begin(async (tx) => {
      await tx`update projects set description = 'two' where id = ${second}`;
      releaseSecond();
      await untilSomeoneWaitsForALock();
      await tx`update projects set description = 'two' where id = ${first}`;
    });
    const outcomes = await Promise.allSettled([one, two]);
    const failed = outcomes.filter((outcome) => outcome.status === "rejected");
    expect(failed).toHaveLength(1);
    const error = (failed[0] as PromiseRejectedResult).reason;
    expect(answerFor(error)).toEqual({
      sqlState: "40P01",
      status: 409,
      code: "concurrent_change",
      retryAfterSeconds: 1,
    });
    expect(retryableDatabaseError(error)).toBe(true);
  });
});

describe("the database cannot answer now: 503 with Retry-After", () => {
  it("57014 statement timeout: database_timeout", async () => {
    const error = await failureOf(() =>
      sql.begin(async (tx) => {
        await tx`set local statement_timeout = 50`;
        await tx`select pg_sleep(5)`;
      }),
    );
    expect(answerFor(error)).toEqual({
      sqlState: "57014",
      status: 503,
      code: "database_timeout",
      retryAfterSeconds: 2,
    });
    expect(retryableDatabaseError(error)).toBe(false);
  });

  it("55P03 lock timeout (a lock held elsewhere): database_busy", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = other.begin(async (tx) => {
      await tx`select 1 from projects where id = ${tenant.projectIds[1]!} for update`;
      locked();
      await held;
    });
    await isLocked;
    const error = await failureOf(() =>
      sql.begin(async (tx) => {
        await tx`set local lock_timeout = 50`;
        await tx`update projects set description = 'blocked' where id = ${tenant.projectIds[1]!}`;
      }),
    );
    release();
    await holder;
    expect(answerFor(error)).toEqual({ sqlState: "55P03", status: 503, code: "database_busy", retryAfterSeconds: 2 });
  });

  it("25006 a read-only transaction (a standby after failover): database_read_only", async () => {
    const error = await failureOf(() =>
      sql.begin("read only", (tx) => tx`update projects set description = 'x' where id = ${tenant.projectIds[0]!}`),
    );
    expect(answerFor(error)).toMatchObject({ sqlState: "25006", status: 503, code: "database_read_only" });
  });

  it("25P03 idle-in-transaction timeout (PostgreSQL closed the session)", async () => {
    const victim = postgres(database.url, { max: 1, onnotice: () => {} });
    const error = await failureOf(() =>
      victim.begin(async (tx) => {
        await tx`set local idle_in_transaction_session_timeout = 50`;
        const [{ pid }] = [...(await tx<{ pid: number }[]>`select pg_backend_pid() as pid`)] as [{ pid: number }];
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline) {
          const [row] = await cluster`select count(*)::int as alive from pg_stat_activity where pid = ${pid}`;
          if (row!.alive === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await tx`select 1`;
      }),
    );
    await victim.end({ timeout: 1 });
    expect(answerFor(error)).toMatchObject({ status: 503 });
  });

  it("53300 too many connections: service_unavailable", async () => {
    const role = `limited_${randomBytes(4).toString("hex")}`;
    await cluster.unsafe(`create role ${role} login password 'pw' connection limit 0`);
    const url = new URL(database.url);
    url.username = role;
    url.password = "pw";
    const limited = postgres(url.toString(), { max: 1, onnotice: () => {} });
    const error = await failureOf(() => limited`select 1`);
    await limited.end();
    await cluster.unsafe(`drop role ${role}`);
    expect(answerFor(error)).toMatchObject({ sqlState: "53300", status: 503, code: "service_unavailable" });
  });

  it("28 invalid authorization (our own credentials) and 3D000 a missing database: service_unavailable", async () => {
    const noRole = new URL(database.url);
    noRole.username = `nobody_${randomBytes(4).toString("hex")}`;
    const noDatabase = new URL(database.url);
    noDatabase.pathname = `/missing_${randomBytes(4).toString("hex")}`;
    for (const [url, sqlClass] of [
      [noRole, "28"],
      [noDatabase, "3D"],
    ] as const) {
      const client = postgres(url.toString(), { max: 1, onnotice: () => {} });
      const error = await failureOf(() => client`select 1`);
      await client.end();
      expect(answerFor(error).sqlState?.slice(0, 2)).toBe(sqlClass);
      expect(answerFor(error)).toMatchObject({ status: 503, code: "service_unavailable" });
    }
  });

  it("57P01 the session terminated by an administrator, and 08 a refused connection: service_unavailable", async () => {
    const victim = postgres(database.url, { max: 1, onnotice: () => {} });
    const [{ pid }] = [...(await victim<{ pid: number }[]>`select pg_backend_pid() as pid`)] as [{ pid: number }];
    const sleeping = failureOf(() => victim`select pg_sleep(10)`);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const [row] =
        await cluster`select count(*)::int as n from pg_stat_activity where pid = ${pid} and query like '%pg_sleep%'`;
      if (row!.n > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await cluster`select pg_terminate_backend(${pid})`;
    // postgres.js reports the closed connection (CONNECTION_CLOSED) or PostgreSQL's 57P01, by timing.
    expect(answerFor(await sleeping)).toMatchObject({ status: 503, code: "service_unavailable" });
    // A connection PostgreSQL closed makes postgres.js's end() wait for its timeout.
    await victim.end({ timeout: 1 });

    const closed = postgres(`postgres://postgres@127.0.0.1:${await freePort()}/none`, {
      max: 1,
      connect_timeout: 2,
      onnotice: () => {},
    });
    expect(answerFor(await failureOf(() => closed`select 1`))).toMatchObject({ status: 503 });
    await closed.end();
  });

  it("42P01 and 42703 (the schema is behind or ahead of this release): schema_mismatch", async () => {
    const table = await failureOf(() => sql`select * from no_such_table`);
    expect(answerFor(table)).toMatchObject({ sqlState: "42P01", status: 503, code: "schema_mismatch" });
    const column = await failureOf(() => sql`select no_such_column from projects`);
    expect(answerFor(column)).toMatchObject({ sqlState: "42703", status: 503, code: "schema_mismatch" });
  });

  it("0A000 a prepared statement a schema change invalidated: schema_mismatch, and run again", async () => {
    const table = `plan_${randomBytes(4).toString("hex")}`;
    await sql.unsafe(`create table ${table} (id int)`);
    const reader = postgres(database.url, { max: 1, onnotice: () => {} });
    await reader.unsafe(`select * from ${table} where id = $1`, [1], { prepare: true });
    await sql.unsafe(`alter table ${table} add column note text`);
    const error = await failureOf(() =>
      reader.begin((tx) => tx.unsafe(`select * from ${table} where id = $1`, [1], { prepare: true })),
    );
    await reader.end();
    expect(answerFor(error)).toMatchObject({ sqlState: "0A000", status: 503, code: "schema_mismatch" });
    expect(retryableDatabaseError(error)).toBe(true);
  });

  it("26000 a prepared statement the pooler lost: service_unavailable", async () => {
    const error = await failureOf(() => sql`execute no_such_statement`);
    expect(answerFor(error)).toMatchObject({ sqlState: "26000", status: 503 });
  });

  it.each([
    ["08006", "connection failure"],
    ["40003", "statement completion unknown"],
    ["58030", "I/O error"],
    ["72000", "snapshot too old"],
    ["F0000", "configuration file error"],
    ["XX001", "data corrupted"],
  ])("%s (%s; raised, no client can cause it): 409 or 503 with Retry-After", async (sqlState) => {
    const answer = answerFor(await raised(sqlState));
    expect([409, 503]).toContain(answer.status);
    expect(answer.retryAfterSeconds).toBeGreaterThan(0);
  });
});

describe("what only a defect of ours raises stays a bug (500, reported, paging as an error spike)", () => {
  it("42601 a syntax error and P0001 a RAISE without a code are not mapped", async () => {
    expect(toAppError(await failureOf(() => sql`selec 1`))).toBeUndefined();
    expect(toAppError(await failureOf(() => sql`DO $$ BEGIN RAISE EXCEPTION 'oops'; END $$`))).toBeUndefined();
  });

  it("42501 a row-level security policy refusing a row written into another tenant is not mapped", async () => {
    const stranger = await createTenant(sql, { projects: [] });
    const error = await failureOf(() =>
      sql.begin(async (tx) => {
        await tx`select * from slipway_enter_scope(${stranger.tenantId}, null, null)`;
        await tx`insert into projects (tenant_id, name) values (${tenant.tenantId}, 'Planted')`;
      }),
    );
    expect((error as { code?: string }).code).toBe("42501");
    expect(toAppError(error)).toBeUndefined();
  });

  it("42501 a grant the application role lost is not mapped", async () => {
    await sql`revoke select on projects from slipway_app`;
    const error = await failureOf(() =>
      sql.begin(async (tx) => {
        await tx`select * from slipway_enter_scope(${tenant.tenantId}, null, null)`;
        await tx`select name from projects`;
      }),
    );
    await sql`grant select on projects to slipway_app`;
    expect((error as { code?: string }).code).toBe("42501");
    expect(toAppError(error)).toBeUndefined();
  });
});
