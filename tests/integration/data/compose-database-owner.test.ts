import { chownSync, mkdtempSync, writeFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backupDatabase, restoreDatabase } from "../../../db/logical-backup";
import { runMigrations } from "../../../db/migrate";
import { seedDatabase } from "../../../db/seed";
import {
  CLUSTER_SUPERUSER,
  clusterUser,
  debianPostgresBinDir,
  initCluster,
  ownedDir,
  removeScratchDir,
  runAsClusterUser,
  scratchDir,
  startCluster,
  type Cluster,
} from "../../support/debian-postgres";
import { missingRequirement } from "../../support/requirements";

/**
 * Finding 4 of issue 14: the compose stack connected as the PostgreSQL superuser, so everything
 * outside withTenant bypassed row-level security. Now the database image's init script
 * (db/postgres/app-owner-role.sh) creates the owner role the app and the migrator use. Here it runs
 * on a real cluster the way the postgres image's entrypoint runs it (as the postgres OS user, on the
 * Unix socket, with POSTGRES_USER and POSTGRES_DB), and for the upgrade of a stack whose superuser
 * was `slipway`, exactly as docs/deployment.md ("Database roles") tells an operator.
 */

const ROOT = path.resolve(import.meta.dirname, "../../..");
const INIT_SCRIPT = path.join(ROOT, "db/postgres/app-owner-role.sh");
const OWNER = "slipway";
const DATABASE = "slipway";
const PASSWORD = "0123456789abcdef0123456789abcdef";

const skip = missingRequirement("postgresql", "the compose database image's owner role, run on a real cluster");

interface Stack {
  cluster: Cluster;
  /** As the image's superuser `postgres` (trust over TCP here, as on the image's socket). */
  adminUrl: (database?: string) => string;
  /** pg_hba.conf as the image has it: only the superuser `postgres` without a password. */
  requirePasswords: () => Promise<void>;
  /** The app's DATABASE_URL: the owner role, with its password (scram-sha-256 over TCP). */
  ownerUrl: (password?: string, database?: string) => string;
  passwordFile: string;
  /** db/postgres/app-owner-role.sh as the image's entrypoint runs it. */
  initScript: (env?: Record<string, string>) => ReturnType<typeof runAsClusterUser>;
  psql: (user: string, database: string, command: string) => ReturnType<typeof runAsClusterUser>;
}

const dirs: string[] = [];
const clusters: Cluster[] = [];
const connections: postgres.Sql[] = [];
const connect = (url: string) => {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  connections.push(sql);
  return sql;
};

/** pg_hba.conf: trust on the socket (as in the image), passwords over TCP but for the `trusted` roles. */
const hba = (trusted: string[]) =>
  [
    "local all all trust",
    ...trusted.map((role) => `host all ${role} 127.0.0.1/32 trust`),
    "host all all 127.0.0.1/32 scram-sha-256",
    "",
  ].join("\n");

/** A cluster whose bootstrap superuser is `superuser`, with the app's database, as the image leaves it. */
async function startStack(name: string, superuser: string): Promise<Stack> {
  const dir = scratchDir(`owner-${name}`);
  dirs.push(dir);
  const dataDir = path.join(dir, "data");
  await initCluster(dataDir, ["password_encryption = 'scram-sha-256'"], superuser);
  writeFileSync(path.join(dataDir, "pg_hba.conf"), hba([superuser, CLUSTER_SUPERUSER]));
  const cluster = await startCluster({ dataDir, socketDir: ownedDir(path.join(dir, "socket")), superuser });
  clusters.push(cluster);
  const admin = connect(cluster.url("postgres"));
  // The entrypoint's `CREATE DATABASE :"POSTGRES_DB"`, owned by the superuser.
  await admin.unsafe(`create database ${DATABASE}`);

  const secrets = mkdtempSync(path.join(dir, "secrets-"));
  const passwordFile = path.join(secrets, "database_password");
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  const user = clusterUser();
  if (user) {
    chownSync(secrets, user.uid, user.gid);
    chownSync(passwordFile, user.uid, user.gid);
  }
  const socketEnv = { PGHOST: cluster.socketDir, PGPORT: String(cluster.port) };
  const adminUrl = (database = "postgres") => `postgres://${CLUSTER_SUPERUSER}@127.0.0.1:${cluster.port}/${database}`;
  return {
    cluster,
    adminUrl,
    requirePasswords: async () => {
      writeFileSync(path.join(dataDir, "pg_hba.conf"), hba([CLUSTER_SUPERUSER]));
      await connect(adminUrl())`select pg_reload_conf()`;
    },
    ownerUrl: (password = PASSWORD, database = DATABASE) =>
      `postgres://${OWNER}:${password}@127.0.0.1:${cluster.port}/${database}`,
    passwordFile,
    initScript: (env = {}) =>
      runAsClusterUser(INIT_SCRIPT, [], {
        env: {
          ...socketEnv,
          POSTGRES_USER: CLUSTER_SUPERUSER,
          POSTGRES_DB: DATABASE,
          SLIPWAY_DATABASE_PASSWORD_FILE: passwordFile,
          ...env,
        },
      }),
    psql: (as, database, command) =>
      runAsClusterUser(
        path.join(debianPostgresBinDir()!, "psql"),
        ["-v", "ON_ERROR_STOP=1", "--no-psqlrc", "-U", as, "-d", database, "-c", command],
        { env: socketEnv },
      ),
  };
}

const roleOf = async (sql: postgres.Sql, role: string) =>
  (
    await sql`
      select rolsuper, rolbypassrls, rolcreatedb, rolcreaterole, rolreplication, rolcanlogin
      from pg_roles where rolname = ${role}`
  )[0];

/** Objects of the app's schemas not owned by the owner role (relations, schemas, functions, types). */
const notOwnedByOwner = (sql: postgres.Sql) => sql<{ object: string; owner: string }[]>`
  select c.relname as object, pg_get_userbyid(c.relowner) as owner
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('public', 'drizzle') and c.relowner <> ${OWNER}::regrole
  union all
  select n.nspname, pg_get_userbyid(n.nspowner) from pg_namespace n
    where n.nspname = 'drizzle' and n.nspowner <> ${OWNER}::regrole
  union all
  select p.proname, pg_get_userbyid(p.proowner) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'public' and p.proowner <> ${OWNER}::regrole
  union all
  select t.typname, pg_get_userbyid(t.typowner) from pg_type t join pg_namespace n on n.oid = t.typnamespace
    where n.nspname = 'public' and t.typtype = 'e' and t.typowner <> ${OWNER}::regrole`;

/** What the app's role may do outside withTenant, and inside it. */
async function expectBoundByRowLevelSecurity(stack: Stack): Promise<void> {
  const owner = connect(stack.ownerUrl());
  const admin = connect(stack.adminUrl(DATABASE));
  const [{ total }] = await admin<[{ total: number }]>`select count(*)::int as total from projects`;
  expect(total).toBeGreaterThan(0);
  // The probe of the finding: a query outside withTenant, as the app's DATABASE_URL.
  const [row] = await owner`
    select current_user as user, (select rolsuper from pg_roles where rolname = current_user) as superuser,
           (select count(*)::int from projects) as projects, (select count(*)::int from memberships) as memberships,
           (select count(*)::int from audit_events) as audit_events`;
  expect(row).toEqual({ user: OWNER, superuser: false, projects: 0, memberships: 0, audit_events: 0 });
  const [acme] = await owner`select id from tenants where slug = 'acme'`;
  await expect(
    owner`insert into projects (tenant_id, name) values (${acme!.id}, 'written without a tenant')`,
  ).rejects.toThrow(/row-level security/);
  // Inside a tenant scope (withTenant's statements): exactly the tenant's rows.
  const rows = await owner.begin(async (tx) => {
    await tx`select set_config('app.tenant_id', ${acme!.id}, true)`;
    await tx`set local role slipway_app`;
    return tx<{ tenant_id: string }[]>`select tenant_id from projects`;
  });
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.length).toBeLessThan(total);
  expect(new Set(rows.map((project) => project.tenant_id))).toEqual(new Set([acme!.id]));
  // No way up: neither the superuser's role nor new roles or databases.
  await expect(owner.unsafe(`set role ${CLUSTER_SUPERUSER}`)).rejects.toThrow(/permission denied/);
  await expect(owner`create role intruder`).rejects.toThrow(/permission denied/);
  await expect(owner`create database intruder`).rejects.toThrow(/permission denied/);
}

describe.skipIf(skip)("the compose database image's owner role", () => {
  afterAll(async () => {
    await Promise.all(connections.splice(0).map((sql) => sql.end({ timeout: 5 })));
    for (const cluster of clusters.splice(0)) await cluster.stop();
    for (const dir of dirs.splice(0)) removeScratchDir(dir);
  });

  describe("a volume initialised by the image", () => {
    let stack: Stack;

    beforeAll(async () => {
      stack = await startStack("fresh", CLUSTER_SUPERUSER);
    });

    it("creates a login owner that is no superuser, cannot bypass row-level security, create roles or databases", async () => {
      const result = await stack.initScript();
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`${OWNER} (no superuser, no BYPASSRLS) owns database ${DATABASE}`);
      const admin = connect(stack.adminUrl());
      expect(await roleOf(admin, OWNER)).toEqual({
        rolsuper: false,
        rolbypassrls: false,
        rolcreatedb: false,
        rolcreaterole: false,
        rolreplication: false,
        rolcanlogin: true,
      });
      expect(await roleOf(admin, "slipway_app")).toMatchObject({ rolcanlogin: false, rolbypassrls: false });
      const [database] = await admin`
        select pg_get_userbyid(datdba) as owner, pg_has_role(${OWNER}, 'slipway_app', 'MEMBER') as member
        from pg_database where datname = ${DATABASE}`;
      expect(database).toEqual({ owner: OWNER, member: true });
    });

    it("takes the password from the secret file: a wrong one is refused", async () => {
      await expect(connect(stack.ownerUrl("not-the-password"))`select 1`).rejects.toThrow(/password authentication/);
      const [row] = await connect(stack.ownerUrl())`select current_user as user`;
      expect(row).toEqual({ user: OWNER });
    });

    it("lets the migrator and the seed run as the owner, which then owns every object", async () => {
      await runMigrations(stack.ownerUrl());
      await seedDatabase(stack.ownerUrl());
      expect(await notOwnedByOwner(connect(stack.adminUrl(DATABASE)))).toEqual([]);
    });

    it("binds the app's connection by row-level security outside withTenant", async () => {
      await expectBoundByRowLevelSecurity(stack);
    });

    it("converges when run again, and the migrator finds nothing to do", async () => {
      const again = await stack.initScript();
      expect(again.code, again.stderr).toBe(0);
      await runMigrations(stack.ownerUrl());
      const [row] = await connect(stack.adminUrl(DATABASE))`
        select count(*)::int as applied from drizzle.__drizzle_migrations`;
      expect(row!.applied).toBeGreaterThan(0);
      expect(await notOwnedByOwner(connect(stack.adminUrl(DATABASE)))).toEqual([]);
    });

    it("backs up as the superuser (pg_dump refuses the owner, whom row-level security binds) and restores as the owner", async () => {
      const backups = ownedDir(path.join(dirs[0]!, "dumps"));
      await expect(backupDatabase(stack.ownerUrl(), backups, { retentionDays: 30 })).rejects.toThrow(
        /row-level security/,
      );
      const dump = await backupDatabase(stack.adminUrl(DATABASE), backups, { retentionDays: 30 });
      const admin = connect(stack.adminUrl());
      await admin.unsafe(`create database restored owner ${OWNER}`);
      await restoreDatabase(stack.ownerUrl(PASSWORD, "restored"), dump.file, { force: false });
      const [counts] = await connect(stack.adminUrl("restored"))`
        select (select count(*)::int from projects) as projects,
               (select count(*)::int from pg_tables where schemaname = 'public' and tableowner <> ${OWNER}) as foreign_owned`;
      const [{ total }] = await connect(stack.adminUrl(DATABASE))<[{ total: number }]>`
        select count(*)::int as total from projects`;
      expect(counts).toEqual({ projects: total, foreign_owned: 0 });
    });

    it("refuses to start without a readable password of at least 16 characters", async () => {
      const missing = await stack.initScript({ SLIPWAY_DATABASE_PASSWORD_FILE: "/nonexistent/database_password" });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain("/nonexistent/database_password is not readable");
      const asSuperuser = await stack.initScript({ SLIPWAY_DATABASE_OWNER: CLUSTER_SUPERUSER });
      expect(asSuperuser.code).toBe(1);
      expect(asSuperuser.stderr).toContain("must not be the superuser");
    });
  });

  describe("upgrading a stack whose superuser was slipway (docs/deployment.md)", () => {
    let stack: Stack;
    let before: number;

    beforeAll(async () => {
      // The old layout: POSTGRES_USER=slipway, a superuser, and the app and the migrator connected as it.
      stack = await startStack("upgrade", OWNER);
      const oldUrl = stack.cluster.url(DATABASE);
      await runMigrations(oldUrl);
      await seedDatabase(oldUrl);
      before = (await connect(oldUrl)<[{ n: number }]>`select count(*)::int as n from projects`)[0].n;
      expect(await roleOf(connect(stack.cluster.url("postgres")), OWNER)).toMatchObject({ rolsuper: true });
    });

    it("renames the superuser to postgres, then the init script hands it everything and binds it", async () => {
      const steps: [string, string, string][] = [
        [OWNER, "postgres", "CREATE ROLE slipway_upgrade SUPERUSER LOGIN"],
        ["slipway_upgrade", "postgres", `ALTER ROLE ${OWNER} RENAME TO ${CLUSTER_SUPERUSER}`],
        [CLUSTER_SUPERUSER, "postgres", "DROP ROLE slipway_upgrade"],
      ];
      for (const [as, database, command] of steps) {
        const result = await stack.psql(as, database, command);
        expect(result.code, `${command}: ${result.stderr}`).toBe(0);
      }
      const result = await stack.initScript();
      expect(result.code, result.stderr).toBe(0);
      await stack.requirePasswords();

      const admin = connect(stack.adminUrl(DATABASE));
      expect(await notOwnedByOwner(admin)).toEqual([]);
      expect(await roleOf(admin, OWNER)).toMatchObject({ rolsuper: false, rolbypassrls: false, rolcanlogin: true });
      expect((await admin<[{ n: number }]>`select count(*)::int as n from projects`)[0].n).toBe(before);
      // The migrator, now as the owner, finds the schema current.
      await runMigrations(stack.ownerUrl());
      await expectBoundByRowLevelSecurity(stack);
    });
  });
});
