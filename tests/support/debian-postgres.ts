import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { appendFileSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { freePort } from "../../scripts/embedded-postgres";
import { runCommand, type CommandOptions, type CommandResult } from "./command";

/**
 * PostgreSQL from Debian's server packages (`/usr/lib/postgresql/<major>/bin`), for tests that need
 * a cluster whose files they control: pgBackRest backups, WAL archiving, restores into a fresh data
 * directory, pg_dump with a client of the server's own version. PostgreSQL refuses to run as root,
 * so as root every process here runs as the `postgres` OS user (created when missing: the Debian
 * package creates it, a bare machine may not have it).
 */

const DEBIAN_LAYOUT = "/usr/lib/postgresql";

/** The newest Debian PostgreSQL bin directory that has a server, or undefined. */
export function debianPostgresBinDir(): string | undefined {
  if (!existsSync(DEBIAN_LAYOUT)) return undefined;
  const majors = readdirSync(DEBIAN_LAYOUT)
    .filter((entry) => /^\d+$/.test(entry) && existsSync(path.join(DEBIAN_LAYOUT, entry, "bin", "postgres")))
    .map(Number)
    .sort((a, b) => b - a);
  return majors.length ? path.join(DEBIAN_LAYOUT, String(majors[0]), "bin") : undefined;
}

export interface OsUser {
  uid: number;
  gid: number;
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** As root: the `postgres` user (created if missing) that every cluster process runs as; else undefined (run as ourselves). */
export function clusterUser(): OsUser | undefined {
  if (!isRoot()) return undefined;
  const lookup = () => spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  if (lookup().status !== 0) {
    if (spawnSync("getent", ["group", "postgres"]).status !== 0) spawnSync("groupadd", ["--system", "postgres"]);
    const created = spawnSync(
      "useradd",
      ["--system", "--gid", "postgres", "--home-dir", "/var/lib/postgresql", "--no-create-home", "postgres"],
      { encoding: "utf8" },
    );
    if (created.status !== 0) throw new Error(`could not create the postgres user: ${created.stderr}`);
  }
  const uid = Number(lookup().stdout.trim());
  const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
  return { uid, gid };
}

/** A fresh directory in the temp dir that the cluster user owns; remove it with removeScratchDir. */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `slipway-${prefix}-`));
  const user = clusterUser();
  if (user) chownSync(dir, user.uid, user.gid);
  return dir;
}

/** mkdir (with parents) of a directory the cluster user owns, e.g. a socket directory or a restore target. */
export function ownedDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const user = clusterUser();
  if (user) chownSync(dir, user.uid, user.gid);
  return dir;
}

export function removeScratchDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Runs a program as the cluster user and collects its output (never throws on a non-zero exit). */
export function runAsClusterUser(
  command: string,
  args: string[],
  options: Omit<CommandOptions, "user"> = {},
): Promise<CommandResult> {
  return runCommand(command, args, { ...options, user: clusterUser() });
}

export interface ClusterOptions {
  dataDir: string;
  /** Directory for the Unix socket (pgBackRest connects through it). */
  socketDir: string;
  port?: number;
  /** Environment of the server process (archive_command and restore_command inherit it). */
  env?: Record<string, string>;
  /**
   * Wraps the server start, e.g. ["bash", "-c", 'source secrets.sh && exec "$@"', "--"]: the
   * postgres command line is appended. The wrapper must exec it, so the PID stays the server's.
   */
  wrapper?: string[];
  /** More server options, e.g. ["-c", "config_file=..."]. */
  args?: string[];
  /** The superuser initCluster created (default CLUSTER_SUPERUSER). */
  superuser?: string;
}

export interface Cluster {
  port: number;
  dataDir: string;
  socketDir: string;
  /** postgres.js URL for a database of this cluster (the superuser, trust authentication). */
  url: (database?: string) => string;
  pid: number | undefined;
  logs: () => string;
  stop: () => Promise<void>;
}

/** The superuser name the compose stack's database image creates (POSTGRES_USER). */
export const CLUSTER_SUPERUSER = "postgres";

/**
 * initdb into `dataDir` (must not exist or be empty), superuser CLUSTER_SUPERUSER (or `superuser`:
 * e.g. the `slipway` of deployments made before the owner role), loopback only.
 */
export async function initCluster(
  dataDir: string,
  extraConf: string[] = [],
  superuser: string = CLUSTER_SUPERUSER,
): Promise<void> {
  const bin = debianPostgresBinDir();
  if (!bin) throw new Error("no Debian PostgreSQL server (apt-get install postgresql)");
  const result = await runAsClusterUser(path.join(bin, "initdb"), [
    "--pgdata",
    dataDir,
    "--username",
    superuser,
    "--auth",
    "trust",
    "--encoding",
    "UTF8",
    "--locale",
    "C",
    "--no-sync",
  ]);
  if (result.code !== 0) throw new Error(`initdb failed:\n${result.stdout}\n${result.stderr}`);
  appendFileSync(path.join(dataDir, "postgresql.conf"), ["", ...extraConf, ""].join("\n"));
}

/** Starts `postgres -D dataDir` as the cluster user and waits until it accepts connections. */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const bin = debianPostgresBinDir();
  if (!bin) throw new Error("no Debian PostgreSQL server (apt-get install postgresql)");
  const port = options.port ?? (await freePort());
  const serverArgs = [
    path.join(bin, "postgres"),
    "-D",
    options.dataDir,
    "-c",
    `port=${port}`,
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    `unix_socket_directories=${options.socketDir}`,
    ...(options.args ?? []),
  ];
  const [command, ...args] = [...(options.wrapper ?? []), ...serverArgs];
  let output = "";
  const child: ChildProcess = spawn(command!, args, {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    ...clusterUser(),
  });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const superuser = options.superuser ?? CLUSTER_SUPERUSER;
  const url = (database = "postgres") => `postgres://${superuser}@127.0.0.1:${port}/${database}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGINT"); // fast shutdown
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(timer);
    }
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}:\n${output}`);
    const sql = postgres(url(), { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`select 1`;
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`postgres did not accept connections: ${String(error)}\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await sql.end({ timeout: 1 });
    }
  }

  return {
    port,
    dataDir: options.dataDir,
    socketDir: options.socketDir,
    url,
    pid: child.pid,
    logs: () => output,
    stop,
  };
}
