import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { migrateDatabase } from "../../support/migrate";
import { call, startProjectsServer } from "../../support/projects-api";
import { startRoundTripCounter, type RoundTripCounter } from "../../support/round-trips";
import type { StandaloneServer } from "../../support/standalone-server";
import { startLoggedPostgres, type LoggedPostgres } from "../../support/statement-log";
import { adminSql, createTenant, databaseUrlFor, type TenantFixture } from "../../support/tenants";

/**
 * What authenticating a request costs, counted from PostgreSQL's own statement log and, in round
 * trips, by a relay between the server and PostgreSQL; and that the verification it buys holds: a
 * removed membership, a deleted tenant or user, a revoked session loses access on the very next
 * request (the bound is zero: nothing about the caller is cached).
 */

const DATABASE = "slipway_statements";
let postgres: LoggedPostgres;
let admin: ReturnType<typeof adminSql>;
let server: StandaloneServer;
let roundTrips: RoundTripCounter;
let cookieFor: (userId: string, tenantId?: string) => Promise<string>;

beforeAll(async () => {
  postgres = await startLoggedPostgres();
  const cluster = adminSql(postgres.url);
  await cluster.unsafe(`create database ${DATABASE}`);
  await cluster.end();
  const databaseUrl = databaseUrlFor(postgres.url, DATABASE);
  await migrateDatabase(databaseUrl);
  admin = adminSql(databaseUrl);
  roundTrips = await startRoundTripCounter(databaseUrl);
  ({ server, cookieFor } = await startProjectsServer({ dir: inject("standaloneDir"), databaseUrl: roundTrips.url }));
});

afterAll(async () => {
  await server?.stop();
  await roundTrips?.stop();
  await admin?.end();
  await postgres?.stop();
});

/**
 * The statements one request ran, once its transaction has been logged. A connection's first use
 * logs an empty query (postgres.js opening it): connection setup, not the request's work.
 */
async function statementsOf(request: () => Promise<unknown>, transactions = 1): Promise<string[]> {
  postgres.clear();
  await request();
  const deadline = Date.now() + 5_000;
  for (;;) {
    const statements = postgres.statementsIn(DATABASE).filter((statement) => statement !== "");
    const ended = statements.filter((statement) => /^(commit|rollback)$/i.test(statement)).length;
    if (ended >= transactions || Date.now() > deadline) {
      return statements;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * The round trips between the server and PostgreSQL one request took, once warm: the pool's
 * connection open and the request's statements prepared on it (the first use of a statement on a
 * connection takes one more).
 */
async function roundTripsOf(request: () => Promise<unknown>): Promise<number> {
  for (let warm = 0; warm < 3; warm++) await request();
  roundTrips.reset();
  await request();
  return roundTrips.roundTrips();
}

function expectOneVerifiedTransaction(statements: string[], queries: number) {
  expect(statements[0]).toMatch(/^begin$/i);
  expect(statements[1]).toMatch(/slipway_enter_scope/);
  expect(statements.at(-1)).toMatch(/^commit$/i);
  expect(statements.filter((statement) => /^begin$/i.test(statement))).toHaveLength(1);
  expect(statements).toHaveLength(3 + queries);
  expect(statements.length).toBeLessThanOrEqual(5);
}

describe("the cost of a tenant API request", () => {
  let tenant: TenantFixture;
  let cookie: string;

  beforeAll(async () => {
    tenant = await createTenant(admin, { projects: Array.from({ length: 20 }, (_, index) => `Project ${index}`) });
    cookie = await cookieFor(tenant.adminId, tenant.tenantId);
  });

  it("lists 20 projects in one transaction of four statements: begin, enter (verifies the caller), select, commit", async () => {
    let status = 0;
    const statements = await statementsOf(async () => {
      const response = await call(server.url, "/api/v1/projects", { cookie });
      status = response.status;
      expect(response.body.data).toHaveLength(20);
    });
    expect(status).toBe(200);
    expectOneVerifiedTransaction(statements, 1);
  });

  it("creates a project and its audit row in five statements", async () => {
    const statements = await statementsOf(() =>
      call(server.url, "/api/v1/projects", { method: "POST", cookie, json: { name: "Counted" } }).then((response) =>
        expect(response.status).toBe(201),
      ),
    );
    expectOneVerifiedTransaction(statements, 2);
    expect(statements.join("\n")).toMatch(/insert into "audit_events"/);
  });

  it("renames and deletes in five statements each (the update reads the row it changes)", async () => {
    // The fixture's id, not a query: a statement of the test's own could land in the counted window.
    const path = `/api/v1/projects/${tenant.projectIds[0]!}`;
    const renamed = await statementsOf(() =>
      call(server.url, path, { method: "PATCH", cookie, json: { name: "Renamed" } }).then((response) =>
        expect(response.status).toBe(200),
      ),
    );
    expectOneVerifiedTransaction(renamed, 2);
    const deleted = await statementsOf(() =>
      call(server.url, path, { method: "DELETE", cookie }).then((response) => expect(response.status).toBe(204)),
    );
    expectOneVerifiedTransaction(deleted, 2);
  });

  it("lists in three round trips: [begin, enter], [select], [commit]", async () => {
    expect(await roundTripsOf(() => call(server.url, "/api/v1/projects", { cookie }))).toBe(3);
  });

  it("renders the projects page in two transactions of four statements, five round trips", async () => {
    const page = () =>
      fetch(`${server.url}/projects`, { headers: { cookie } }).then(async (response) => {
        expect(response.status).toBe(200);
        await response.text();
      });
    const statements = await statementsOf(page, 2);
    // The caller and their organizations (for the header), then the list with the verified caller.
    expect(statements.filter((statement) => /^begin$/i.test(statement))).toHaveLength(2);
    expect(statements).toHaveLength(8);
    // [begin, enter], [organizations], [commit]; then [begin, enter, select], [commit].
    expect(await roundTripsOf(page)).toBe(5);
  });

  it("answers who am I with the verification alone", async () => {
    const statements = await statementsOf(() =>
      call(server.url, "/api/v1/me", { cookie }).then((response) => expect(response.status).toBe(200)),
    );
    expectOneVerifiedTransaction(statements, 0);
  });

  it("runs every tenant query as slipway_app with the tenant set (row-level security stays the enforcement)", async () => {
    const [setting] = await admin<{ prosrc: string }[]>`
      select prosrc from pg_proc where proname = 'slipway_enter_scope'`;
    expect(setting!.prosrc).toMatch(/set_config\('role', 'slipway_app', true\)/);
    expect(setting!.prosrc).toMatch(/set_config\('app.tenant_id'/);
  });
});

describe("losing access takes effect on the next request", () => {
  it("refuses a member whose membership was removed", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    const cookie = await cookieFor(tenant.memberId, tenant.tenantId);
    expect((await call(server.url, "/api/v1/projects", { cookie })).status).toBe(200);
    await admin`delete from memberships where user_id = ${tenant.memberId}`;
    const refused = await call(server.url, "/api/v1/projects", { cookie });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("no_active_tenant");
  });

  it("refuses everyone in a deleted tenant", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    const cookie = await cookieFor(tenant.adminId, tenant.tenantId);
    expect((await call(server.url, "/api/v1/projects", { cookie })).status).toBe(200);
    await admin`update tenants set deleted_at = now() where id = ${tenant.tenantId}`;
    expect((await call(server.url, "/api/v1/projects", { cookie })).status).toBe(403);
  });

  it("signs out a deleted user", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    const cookie = await cookieFor(tenant.adminId, tenant.tenantId);
    await admin`update users set deleted_at = now() where id = ${tenant.adminId}`;
    expect((await call(server.url, "/api/v1/projects", { cookie })).status).toBe(401);
    expect((await call(server.url, "/api/v1/me", { cookie })).status).toBe(401);
  });

  it("refuses a revoked session, and only that one", async () => {
    const tenant = await createTenant(admin, { projects: [] });
    const revoked = await cookieFor(tenant.adminId, tenant.tenantId);
    const other = await cookieFor(tenant.adminId, tenant.tenantId);
    const sessionId = JSON.parse(Buffer.from(revoked.split(".")[1]!, "base64url").toString()).jti as string;
    await admin`insert into revoked_sessions (id, user_id, expires_at)
      values (${sessionId}, ${tenant.adminId}, now() + interval '1 day')`;
    expect((await call(server.url, "/api/v1/projects", { cookie: revoked })).status).toBe(401);
    expect((await call(server.url, "/api/v1/projects", { cookie: other })).status).toBe(200);
  });
});
