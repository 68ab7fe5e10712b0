import { afterAll, describe, expect, inject, it } from "vitest";
import { adminSql } from "../../support/tenants";

/**
 * The catalog, not a list: every table with a tenant_id column is tenant-owned, so row-level
 * security must be enabled AND forced on it (forced binds the owner too), with a policy that
 * applies to the application role. A new tenant-scoped table that forgets its policy fails here
 * (docs/guides/add-a-tenant-scoped-feature.md).
 */
const admin = adminSql(inject("databaseUrl"));

afterAll(async () => {
  await admin.end();
});

interface TenantTable {
  table: string;
  rls: boolean;
  forced: boolean;
  policies: string[];
}

describe("tenant-owned tables", () => {
  it("exist (the check is not vacuous)", async () => {
    const tables = await tenantTables();
    expect(tables.map((table) => table.table)).toEqual(
      expect.arrayContaining(["projects", "memberships", "audit_events"]),
    );
  });

  it("all have row-level security enabled and forced, and a policy for slipway_app", async () => {
    const unsafe = (await tenantTables()).filter((table) => !table.rls || !table.forced || table.policies.length === 0);
    expect(unsafe).toEqual([]);
  });
});

async function tenantTables(): Promise<TenantTable[]> {
  return admin<TenantTable[]>`
    select c.relname as table,
           c.relrowsecurity as rls,
           c.relforcerowsecurity as forced,
           coalesce(array_agg(p.policyname) filter (where p.policyname is not null), '{}') as policies
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
    join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
    left join pg_policies p on p.schemaname = 'public' and p.tablename = c.relname
      and (p.roles @> array['slipway_app']::name[] or p.roles @> array['public']::name[])
    where c.relkind in ('r', 'p')
    group by c.relname, c.relrowsecurity, c.relforcerowsecurity
    order by c.relname`;
}
