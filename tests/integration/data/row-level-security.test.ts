import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { adminSql, createTenant, type TenantFixture } from "../../support/tenants";

// src/lib/env reads the config once per process: point it at the test database before first use.
process.env.DATABASE_URL = inject("databaseUrl");
(await import("@/lib/env")).forgetEnv();
const { closeDb, getDb, withScope } = await import("@/lib/db");
const withTenant = <T>(tenantId: string, fn: Parameters<typeof withScope<T>>[1]) => withScope({ tenantId }, fn);
const withUser = <T>(userId: string, fn: Parameters<typeof withScope<T>>[1]) => withScope({ userId }, fn);

/** The PostgreSQL error code of a rejected statement (drizzle wraps the driver's error). */
async function rejectionCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    let current: unknown = error;
    while (current && typeof current === "object") {
      const code = (current as { code?: unknown }).code;
      if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
      current = (current as { cause?: unknown }).cause;
    }
    throw error;
  }
  return undefined;
}

const INSUFFICIENT_PRIVILEGE = "42501"; // also "new row violates row-level security policy"

describe("row-level security", () => {
  const admin = adminSql(inject("databaseUrl"));
  let a: TenantFixture;
  let b: TenantFixture;

  beforeAll(async () => {
    a = await createTenant(admin, { projects: ["A one", "A two"] });
    b = await createTenant(admin, { projects: ["B one", "B two", "B three"] });
    await admin`insert into audit_events (tenant_id, actor, action, target) values
      (${a.tenantId}, 'test', 'test.event', 'x'), (${b.tenantId}, 'test', 'test.event', 'y')`;
  });

  afterAll(async () => {
    await closeDb();
    await admin.end();
  });

  it("returns only the current tenant's rows to a query without a WHERE clause", async () => {
    const rows = await withTenant(a.tenantId, (tx) =>
      tx.execute<{ tenant_id: string }>(sql`select tenant_id from projects`),
    );
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(new Set(rows.map((row) => row.tenant_id))).toEqual(new Set([a.tenantId]));

    const memberships = await withTenant(a.tenantId, (tx) =>
      tx.execute<{ tenant_id: string }>(sql`select tenant_id from memberships`),
    );
    expect(new Set(memberships.map((row) => row.tenant_id))).toEqual(new Set([a.tenantId]));

    const events = await withTenant(a.tenantId, (tx) =>
      tx.execute<{ tenant_id: string }>(sql`select tenant_id from audit_events`),
    );
    expect(new Set(events.map((row) => row.tenant_id))).toEqual(new Set([a.tenantId]));
  });

  it("does not find another tenant's row even by its id", async () => {
    const rows = await withTenant(a.tenantId, (tx) =>
      tx.execute(sql`select id from projects where id = ${b.projectIds[0]}`),
    );
    expect(rows).toHaveLength(0);
  });

  it("returns no rows when no tenant is set", async () => {
    const counts = await getDb().transaction(async (tx) => {
      await tx.execute(sql`set local role slipway_app`);
      const [row] = await tx.execute<{ projects: number; memberships: number; audit: number }>(sql`
        select (select count(*)::int from projects) as projects,
               (select count(*)::int from memberships) as memberships,
               (select count(*)::int from audit_events) as audit`);
      return row;
    });
    expect(counts).toEqual({ projects: 0, memberships: 0, audit: 0 });
  });

  it("rejects writes when no tenant is set", async () => {
    const code = await rejectionCode(
      getDb().transaction(async (tx) => {
        await tx.execute(sql`set local role slipway_app`);
        await tx.execute(sql`insert into projects (tenant_id, name) values (${a.tenantId}, 'No tenant')`);
      }),
    );
    expect(code).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it("rejects an insert with another tenant's tenant_id", async () => {
    const code = await rejectionCode(
      withTenant(a.tenantId, (tx) =>
        tx.execute(sql`insert into projects (tenant_id, name) values (${b.tenantId}, 'Planted in B')`),
      ),
    );
    expect(code).toBe(INSUFFICIENT_PRIVILEGE);
    const [row] = await admin`select count(*)::int as n from projects where name = 'Planted in B'`;
    expect(row!.n).toBe(0);
  });

  it("rejects moving a row to another tenant", async () => {
    const code = await rejectionCode(
      withTenant(a.tenantId, (tx) =>
        tx.execute(sql`update projects set tenant_id = ${b.tenantId} where id = ${a.projectIds[0]}`),
      ),
    );
    expect(code).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it("rejects an audit event for another tenant", async () => {
    const code = await rejectionCode(
      withTenant(a.tenantId, (tx) =>
        tx.execute(
          sql`insert into audit_events (tenant_id, actor, action, target) values (${b.tenantId}, 'x', 'y', 'z')`,
        ),
      ),
    );
    expect(code).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it("accepts audit events but rejects updating them", async () => {
    await withTenant(a.tenantId, (tx) =>
      tx.execute(
        sql`insert into audit_events (tenant_id, actor, action, target) values (${a.tenantId}, 'x', 'kept', 'z')`,
      ),
    );
    const code = await rejectionCode(
      withTenant(a.tenantId, (tx) => tx.execute(sql`update audit_events set action = 'rewritten'`)),
    );
    expect(code).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it("rejects deleting audit events", async () => {
    const code = await rejectionCode(withTenant(a.tenantId, (tx) => tx.execute(sql`delete from audit_events`)));
    expect(code).toBe(INSUFFICIENT_PRIVILEGE);
    const [row] = await admin`select count(*)::int as n from audit_events where tenant_id = ${a.tenantId}`;
    expect(row!.n).toBeGreaterThan(0);
  });

  it("lets the app role read its own tenant row but not another tenant's", async () => {
    const rows = await withTenant(a.tenantId, (tx) => tx.execute<{ id: string }>(sql`select id from tenants`));
    expect(rows.map((row) => row.id)).toEqual([a.tenantId]);
  });

  it("rejects writes to tenants and users from the app role", async () => {
    const code = await rejectionCode(
      withTenant(a.tenantId, (tx) => tx.execute(sql`update tenants set name = 'Renamed' where id = ${a.tenantId}`)),
    );
    expect(code).toBe(INSUFFICIENT_PRIVILEGE);
  });

  it("lets a user read their own memberships across tenants, and nothing tenant-owned, with withUser", async () => {
    await admin`insert into memberships (tenant_id, user_id, role) values (${b.tenantId}, ${a.memberId}, 'member')`;
    const result = await withUser(a.memberId, async (tx) => ({
      memberships: await tx.execute<{ tenant_id: string }>(sql`select tenant_id from memberships`),
      tenants: await tx.execute<{ id: string }>(sql`select id from tenants`),
      projects: await tx.execute(sql`select id from projects`),
    }));
    expect(new Set(result.memberships.map((row) => row.tenant_id))).toEqual(new Set([a.tenantId, b.tenantId]));
    expect(new Set(result.tenants.map((row) => row.id))).toEqual(new Set([a.tenantId, b.tenantId]));
    expect(result.projects).toHaveLength(0);
  });

  it("keeps the tenant and role inside the transaction (nothing leaks to the pooled connection)", async () => {
    await withTenant(a.tenantId, async () => undefined);
    const [row] = await getDb().execute<{ tenant: string | null; role: string }>(
      sql`select nullif(current_setting('app.tenant_id', true), '') as tenant, current_user as role`,
    );
    expect(row!.tenant).toBeNull();
    expect(row!.role).not.toBe("slipway_app");
  });

  it("runs tenant queries as a role that is neither superuser, owner, nor exempt from RLS", async () => {
    const [role] = await admin`select rolsuper, rolbypassrls, rolcanlogin from pg_roles where rolname = 'slipway_app'`;
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, rolcanlogin: false });
    const owned =
      await admin`select relname from pg_class where relowner = (select oid from pg_roles where rolname = 'slipway_app')`;
    expect(owned).toHaveLength(0);
    const forced = await admin<{ relname: string }[]>`
      select relname from pg_class where relname in ('memberships', 'projects', 'audit_events')
        and relrowsecurity and relforcerowsecurity order by relname`;
    expect(forced.map((row) => row.relname)).toEqual(["audit_events", "memberships", "projects"]);
  });
});
