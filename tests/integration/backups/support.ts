import { randomBytes } from "node:crypto";
import { chownSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import {
  clusterUser,
  initCluster,
  ownedDir,
  removeScratchDir,
  runAsClusterUser,
  scratchDir,
  startCluster,
  type Cluster,
} from "../../support/debian-postgres";
import type { CommandResult } from "../../support/command";

/**
 * A Debian PostgreSQL cluster archived and backed up by the real pgBackRest, configured by the very
 * files the compose stack ships: db/pgbackrest/pgbackrest.conf, db/postgres/archiving.conf and the
 * scheduler db/pgbackrest/slipway-backup (with secrets.sh). Only paths and ports differ, set as
 * PGBACKREST_* environment variables, which pgBackRest ranks above its configuration file. The
 * passphrase comes from a secret file through PGBACKREST_REPO1_CIPHER_PASS_FILE, as in compose.
 */

export const ROOT = path.resolve(import.meta.dirname, "../../..");
export const PGBACKREST_CONF = path.join(ROOT, "db/pgbackrest/pgbackrest.conf");
const ARCHIVING_CONF = path.join(ROOT, "db/postgres/archiving.conf");
const SCHEDULER_DIR = path.join(ROOT, "db/pgbackrest");
export const SCHEDULER = path.join(SCHEDULER_DIR, "slipway-backup");
const SECRETS_SH = path.join(SCHEDULER_DIR, "secrets.sh");

/** The environment libfaketime needs to move a process's clock by `offset` ("+20d"). */
export function fakeClock(offset: string): Record<string, string> {
  const library = readdirSync("/usr/lib")
    .map((entry) => path.join("/usr/lib", entry, "faketime", "libfaketime.so.1"))
    .find((candidate) => existsSync(candidate));
  if (!library) throw new Error("libfaketime not found (apt-get install faketime)");
  // The wall clock only: PostgreSQL's timeouts and latches use the monotonic clock.
  return { LD_PRELOAD: library, FAKETIME: offset, FAKETIME_DONT_FAKE_MONOTONIC: "1" };
}

export interface BackupRig {
  dir: string;
  /** What every pgBackRest call here gets (the compose services set the same variables). */
  env: Record<string, string>;
  statusFile: string;
  passphrase: string;
  cluster: Cluster;
  /** URL of the `slipway` database of the running cluster (the application's database). */
  url: () => string;
  /** A connection to it, closed by close(). */
  sql: () => postgres.Sql;
  /** `slipway-backup ARGS` as the cluster user. */
  scheduler: (args: string[], env?: Record<string, string>) => Promise<CommandResult>;
  /** `pgbackrest --stanza=slipway ARGS` with the secrets loaded (`slipway-backup pgbackrest ARGS`). */
  pgbackrest: (args: string[], env?: Record<string, string>) => Promise<CommandResult>;
  /** `pgbackrest info --output=json`, parsed. */
  info: () => Promise<PgBackRestInfo>;
  /** Stops the cluster and starts it again (e.g. with a moved clock). */
  restart: (env?: Record<string, string>) => Promise<void>;
  /** Starts a cluster on another data directory (a restore) with the same pgBackRest settings. */
  startOn: (dataDir: string, env?: Record<string, string>) => Promise<Cluster>;
  /** A fresh empty data directory for a restore, owned by the cluster user. */
  freshDataDir: (name: string) => string;
  close: () => Promise<void>;
}

export interface PgBackRestBackup {
  label: string;
  type: "full" | "diff" | "incr";
  timestamp: { start: number; stop: number };
  archive: { start: string; stop: string };
}

export type PgBackRestInfo = {
  name: string;
  backup: PgBackRestBackup[];
  archive: { id: string; min: string | null; max: string | null }[];
  status: { code: number; message: string };
}[];

/** Starts a cluster with WAL archiving into a fresh encrypted repository (no stanza, no backup yet). */
export async function createBackupRig(options: { env?: Record<string, string> } = {}): Promise<BackupRig> {
  const dir = scratchDir("backups");
  const owned = (sub: string) => ownedDir(path.join(dir, sub));
  const passphrase = randomBytes(32).toString("base64");
  const secrets = owned("secrets");
  const passphraseFile = path.join(secrets, "pgbackrest_cipher_pass");
  writeFileSync(passphraseFile, `${passphrase}\n`, { mode: 0o600 });
  const user = clusterUser();
  if (user) chownSync(passphraseFile, user.uid, user.gid);

  const dataDir = path.join(dir, "data");
  const socketDir = owned("socket");
  const statusFile = path.join(owned("status"), "status.json");
  const env: Record<string, string> = {
    PATH: `${SCHEDULER_DIR}:${process.env.PATH}`,
    PGBACKREST_CONFIG: PGBACKREST_CONF,
    PGBACKREST_REPO1_PATH: owned("repo"),
    PGBACKREST_PG1_PATH: dataDir,
    PGBACKREST_PG1_SOCKET_PATH: socketDir,
    PGBACKREST_LOCK_PATH: owned("lock"),
    PGBACKREST_REPO1_CIPHER_PASS_FILE: passphraseFile,
    BACKUP_STATUS_FILE: statusFile,
    ...options.env,
  };

  await initCluster(dataDir, [`include '${ARCHIVING_CONF}'`]);
  // Like the image's entrypoint: load the secrets (secrets.sh), then exec the server.
  const wrapper = ["bash", "-c", 'source "$0" && slipway_load_backup_secrets && exec "$@"', SECRETS_SH];
  const clusters: Cluster[] = [];
  const start = async (data: string, extra: Record<string, string> = {}, port?: number) => {
    const cluster = await startCluster({
      dataDir: data,
      socketDir,
      port,
      wrapper,
      env: { ...env, PGBACKREST_PG1_PATH: data, ...extra },
    });
    clusters.push(cluster);
    return cluster;
  };
  let cluster = await start(dataDir);
  env.PGBACKREST_PG1_PORT = String(cluster.port);
  const admin = postgres(cluster.url("postgres"), { max: 1, onnotice: () => {} });
  await admin`create database slipway`;
  await admin.end();

  const connections: postgres.Sql[] = [];
  const rig: BackupRig = {
    dir,
    env,
    statusFile,
    passphrase,
    get cluster() {
      return cluster;
    },
    url: () => cluster.url("slipway"),
    sql: () => {
      const sql = postgres(cluster.url("slipway"), { max: 2, onnotice: () => {} });
      connections.push(sql);
      return sql;
    },
    scheduler: (args, extra = {}) => runAsClusterUser(SCHEDULER, args, { env: { ...env, ...extra } }),
    pgbackrest: (args, extra = {}) =>
      runAsClusterUser(SCHEDULER, ["pgbackrest", ...args], { env: { ...env, ...extra } }),
    info: async () => {
      const result = await rig.pgbackrest(["--output=json", "info"]);
      if (result.code !== 0) throw new Error(`pgbackrest info failed:\n${result.stderr}`);
      return JSON.parse(result.stdout) as PgBackRestInfo;
    },
    restart: async (extra = {}) => {
      await cluster.stop();
      cluster = await start(dataDir, extra, cluster.port);
    },
    startOn: (data, extra = {}) => start(data, extra),
    freshDataDir: (name) => owned(name),
    close: async () => {
      for (const sql of connections) await sql.end({ timeout: 1 }).catch(() => {});
      for (const started of clusters) await started.stop();
      removeScratchDir(dir);
    },
  };
  return rig;
}

/** The status file the scheduler writes (the format the app reads: docs/runbooks/backups.md). */
export interface BackupStatus {
  lastAttemptAt: string;
  lastAttemptOk: boolean;
  lastSuccessAt: string | null;
  lastSuccessLabel: string | null;
  lastSuccessType: string | null;
  lastError: string | null;
}

export function readStatus(rig: BackupRig): BackupStatus | undefined {
  return existsSync(rig.statusFile) ? (JSON.parse(readFileSync(rig.statusFile, "utf8")) as BackupStatus) : undefined;
}

/** Every row of each table, in primary-key order, as JSON text: what "identical" means here. */
export async function snapshotTables(sql: postgres.Sql, tables: string[]): Promise<Record<string, string[]>> {
  const snapshot: Record<string, string[]> = {};
  for (const table of tables) {
    const exists = await sql`select to_regclass(${table}) is not null as present`;
    if (!exists[0]!.present) continue;
    const rows = await sql.unsafe<{ row: string }[]>(`select row_to_json(t)::text as row from ${table} t order by 1`);
    snapshot[table] = rows.map((r) => r.row);
  }
  return snapshot;
}

/** Waits until a restored cluster has finished recovery and promoted itself. */
export async function waitForPromotion(sql: postgres.Sql, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await sql`select pg_is_in_recovery() as recovering`;
    if (!row!.recovering) return;
    if (Date.now() > deadline) throw new Error("the restored cluster is still in recovery");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
