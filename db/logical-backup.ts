/**
 * Portable logical backups: pg_dump custom-format dumps that restore into any PostgreSQL of the
 * same or a newer major version, on any platform, and the checks that prove a dump restores.
 * The command lines are db/backup.ts, db/restore.ts and db/restore-drill.ts
 * (docs/runbooks/backups.md, "Logical backups").
 *
 * Every dump `<database>-<UTC timestamp>.dump` has a manifest beside it,
 * `<database>-<UTC timestamp>.manifest.json`: the source's migration version and, per table, the
 * row count, a checksum and the row-level security flags, all read in the very snapshot pg_dump
 * dumps (pg_export_snapshot), so a restore can be compared with exactly what was dumped.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { DEFAULT_MIGRATIONS_DIR, describeDatabase } from "./migrate";

// ---- the PostgreSQL client programs ----------------------------------------------------------------

export interface ClientTools {
  pgDump: string;
  pgRestore: string;
  /** Major version of pg_dump / pg_restore. */
  major: number;
  version: string;
}

/** Bin directories of the usual installs, newest first among each layout. */
function candidateBinDirs(): string[] {
  const versioned = (parent: string, pattern: RegExp) => {
    if (!existsSync(parent)) return [];
    return readdirSync(parent)
      .map((entry) => ({ entry, major: Number(pattern.exec(entry)?.[1]) }))
      .filter(({ major }) => major > 0)
      .map(({ entry }) => path.join(parent, entry, "bin"));
  };
  return [
    ...versioned("/usr/lib/postgresql", /^(\d+)$/), // Debian, Ubuntu
    ...versioned("/usr", /^pgsql-(\d+)$/), // RHEL, Fedora (PGDG)
    ...versioned("/opt/homebrew/opt", /^postgresql@(\d+)$/), // Homebrew (Apple silicon)
    ...versioned("/usr/local/opt", /^postgresql@(\d+)$/), // Homebrew (Intel)
  ];
}

function versionOf(program: string): { major: number; version: string } | undefined {
  const result = spawnSync(program, ["--version"], { encoding: "utf8" });
  const match = result.status === 0 ? /(\d+)(?:\.(\d+))?/.exec(result.stdout) : null;
  return match ? { major: Number(match[1]), version: result.stdout.trim() } : undefined;
}

/**
 * pg_dump and pg_restore, looked up in this order: the directory PG_BIN_DIR names (only there, when
 * set); otherwise the newest major version among the usual install directories
 * (/usr/lib/postgresql/<major>/bin, /usr/pgsql-<major>/bin, Homebrew's postgresql@<major>) and
 * the PATH.
 */
function findClientTools(env: Record<string, string | undefined> = process.env): ClientTools {
  const dirs = env.PG_BIN_DIR ? [env.PG_BIN_DIR] : [...candidateBinDirs(), ""];
  let best: ClientTools | undefined;
  for (const dir of dirs) {
    const pgDump = dir ? path.join(dir, "pg_dump") : "pg_dump";
    const pgRestore = dir ? path.join(dir, "pg_restore") : "pg_restore";
    const found = versionOf(pgDump);
    if (!found || !versionOf(pgRestore)) continue;
    if (!best || found.major > best.major) best = { pgDump, pgRestore, ...found };
  }
  if (!best) {
    throw new Error(
      env.PG_BIN_DIR
        ? `PG_BIN_DIR=${env.PG_BIN_DIR} has no working pg_dump and pg_restore.`
        : "pg_dump and pg_restore were not found: install the PostgreSQL client (e.g. apt-get install postgresql-client) or set PG_BIN_DIR.",
    );
  }
  return best;
}

/** pg_dump and pg_restore refuse servers newer than themselves: say so before they do. */
function assertToolsFit(tools: ClientTools, serverVersionNum: number, target: string): void {
  const serverMajor = Math.floor(serverVersionNum / 10_000);
  if (tools.major < serverMajor) {
    throw new Error(
      `${target} runs PostgreSQL ${serverMajor} but the newest client found is ${tools.major} (${tools.pgDump}): ` +
        `install postgresql-client-${serverMajor} or newer, or point PG_BIN_DIR at its bin directory.`,
    );
  }
}

/** libpq arguments for a URL, the password moved to PGPASSWORD so it never shows in the process list. */
function libpqConnection(url: string): { dbname: string; env: Record<string, string> } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = "";
  return { dbname: parsed.toString(), env: password ? { PGPASSWORD: password } : {} };
}

function run(program: string, args: string[], url: string): Promise<{ code: number | null; stderr: string }> {
  const connection = libpqConnection(url);
  return new Promise((resolve, reject) => {
    const child = spawn(program, [...args, `--dbname=${connection.dbname}`], {
      env: { ...process.env, ...connection.env, PGAPPNAME: "slipway-backup", PGCONNECT_TIMEOUT: "10" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stderr: stderr.trim() }));
  });
}

// ---- what a database holds ---------------------------------------------------------------------------

export type RowLevelSecurity = "off" | "enabled" | "forced";

export interface TableFacts {
  /** schema.table */
  name: string;
  rows: number;
  /** md5 over the sorted md5 of every row's text form: independent of physical order. */
  checksum: string;
  rowLevelSecurity: RowLevelSecurity;
}

export interface DatabaseFacts {
  /** Migrations recorded in drizzle.__drizzle_migrations, and the hash of the newest. */
  migrations: { applied: number; latest: string | null };
  tables: TableFacts[];
}

/**
 * Facts about the database `sql` is in, read inside the caller's transaction. Text forms of values
 * depend on session settings, so they are fixed here (the same on every server).
 */
async function databaseFacts(sql: postgres.TransactionSql): Promise<DatabaseFacts> {
  await sql`set local timezone = 'UTC'`;
  await sql`set local datestyle = 'ISO, YMD'`;
  await sql`set local intervalstyle = 'postgres'`;
  await sql`set local extra_float_digits = 1`;
  await sql`set local bytea_output = 'hex'`;
  const tables = await sql<{ schema: string; table: string; enabled: boolean; forced: boolean }[]>`
    select n.nspname as schema, c.relname as table, c.relrowsecurity as enabled, c.relforcerowsecurity as forced
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname not in ('information_schema') and n.nspname not like 'pg\\_%'
    order by 1, 2`;
  const facts: TableFacts[] = [];
  for (const { schema, table, enabled, forced } of tables) {
    const [row] = await sql<{ rows: string; checksum: string }[]>`
      select count(*)::text as rows,
             md5(coalesce(string_agg(md5(t::text), '' order by md5(t::text)), '')) as checksum
      from ${sql(schema)}.${sql(table)} t`;
    facts.push({
      name: `${schema}.${table}`,
      rows: Number(row!.rows),
      checksum: row!.checksum,
      rowLevelSecurity: forced ? "forced" : enabled ? "enabled" : "off",
    });
  }
  let migrations: DatabaseFacts["migrations"] = { applied: 0, latest: null };
  if (facts.some((table) => table.name === "drizzle.__drizzle_migrations")) {
    const [row] = await sql<{ applied: number; latest: string | null }[]>`
      select count(*)::int as applied,
             (select hash from drizzle.__drizzle_migrations order by created_at desc, id desc limit 1) as latest
      from drizzle.__drizzle_migrations`;
    migrations = { applied: row!.applied, latest: row!.latest };
  }
  return { migrations, tables: facts };
}

/** Differences between what was dumped and what a database holds now, as sentences ([] = equal). */
function compareFacts(expected: DatabaseFacts, actual: DatabaseFacts): string[] {
  const problems: string[] = [];
  if (
    expected.migrations.applied !== actual.migrations.applied ||
    expected.migrations.latest !== actual.migrations.latest
  ) {
    problems.push(
      `migration version: ${actual.migrations.applied} applied (latest ${actual.migrations.latest ?? "none"}), ` +
        `the source had ${expected.migrations.applied} (latest ${expected.migrations.latest ?? "none"})`,
    );
  }
  const byName = new Map(actual.tables.map((table) => [table.name, table]));
  for (const table of expected.tables) {
    const restored = byName.get(table.name);
    if (!restored) {
      problems.push(`${table.name}: missing`);
      continue;
    }
    if (restored.rows !== table.rows)
      problems.push(`${table.name}: ${restored.rows} rows, the source had ${table.rows}`);
    else if (restored.checksum !== table.checksum) problems.push(`${table.name}: same row count, different content`);
    if (restored.rowLevelSecurity !== table.rowLevelSecurity)
      problems.push(
        `${table.name}: row-level security ${restored.rowLevelSecurity}, the source had ${table.rowLevelSecurity}`,
      );
  }
  for (const table of actual.tables) {
    if (!expected.tables.some((source) => source.name === table.name))
      problems.push(`${table.name}: not in the source`);
  }
  return problems;
}

async function withDatabase<T>(url: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, {
    max: 1,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: "slipway-backup" },
  });
  try {
    return await fn(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

const serverVersionNum = async (sql: postgres.Sql) =>
  Number((await sql<{ v: string }[]>`select current_setting('server_version_num') as v`)[0]!.v);

// ---- dumps on disk -----------------------------------------------------------------------------------

export interface Manifest {
  format: 1;
  database: string;
  source: string;
  takenAt: string;
  pgDump: string;
  facts: DatabaseFacts;
}

const DUMP_NAME = /^(.+)-(\d{8}T\d{6}Z)\.dump$/;

/** 2026-12-01T03:00:00.123Z -> 20261201T030000Z */
const compactUtc = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
const dateOfCompact = (stamp: string) =>
  new Date(
    `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`,
  );

const manifestPathOf = (dumpFile: string) => dumpFile.replace(/\.dump$/, ".manifest.json");

export interface DumpFile {
  file: string;
  database: string;
  takenAt: Date;
}

/** The dumps in `dir` named by db:backup, oldest first. */
function listDumps(dir: string): DumpFile[] {
  return readdirSync(dir)
    .map((name) => ({ name, match: DUMP_NAME.exec(name) }))
    .filter(({ match }) => match)
    .map(({ name, match }) => ({
      file: path.join(dir, name),
      database: match![1]!,
      takenAt: dateOfCompact(match![2]!),
    }))
    .sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime());
}

function readManifest(dumpFile: string): Manifest {
  const file = manifestPathOf(dumpFile);
  if (!existsSync(file)) throw new Error(`${path.basename(file)} is missing: db:backup writes one beside every dump.`);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Manifest;
  } catch {
    throw new Error(`${path.basename(file)} is not valid JSON.`);
  }
}

export interface BackupResult {
  file: string;
  bytes: number;
  tables: number;
  durationMs: number;
  pruned: string[];
}

/**
 * Dumps the database at `url` into `dir` (custom format), with its manifest, then removes this
 * database's dumps older than `retentionDays`. Files appear under their final names only when
 * complete.
 */
export async function backupDatabase(
  url: string,
  dir: string,
  options: { retentionDays: number; now?: Date },
): Promise<BackupResult> {
  const started = performance.now();
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory.`);
  const database = decodeURIComponent(new URL(url).pathname.slice(1)) || "postgres";
  const takenAt = options.now ?? new Date();
  const file = path.join(dir, `${database}-${compactUtc(takenAt)}.dump`);
  if (existsSync(file)) throw new Error(`${path.basename(file)} already exists.`);
  const partial = `${file}.partial`;
  const tools = findClientTools();

  const facts = await withDatabase(url, async (sql) => {
    assertToolsFit(tools, await serverVersionNum(sql), describeDatabase(url));
    // pg_dump reads the snapshot this transaction exports, so the manifest describes the dump exactly.
    return sql.begin("isolation level repeatable read read only", async (tx) => {
      const [{ snapshot }] = await tx<[{ snapshot: string }]>`select pg_export_snapshot() as snapshot`;
      const dumped = run(tools.pgDump, ["--format=custom", `--snapshot=${snapshot}`, `--file=${partial}`], url);
      const facts = await databaseFacts(tx);
      const { code, stderr } = await dumped;
      if (code !== 0) throw new Error(`pg_dump exited with ${code}: ${stderr}`);
      return facts;
    });
  }).catch((error: unknown) => {
    rmSync(partial, { force: true });
    throw error;
  });

  const manifest: Manifest = {
    format: 1,
    database,
    source: describeDatabase(url),
    takenAt: takenAt.toISOString(),
    pgDump: tools.version,
    facts,
  };
  writeFileSync(manifestPathOf(file), `${JSON.stringify(manifest, null, 2)}\n`, { flag: "wx" });
  renameSync(partial, file);

  const cutoff = takenAt.getTime() - options.retentionDays * 86_400_000;
  const pruned: string[] = [];
  for (const dump of listDumps(dir)) {
    if (dump.database !== database || dump.takenAt.getTime() >= cutoff) continue;
    rmSync(dump.file, { force: true });
    rmSync(manifestPathOf(dump.file), { force: true });
    pruned.push(path.basename(dump.file));
  }
  return {
    file,
    bytes: statSync(file).size,
    tables: facts.tables.length,
    durationMs: performance.now() - started,
    pruned,
  };
}

// ---- restores ----------------------------------------------------------------------------------------

/** A restore that was not attempted because it would have replaced data (exit code 1, nothing changed). */
class RestoreRefused extends Error {}

/** The statements of migration 0001 that create the application role and let the connecting user use it. */
function applicationRoleStatements(): string[] {
  const file = readdirSync(DEFAULT_MIGRATIONS_DIR).find((name) => name.startsWith("0001_"));
  const text = readFileSync(path.join(DEFAULT_MIGRATIONS_DIR, file!), "utf8");
  return text
    .split("--> statement-breakpoint")
    .filter((statement) => /CREATE ROLE slipway_app|GRANT slipway_app TO/.test(statement));
}

/** Roles that the dump's GRANTs and policies name. */
async function rolesNamedIn(tools: ClientTools, dumpFile: string): Promise<string[]> {
  const result = spawnSync(tools.pgRestore, ["--schema-only", "--file=-", dumpFile], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(`${path.basename(dumpFile)} is not a readable dump: ${result.stderr.trim()}`);
  const roles = new Set<string>();
  const add = (list: string) =>
    list
      .replace(/ WITH GRANT OPTION$/, "")
      .split(",")
      .map((role) => role.trim().replace(/^"(.*)"$/, "$1"))
      .filter((role) => role && !["PUBLIC", "CURRENT_USER", "SESSION_USER"].includes(role))
      .forEach((role) => roles.add(role));
  for (const [, list] of result.stdout.matchAll(/^GRANT .+? TO (.+);$/gm)) add(list!);
  for (const [, list] of result.stdout.matchAll(/^CREATE POLICY .+? TO (.+?)(?: USING .*| WITH CHECK .*|;)$/gm))
    add(list!);
  return [...roles];
}

/**
 * Drops every partitioned table with its partitions. pg_restore --clean drops a partition's
 * constraints one by one before its table, which PostgreSQL refuses for a constraint the partition
 * inherits (pg-boss keeps one partition per queue: "cannot drop inherited constraint").
 */
const DROP_PARTITIONED_TABLES = `DO $$
DECLARE partitioned record;
BEGIN
  FOR partitioned IN
    SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'p' AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  LOOP
    EXECUTE format('DROP TABLE %I.%I CASCADE', partitioned.nspname, partitioned.relname);
  END LOOP;
END $$;
`;

/**
 * --force: the dump's objects replace the database's, in one transaction (a failure changes
 * nothing). pg_restore writes its --clean script; psql runs it after dropping the partitioned
 * tables, which that script cannot drop itself.
 */
async function replaceFromDump(
  tools: ClientTools,
  dumpFile: string,
  url: string,
): Promise<{ code: number | null; stderr: string }> {
  const script = path.join(tmpdir(), `slipway-restore-${randomBytes(4).toString("hex")}.sql`);
  try {
    const written = spawnSync(tools.pgRestore, ["--clean", "--if-exists", "--no-owner", `--file=${script}`, dumpFile], {
      encoding: "utf8",
    });
    if (written.status !== 0) return { code: written.status, stderr: written.stderr.trim() };
    writeFileSync(script, DROP_PARTITIONED_TABLES + readFileSync(script, "utf8"));
    const psql = path.join(path.dirname(tools.pgRestore), "psql");
    return await run(
      tools.pgRestore.includes(path.sep) ? psql : "psql",
      ["--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1", `--file=${script}`],
      url,
    );
  } finally {
    rmSync(script, { force: true });
  }
}

export interface RestoreResult {
  tables: number;
  durationMs: number;
}

/**
 * Restores `dumpFile` into the database at `url` in one transaction (a failure changes nothing).
 * Refuses a database that holds tables unless `force` (then the dump's objects replace theirs).
 * Creates the application role first on a fresh cluster, exactly as migration 0001 does; objects
 * end up owned by the connecting user, as the migrator leaves them.
 */
export async function restoreDatabase(
  url: string,
  dumpFile: string,
  options: { force: boolean },
): Promise<RestoreResult> {
  const started = performance.now();
  if (!existsSync(dumpFile)) throw new Error(`${dumpFile} does not exist.`);
  const tools = findClientTools();
  const roles = await rolesNamedIn(tools, dumpFile);
  const manifest = existsSync(manifestPathOf(dumpFile)) ? readManifest(dumpFile) : undefined;
  const target = describeDatabase(url);

  await withDatabase(url, async (sql) => {
    assertToolsFit(tools, await serverVersionNum(sql), target);
    const [{ tables }] = await sql<[{ tables: number }]>`
      select count(*)::int as tables from pg_tables where schemaname not in ('pg_catalog', 'information_schema')`;
    if (tables > 0 && !options.force) {
      throw new RestoreRefused(
        `${target} already holds ${tables} tables; nothing was changed. Pass --force to replace them with the dump's.`,
      );
    }
    if (roles.includes("slipway_app")) for (const statement of applicationRoleStatements()) await sql.unsafe(statement);
    const existing = new Set(
      (await sql<{ rolname: string }[]>`select rolname from pg_roles`).map((row) => row.rolname),
    );
    const missing = roles.filter((role) => !existing.has(role));
    if (missing.length) {
      throw new RestoreRefused(
        `the dump grants privileges to ${missing.join(", ")}, which ${target} lacks: create them first; nothing was changed.`,
      );
    }
  });

  const { code, stderr } = options.force
    ? await replaceFromDump(tools, dumpFile, url)
    : await run(tools.pgRestore, ["--single-transaction", "--exit-on-error", "--no-owner", dumpFile], url);
  if (code !== 0) throw new Error(`pg_restore exited with ${code} (nothing was changed): ${stderr}`);

  const facts = await withDatabase(url, (sql) =>
    sql.begin("isolation level repeatable read read only", (tx) => databaseFacts(tx)),
  );
  if (manifest) {
    const security = compareFacts(manifest.facts, facts).filter((problem) => problem.includes("row-level security"));
    if (security.length) throw new Error(`restored, but ${security.join("; ")}`);
  }
  return { tables: facts.tables.length, durationMs: performance.now() - started };
}

// ---- restore drills ----------------------------------------------------------------------------------

export interface DrillResult {
  dump: DumpFile;
  database: string;
  restoreMs: number;
  verifyMs: number;
  tables: number;
  migrations: DatabaseFacts["migrations"];
  problems: string[];
}

/** A URL for another database on the server of `url`. */
function onSameServer(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Restores the newest dump in `dir` into a scratch database created on the server at `serverUrl`,
 * compares it with the dump's manifest (migration version, per-table rows, checksums and
 * row-level security), and drops the scratch database again, whatever happened.
 */
export async function restoreDrill(dir: string, serverUrl: string): Promise<DrillResult> {
  const dumps = existsSync(dir) ? listDumps(dir) : [];
  const dump = dumps.at(-1);
  if (!dump) throw new Error(`${dir} holds no dump (<database>-<UTC timestamp>.dump).`);
  const manifest = readManifest(dump.file);
  const scratch = `slipway_restore_drill_${compactUtc(new Date()).toLowerCase()}_${randomBytes(3).toString("hex")}`;
  const scratchUrl = onSameServer(serverUrl, scratch);

  await withDatabase(serverUrl, (sql) => sql.unsafe(`create database "${scratch}"`));
  try {
    const restored = await restoreDatabase(scratchUrl, dump.file, { force: false });
    const verifyStarted = performance.now();
    const facts = await withDatabase(scratchUrl, (sql) =>
      sql.begin("isolation level repeatable read read only", (tx) => databaseFacts(tx)),
    );
    return {
      dump,
      database: scratch,
      restoreMs: restored.durationMs,
      verifyMs: performance.now() - verifyStarted,
      tables: facts.tables.length,
      migrations: facts.migrations,
      problems: compareFacts(manifest.facts, facts),
    };
  } finally {
    await withDatabase(serverUrl, (sql) => sql.unsafe(`drop database if exists "${scratch}" with (force)`));
  }
}
