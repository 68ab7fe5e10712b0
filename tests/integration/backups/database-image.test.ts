import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  initCluster,
  ownedDir,
  removeScratchDir,
  runAsClusterUser,
  scratchDir,
  startCluster,
  type Cluster,
} from "../../support/debian-postgres";
import { missingRequirement } from "../../support/requirements";
import { PGBACKREST_CONF, ROOT, SCHEDULER } from "./support";

const skip =
  missingRequirement("pgbackrest", "the database image's configuration") ??
  missingRequirement("postgresql", "the database image's configuration");

/**
 * The database image starts PostgreSQL with `-c config_file=/etc/postgresql/postgresql.conf`
 * (db/postgres/Dockerfile). The image cannot be built here (no registry for postgres:17), so this
 * runs the same two files with Debian's server: only the path of the data directory's own
 * postgresql.conf differs, as it would on any host.
 */
describe.skipIf(skip)("the database image's postgresql.conf", () => {
  let dir: string;
  let cluster: Cluster;
  let sql: postgres.Sql;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = scratchDir("image-config");
    const dataDir = path.join(dir, "data");
    await initCluster(dataDir, ["work_mem = '7MB'"]);
    const etc = ownedDir(path.join(dir, "etc-postgresql"));
    const original = readFileSync(path.join(ROOT, "db/postgres/postgresql.conf"), "utf8");
    writeFileSync(
      path.join(etc, "postgresql.conf"),
      original.replace("/var/lib/postgresql/data/postgresql.conf", path.join(dataDir, "postgresql.conf")),
    );
    copyFileSync(path.join(ROOT, "db/postgres/archiving.conf"), path.join(etc, "archiving.conf"));
    const repo = ownedDir(path.join(dir, "repo"));
    const socketDir = ownedDir(path.join(dir, "socket"));
    env = {
      PGBACKREST_CONFIG: PGBACKREST_CONF,
      PGBACKREST_REPO1_PATH: repo,
      PGBACKREST_PG1_PATH: dataDir,
      PGBACKREST_PG1_SOCKET_PATH: socketDir,
      PGBACKREST_LOCK_PATH: ownedDir(path.join(dir, "lock")),
      PGBACKREST_REPO1_CIPHER_PASS: "a-test-passphrase-for-this-cluster-only",
    };
    cluster = await startCluster({
      dataDir,
      socketDir,
      env,
      args: ["-c", `config_file=${path.join(etc, "postgresql.conf")}`],
    });
    env.PGBACKREST_PG1_PORT = String(cluster.port);
    sql = postgres(cluster.url("postgres"), { max: 1, onnotice: () => {} });
    const stanza = await runAsClusterUser(SCHEDULER, ["pgbackrest", "stanza-create"], { env });
    expect(stanza.code, stanza.stdout + stanza.stderr).toBe(0);
  });
  afterAll(async () => {
    await sql?.end({ timeout: 1 });
    await cluster?.stop();
    if (dir) removeScratchDir(dir);
  });

  it("keeps the cluster's own settings and pg_hba.conf, and turns on WAL archiving", async () => {
    const [settings] = await sql<[{ work_mem: string; archive_mode: string; archive_command: string; hba: string }]>`
      select current_setting('work_mem') as work_mem, current_setting('archive_mode') as archive_mode,
             current_setting('archive_command') as archive_command, current_setting('hba_file') as hba`;
    expect(settings).toEqual({
      work_mem: "7MB",
      archive_mode: "on",
      archive_command: "pgbackrest --stanza=slipway archive-push %p",
      hba: path.join(cluster.dataDir, "pg_hba.conf"),
    });
  });

  it("archives WAL into the pgBackRest repository", async () => {
    const check = await runAsClusterUser(SCHEDULER, ["pgbackrest", "check"], { env });
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/WAL segment \w+ successfully archived/);
  });
});
