import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDatabase } from "../../../db/seed";
import {
  initCluster,
  removeScratchDir,
  scratchDir,
  startCluster,
  ownedDir,
  type Cluster,
} from "../../support/debian-postgres";
import { migrateDatabase } from "../../support/migrate";
import { missingRequirement } from "../../support/requirements";
import type { CommandResult } from "../../support/command";
import { runbookBlock, runRunbookBlock } from "../../support/runbook";
import { createEmptyDatabase, createTenant, type TenantFixture } from "../../support/tenants";
import { ROOT, snapshotTables } from "./support";

// Debian's server comes with its own pg_dump and pg_restore, of the server's version.
const skip = missingRequirement("postgresql", "logical backups (pg_dump and pg_restore of the server's version)");

const TABLES = [
  "tenants",
  "users",
  "memberships",
  "projects",
  "audit_events",
  "webhook_events",
  "drizzle.__drizzle_migrations",
];

describe.skipIf(skip)("logical backups (db:backup, db:restore, db:restore-drill)", () => {
  let dir: string;
  let source: Cluster;
  let sourceSql: postgres.Sql;
  let tenant: TenantFixture;
  const connections: postgres.Sql[] = [];
  const clusters: Cluster[] = [];

  const newCluster = async (name: string) => {
    const dataDir = path.join(dir, name);
    await initCluster(dataDir);
    const cluster = await startCluster({ dataDir, socketDir: ownedDir(path.join(dir, `${name}-socket`)) });
    clusters.push(cluster);
    const admin = postgres(cluster.url("postgres"), { max: 1, onnotice: () => {} });
    await admin`create database slipway`;
    await admin.end();
    return cluster;
  };
  const connect = (url: string) => {
    const sql = postgres(url, { max: 2, onnotice: () => {} });
    connections.push(sql);
    return sql;
  };
  const block = (id: string, env: Record<string, string>) =>
    runRunbookBlock(runbookBlock("backups.md", id), { env, timeoutMs: 120_000 });
  const output = (result: CommandResult) => result.stdout + result.stderr;
  const backupInto = async (backupDir: string) => {
    const result = await block("logical-backup", { DATABASE_URL: source.url("slipway"), BACKUP_DIR: backupDir });
    expect(result.code, output(result)).toBe(0);
    const dump = /-> (\S+\.dump)/.exec(result.stdout)?.[1];
    expect(dump, result.stdout).toBeDefined();
    return dump!;
  };
  const freshBackupDir = (name: string) => {
    const backupDir = path.join(dir, name);
    mkdirSync(backupDir);
    return backupDir;
  };

  beforeAll(async () => {
    dir = scratchDir("logical");
    source = await newCluster("source");
    await migrateDatabase(source.url("slipway"));
    await seedDatabase(source.url("slipway"));
    sourceSql = connect(source.url("slipway"));
    tenant = await createTenant(sourceSql, { projects: ["Alpha", "Beta"] });
    await sourceSql`insert into webhook_events (id, source, type, changes) values ('msg_1', 'clerk', 'user.created', '[{"a": 1}]')`;
  });
  afterAll(async () => {
    for (const sql of connections) await sql.end({ timeout: 1 });
    for (const cluster of clusters) await cluster.stop();
    if (dir) removeScratchDir(dir);
  });

  it("db:backup then db:restore into an empty database gives identical tables", async () => {
    const dump = await backupInto(freshBackupDir("round-trip"));
    expect(path.basename(dump)).toMatch(/^slipway-\d{8}T\d{6}Z\.dump$/);
    const copy = await createEmptyDatabase(sourceSql, source.url("slipway"));
    try {
      const restore = await block("logical-restore", { DATABASE_URL: copy.url, DUMP_FILE: dump });
      expect(restore.code, output(restore)).toBe(0);
      const copySql = connect(copy.url);
      expect(await snapshotTables(copySql, TABLES)).toEqual(await snapshotTables(sourceSql, TABLES));
      await copySql.end();
    } finally {
      await copy.drop();
    }
  });

  it("db:restore refuses a database that already holds tables and changes nothing", async () => {
    const dump = await backupInto(freshBackupDir("refusal"));
    await sourceSql`insert into projects (tenant_id, name, created_by) values (${tenant.tenantId}, 'After the dump', ${tenant.adminId})`;
    const before = await snapshotTables(sourceSql, TABLES);
    const restore = await block("logical-restore", { DATABASE_URL: source.url("slipway"), DUMP_FILE: dump });
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(
      /restore: FAILED for 127\.0\.0\.1:\d+\/slipway: .* already holds \d+ tables; nothing was changed/,
    );
    expect(restore.stderr).toContain("--force");
    expect(await snapshotTables(sourceSql, TABLES)).toEqual(before);
  });

  it("db:restore --force replaces the tables of a non-empty database with the dump's", async () => {
    const backupDir = freshBackupDir("force");
    const dump = await backupInto(backupDir);
    const dumped = await snapshotTables(sourceSql, TABLES);
    const copy = await createEmptyDatabase(sourceSql, source.url("slipway"));
    try {
      await migrateDatabase(copy.url);
      const copySql = connect(copy.url);
      await createTenant(copySql, { projects: ["Only in the copy"] });
      const restore = spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), ["db/restore.ts", dump, "--force"], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: copy.url },
        encoding: "utf8",
      });
      expect(restore.status, restore.stderr).toBe(0);
      expect(await snapshotTables(copySql, TABLES)).toEqual(dumped);
      await copySql.end();
    } finally {
      await copy.drop();
    }
  });

  it("restores into a fresh cluster: creates slipway_app and leaves row-level security as the migrator does", async () => {
    const dump = await backupInto(freshBackupDir("fresh-cluster"));
    const fresh = await newCluster("fresh");
    const freshSql = connect(fresh.url("slipway"));
    expect(await freshSql`select 1 from pg_roles where rolname = 'slipway_app'`).toHaveLength(0);

    const restore = await block("logical-restore", { DATABASE_URL: fresh.url("slipway"), DUMP_FILE: dump });
    expect(restore.code, output(restore)).toBe(0);

    const role = (sql: postgres.Sql) => sql`
      select rolcanlogin, rolinherit, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb,
             pg_has_role(current_user, 'slipway_app', 'MEMBER') as usable
      from pg_roles where rolname = 'slipway_app'`;
    expect(await role(freshSql)).toEqual(await role(sourceSql));
    const security = (sql: postgres.Sql) => sql`
      select relname, relrowsecurity, relforcerowsecurity from pg_class
      where relnamespace = 'public'::regnamespace and relkind = 'r' order by relname`;
    const flags = await security(freshSql);
    expect(flags).toEqual(await security(sourceSql));
    expect(flags.find((row) => row.relname === "projects")).toMatchObject({
      relrowsecurity: true,
      relforcerowsecurity: true,
    });
    expect(await snapshotTables(freshSql, TABLES)).toEqual(await snapshotTables(sourceSql, TABLES));

    // Tenant isolation holds in the copy: as slipway_app, one tenant sees only its own projects.
    const visible = await freshSql.begin(async (tx) => {
      await tx`select set_config('app.tenant_id', ${tenant.tenantId}, true)`;
      await tx`set local role slipway_app`;
      return tx<{ tenant_id: string }[]>`select tenant_id from projects`;
    });
    expect(visible.length).toBeGreaterThan(0);
    expect(new Set(visible.map((row) => row.tenant_id))).toEqual(new Set([tenant.tenantId]));

    const migrator = spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), ["db/migrate.ts"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: fresh.url("slipway") },
      encoding: "utf8",
    });
    expect(migrator.stdout, migrator.stderr).toMatch(/is up to date/);
  });

  it("db:backup removes this database's dumps older than the retention and keeps the rest", async () => {
    const backupDir = freshBackupDir("retention");
    const old = ["slipway-20200101T030000Z", "slipway-20200102T030000Z"];
    const kept = [
      "other-20200101T030000Z",
      `slipway-${new Date(Date.now() - 5 * 86_400_000)
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}/, "")}`,
    ];
    for (const name of [...old, ...kept]) {
      writeFileSync(path.join(backupDir, `${name}.dump`), "");
      writeFileSync(path.join(backupDir, `${name}.manifest.json`), "{}");
    }
    writeFileSync(path.join(backupDir, "notes.txt"), "not a dump");
    const dump = await backupInto(backupDir);
    expect(readdirSync(backupDir).sort()).toEqual(
      [
        ...kept.flatMap((name) => [`${name}.dump`, `${name}.manifest.json`]),
        path.basename(dump),
        path.basename(dump).replace(".dump", ".manifest.json"),
        "notes.txt",
      ].sort(),
    );
  });

  it("db:restore-drill restores the newest dump into a scratch database, verifies it, prints the recovery time and drops it", async () => {
    const backupDir = freshBackupDir("drill");
    await backupInto(backupDir);
    const drill = await block("restore-drill", { DATABASE_URL: source.url("slipway"), BACKUP_DIR: backupDir });
    expect(drill.code, output(drill)).toBe(0);
    expect(drill.stdout).toMatch(/restore-drill: OK: \d+ tables match the manifest/);
    expect(drill.stdout).toMatch(/restore-drill: recovery time \d+\.\d+ s/);
    expect(await sourceSql`select datname from pg_database where datname like 'slipway_restore_drill_%'`).toHaveLength(
      0,
    );
  });

  it("db:restore-drill fails when the restored copy differs from the manifest", async () => {
    const backupDir = freshBackupDir("drill-mismatch");
    const dump = await backupInto(backupDir);
    const manifestFile = dump.replace(/\.dump$/, ".manifest.json");
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
    const projects = manifest.facts.tables.find((table: { name: string }) => table.name === "public.projects");
    projects.rows += 1;
    writeFileSync(manifestFile, JSON.stringify(manifest));
    const drill = await block("restore-drill", { DATABASE_URL: source.url("slipway"), BACKUP_DIR: backupDir });
    expect(drill.code).toBe(1);
    expect(drill.stderr).toContain(
      `restore-drill: MISMATCH public.projects: ${projects.rows - 1} rows, the source had ${projects.rows}`,
    );
    expect(await sourceSql`select datname from pg_database where datname like 'slipway_restore_drill_%'`).toHaveLength(
      0,
    );
  });

  it("db:restore-drill fails on an unreadable dump", async () => {
    const backupDir = freshBackupDir("drill-unreadable");
    const dump = await backupInto(backupDir);
    truncateSync(dump, 100);
    const drill = await block("restore-drill", { DATABASE_URL: source.url("slipway"), BACKUP_DIR: backupDir });
    expect(drill.code).toBe(1);
    expect(drill.stderr).toMatch(/restore-drill: FAILED for 127\.0\.0\.1:\d+\/slipway: .*not a readable dump/);
    expect(await sourceSql`select datname from pg_database where datname like 'slipway_restore_drill_%'`).toHaveLength(
      0,
    );
  });
});
