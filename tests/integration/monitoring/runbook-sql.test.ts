import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { migrateDatabase } from "../../support/migrate";
import { missingRequirement } from "../../support/requirements";
import type { CommandResult } from "../../support/command";
import { runbookBlock, runRunbookBlock } from "../../support/runbook";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";
import { adminSql, createEmptyDatabase, createTenant } from "../../support/tenants";

/**
 * The runbooks' diagnostic and recovery SQL, run from docs/runbooks exactly as written (psql with
 * $DATABASE_URL), against a real PostgreSQL: each query runs, and the recovery blocks end the
 * lock holder, cancel the runaway query and restore a revoked grant. Each test works in a
 * database of its own, so ending sessions cannot touch another test's.
 */

const METRICS_TOKEN = "runbook-metrics-token-0123456789";

let cluster: postgres.Sql;
let database: { url: string; drop: () => Promise<void> };
let server: StandaloneServer;
const opened: postgres.Sql[] = [];

/** A client with its own application_name (the app's pool and health checks say "slipway"). */
function client(applicationName: string): postgres.Sql {
  const sql = postgres(database.url, { max: 1, onnotice: () => {}, connection: { application_name: applicationName } });
  opened.push(sql);
  return sql;
}

async function runBlock(file: string, id: string, env: Record<string, string> = {}): Promise<CommandResult> {
  const result = await runRunbookBlock(runbookBlock(file, id), {
    env: { DATABASE_URL: database.url, APP_URL: server.url, METRICS_TOKEN, ...env },
    timeoutMs: 30_000,
  });
  expect(result.code, `${file} {run=${id}} failed:\n${result.stdout}\n${result.stderr}`).toBe(0);
  expect(result.stderr).not.toMatch(/ERROR/);
  return result;
}

/** Waits until a session of `applicationName` has waited (or run) at least a second, in `state`. */
async function waitForSession(applicationName: string, condition: "Lock" | "active"): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const [row] = await cluster<{ count: number }[]>`
      select count(*)::int as count from pg_stat_activity
      where application_name = ${applicationName} and datname = current_database()
        and query_start < now() - interval '1 second'
        and ${condition === "Lock" ? cluster`wait_event_type = 'Lock'` : cluster`state = 'active'`}`;
    if (row!.count > 0) return;
    if (Date.now() > deadline) throw new Error(`no ${applicationName} session became ${condition}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const skip = missingRequirement("psql", "the runbooks' SQL");

describe.skipIf(skip)("runbook SQL against a real PostgreSQL", () => {
  beforeAll(async () => {
    const admin = adminSql(inject("databaseUrl"));
    const created = await createEmptyDatabase(admin, inject("databaseUrl"));
    await migrateDatabase(created.url);
    database = {
      url: created.url,
      drop: async () => {
        await created.drop();
        await admin.end();
      },
    };
    cluster = adminSql(database.url);
    await createTenant(cluster, { projects: ["Runbook"] });
    server = await startStandaloneServer({
      dir: inject("standaloneDir"),
      env: { DATABASE_URL: database.url, METRICS_TOKEN },
    });
  });

  afterAll(async () => {
    await server?.stop();
    for (const sql of opened.splice(0)) await sql.end({ timeout: 1 }).catch(() => {});
    await cluster?.end();
    await database?.drop();
  });

  it("troubleshooting.md {run=db-connections} lists connections by client and the server's limit", async () => {
    const { stdout } = await runBlock("troubleshooting.md", "db-connections");
    expect(stdout).toMatch(/database\s*\|\s*client\s*\|\s*state\s*\|\s*connections/);
    expect(stdout).toMatch(/max_connections/);
  });

  it("troubleshooting.md {run=db-slow-queries} lists running queries and says whether pg_stat_statements is there", async () => {
    const { stdout } = await runBlock("troubleshooting.md", "db-slow-queries");
    expect(stdout).toMatch(/running_for/);
    expect(stdout).toMatch(/pg_stat_statements is not installed|total_ms/);
  });

  it("troubleshooting.md {run=db-pool-saturation} shows the app's connections and its pool gauges", async () => {
    await fetch(`${server.url}/health/ready`);
    const { stdout } = await runBlock("troubleshooting.md", "db-pool-saturation");
    expect(stdout).toMatch(/instance\s*\|\s*connections\s*\|\s*active/);
    expect(stdout).toContain("127.0.0.1");
    expect(stdout).toMatch(/^slipway_db_pool_connections\{state="max"\} 10$/m);
  });

  it("scaling.md {run=db-connection-budget} compares the app's connections with max_connections", async () => {
    const { stdout } = await runBlock("scaling.md", "db-connection-budget");
    expect(stdout).toMatch(/max_connections\s*\|\s*slipway_connections/);
  });

  it("a lock held by another session: db-locks names the blocker, db-terminate-blockers ends it and the app's query completes", async () => {
    // A transaction that takes the lock and then waits (as a forgotten psql session would).
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const holding = client("runbook-lock-holder")
      .begin(async (tx) => {
        await tx`lock table projects in access exclusive mode`;
        locked();
        await new Promise(() => {});
      })
      .then(
        () => "committed",
        (error: Error) => error.message,
      );
    await lockTaken;
    const outcome = client("slipway")`select count(*)::int as count from projects`
      .execute()
      .then((rows) => rows[0]!.count);
    await waitForSession("slipway", "Lock");

    const locks = await runBlock("troubleshooting.md", "db-locks");
    expect(locks.stdout).toMatch(/slipway\s*\|.*runbook-lock-holder/);

    const terminated = await runBlock("latency.md", "db-terminate-blockers", { LONGER_THAN: "1 second" });
    expect(terminated.stdout).toMatch(/runbook-lock-holder.*\|\s*t\s*$/m);
    // postgres.js reports the server ending the connection as CONNECTION_CLOSED.
    expect(await holding).toMatch(/terminating connection|CONNECTION_CLOSED/);
    expect(await outcome).toBe(1);
    const [left] = await cluster<{ count: number }[]>`
      select count(*)::int as count from pg_stat_activity where application_name = 'runbook-lock-holder'`;
    expect(left!.count).toBe(0);
  });

  it("latency.md {run=db-terminate-blockers} leaves sessions alone that block nobody", async () => {
    const idle = await client("runbook-idle").reserve();
    await idle`begin`;
    await idle`select 1`;
    const { stdout } = await runBlock("latency.md", "db-terminate-blockers", { LONGER_THAN: "0 seconds" });
    expect(stdout).toContain("(0 rows)");
    expect((await idle`select 2 as two`)[0]!.two).toBe(2);
    await idle`rollback`;
    idle.release();
  });

  it("latency.md {run=db-cancel-long-queries} cancels the app's runaway query and nothing else", async () => {
    const app = client("slipway");
    // execute(): postgres.js sends a query only once it is awaited or executed. The outcome is
    // settled into a value at once, so the cancellation is never an unhandled rejection.
    const runaway = app`select pg_sleep(30)`.execute().then(
      () => "finished",
      (error: Error) => error.message,
    );
    const other = client("runbook-other-app");
    const otherSleep = other`select pg_sleep(3)`.execute();
    await waitForSession("slipway", "active");

    const { stdout } = await runBlock("latency.md", "db-cancel-long-queries", { LONGER_THAN: "1 second" });
    expect(stdout).toMatch(/pg_sleep\(30\).*\|\s*t\s*$/m);
    expect(await runaway).toMatch(/canceling statement due to user request/);
    await expect(otherSleep).resolves.toBeDefined();
  });

  it("error-spike.md: app-role-privileges shows a revoked grant, app-role-grants-restore puts it back", async () => {
    await cluster`revoke insert on audit_events from slipway_app`;
    const before = await runBlock("error-spike.md", "app-role-privileges");
    expect(before.stdout).toMatch(/audit_events\s*\|\s*SELECT\s*$/m);

    await runBlock("error-spike.md", "app-role-grants-restore");
    const [row] = await cluster<{ allowed: boolean }[]>`
      select has_table_privilege('slipway_app', 'audit_events', 'INSERT') as allowed`;
    expect(row!.allowed).toBe(true);
    const after = await runBlock("error-spike.md", "app-role-privileges");
    expect(after.stdout).toMatch(/audit_events\s*\|\s*INSERT, SELECT\s*$/m);
    expect(after.stdout).toMatch(/projects\s*\|\s*DELETE, INSERT, SELECT, UPDATE\s*$/m);
  });
});
