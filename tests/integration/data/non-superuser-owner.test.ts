import { spawnSync } from "node:child_process";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMigrations } from "../../../db/migrate";
import { seedDatabase } from "../../../db/seed";
import { ensureBundledMigrator } from "../../support/migrator";
import { startPostgres, type EmbeddedPostgresHandle } from "../../support/postgres";

/**
 * Production shape: the app connects as a non-superuser that owns the tables (CREATEROLE so the
 * first migration can create slipway_app), on a cluster where the role does not exist yet.
 * FORCE ROW LEVEL SECURITY then binds the owner too.
 */
describe("a non-superuser owner on a fresh cluster", () => {
  let cluster: EmbeddedPostgresHandle;
  let url: string;
  let owner: postgres.Sql;

  beforeAll(async () => {
    cluster = await startPostgres();
    const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
    await admin.unsafe("create role slipway_owner login createrole password 'owner-password'");
    await admin.unsafe("create database owned owner slipway_owner");
    await admin.end();
    url = `postgres://slipway_owner:owner-password@127.0.0.1:${cluster.port}/owned`;
    await runMigrations(url);
    await seedDatabase(url);
    owner = postgres(url, { max: 1, onnotice: () => {} });
  });

  afterAll(async () => {
    await owner?.end();
    await cluster?.stop();
  });

  it("creates slipway_app and lets the owner switch to it", async () => {
    const [row] = await owner`
      select pg_has_role(current_user, 'slipway_app', 'SET') as can_set,
             (select rolsuper from pg_roles where rolname = current_user) as superuser`;
    expect(row).toEqual({ can_set: true, superuser: false });
  });

  it("shows the owner no tenant rows without a tenant set", async () => {
    const [row] = await owner`select (select count(*)::int from projects) as projects,
                                     (select count(*)::int from memberships) as memberships`;
    expect(row).toEqual({ projects: 0, memberships: 0 });
  });

  it("shows exactly the tenant's rows inside a tenant transaction", async () => {
    const [acme] = await owner`select id from tenants where slug = 'acme'`;
    const rows = await owner.begin(async (tx) => {
      await tx`select set_config('app.tenant_id', ${acme!.id}, true)`;
      await tx`set local role slipway_app`;
      return tx<{ tenant_id: string }[]>`select tenant_id from projects`;
    });
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((row) => row.tenant_id))).toEqual(new Set([acme!.id]));
  });

  it("is migrated again as a no-op by the bundled migrator", () => {
    ensureBundledMigrator();
    const root = path.resolve(import.meta.dirname, "../../..");
    const result = spawnSync(process.execPath, ["dist/db/migrate.mjs"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", DATABASE_URL: url },
      encoding: "utf8",
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("is up to date");
  });
});
