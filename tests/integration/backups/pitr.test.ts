import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { seedDatabase } from "../../../db/seed";
import { clusterUser, debianPostgresBinDir } from "../../support/debian-postgres";
import { migrateDatabase } from "../../support/migrate";
import { missingRequirement } from "../../support/requirements";
import { runbookBlock, runRunbookBlock } from "../../support/runbook";
import { createTenant } from "../../support/tenants";
import { createBackupRig, ROOT, snapshotTables, waitForPromotion, type BackupRig } from "./support";

const skip =
  missingRequirement("pgbackrest", "point-in-time recovery") ??
  missingRequirement("postgresql", "point-in-time recovery") ??
  missingRequirement("jq", "the backup scheduler");

/** The application's tables, plus the migrator's bookkeeping. */
const TABLES = [
  "tenants",
  "users",
  "memberships",
  "projects",
  "audit_events",
  "webhook_events",
  "drizzle.__drizzle_migrations",
];

const user = () => clusterUser();

describe.skipIf(skip)("point-in-time recovery (pgBackRest with the compose stack's configuration)", () => {
  const rigs: BackupRig[] = [];
  /** Each test archives into its own repository: restores create timelines another test must not see. */
  const seededRig = async () => {
    const rig = await createBackupRig();
    rigs.push(rig);
    await migrateDatabase(rig.url());
    await seedDatabase(rig.url());
    return rig;
  };
  afterAll(async () => {
    for (const rig of rigs) await rig.close();
  });

  it("restores the database exactly as it was at a chosen time, without the destructive change after it", async () => {
    const rig = await seededRig();
    const sql = rig.sql();
    const tenant = await createTenant(sql, { projects: ["Alpha", "Beta", "Gamma"] });
    const full = await rig.scheduler(["run", "full"]);
    expect(full.code, full.stdout + full.stderr).toBe(0);
    // pgBackRest keeps backup stop times in whole seconds and restores to a time only from a backup
    // that stopped before it: let the clock pass the backup's second.
    await new Promise((resolve) => setTimeout(resolve, 1100));

    // Written after the backup: only the archived WAL holds these.
    await createTenant(sql, { projects: ["Delta"] });
    await sql`update projects set status = 'paused', updated_at = now() where tenant_id = ${tenant.tenantId} and name = 'Alpha'`;
    await sql`insert into webhook_events (id, source, type) values ('msg_after_backup', 'clerk', 'user.created')`;
    const atTarget = await snapshotTables(sql, TABLES);
    const [{ target }] = await sql<[{ target: string }]>`
      select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00' as target`;

    // The incident: rows deleted and a table dropped after the target time.
    await sql`delete from projects where tenant_id = ${tenant.tenantId}`;
    await sql`drop table audit_events`;

    const archive = await runRunbookBlock(runbookBlock("backups.md", "pitr-archive-latest"), {
      env: rig.env,
      user: user(),
    });
    expect(archive.code, archive.stdout + archive.stderr).toBe(0);
    await rig.cluster.stop();

    const restoredDir = rig.freshDataDir("restored");
    const restore = await runRunbookBlock(runbookBlock("backups.md", "pitr-restore"), {
      env: { ...rig.env, PGBACKREST_PG1_PATH: restoredDir, RECOVERY_TARGET_TIME: target },
      user: user(),
    });
    expect(restore.code, restore.stdout + restore.stderr).toBe(0);
    const startedAt = performance.now();
    const restored = await rig.startOn(restoredDir);
    const restoredSql = postgres(restored.url("slipway"), { max: 1, onnotice: () => {} });
    try {
      await waitForPromotion(restoredSql);
      const startAndReplayMs = performance.now() - startedAt;

      const recovered = await snapshotTables(restoredSql, TABLES);
      expect(Object.keys(recovered)).toEqual(Object.keys(atTarget));
      for (const table of Object.keys(atTarget)) expect(recovered[table], table).toEqual(atTarget[table]);
      // Spelled out: the deleted projects and the dropped table are back.
      expect(recovered.projects!.filter((row) => row.includes(tenant.tenantId))).toHaveLength(3);
      expect(recovered.audit_events!.length).toBeGreaterThan(0);

      const migrator = spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), ["db/migrate.ts"], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: restored.url("slipway") },
        encoding: "utf8",
      });
      expect(migrator.status, migrator.stderr).toBe(0);
      expect(migrator.stdout).toMatch(/is up to date \(\d+ migrations\)/);

      const [{ bytes }] = await restoredSql<[{ bytes: string }]>`
        select sum(pg_database_size(datname))::text as bytes from pg_database`;
      writeRecoveryBenchmark({
        restoreMs: restore.durationMs,
        startAndReplayMs,
        databaseBytes: Number(bytes),
        originalDataDir: rig.env.PGBACKREST_PG1_PATH!,
      });
    } finally {
      await restoredSql.end({ timeout: 1 });
      await restored.stop();
    }
  });

  it("runs a restore drill from the runbook without pushing the copy's WAL into the archive", async () => {
    const rig = await seededRig();
    const sql = rig.sql();
    await createTenant(sql, { projects: ["Drill"] });
    const backup = await rig.scheduler(["run", "full"]);
    expect(backup.code, backup.stdout + backup.stderr).toBe(0);
    const [{ tenants }] = await sql<[{ tenants: number }]>`select count(*)::int as tenants from tenants`;
    const archiveBefore = await rig.pgbackrest(["repo-ls", "--recurse", "archive"]);

    const drillDir = rig.freshDataDir("drill");
    try {
      const drill = await runRunbookBlock(runbookBlock("backups.md", "pitr-drill"), {
        env: { ...rig.env, DRILL_PGDATA: drillDir, PATH: `${debianPostgresBinDir()}:${rig.env.PATH}` },
        user: user(),
        timeoutMs: 120_000,
      });
      expect(drill.code, drill.stdout + drill.stderr).toBe(0);
      expect(drill.stdout).toMatch(/drill: recovered and promoted in \d+ s/);
      expect(drill.stdout).toContain(`tenants=${tenants}`);
      expect(drill.stdout).toContain("drill OK");
      expect(existsSync(path.join(drillDir, "PG_VERSION")), "the drill removes its copy").toBe(false);
    } finally {
      stopLeftoverServer(drillDir);
    }
    // The drill copy promoted to a new timeline; with --archive-mode=off none of it reached the archive.
    const archiveAfter = await rig.pgbackrest(["repo-ls", "--recurse", "archive"]);
    expect(archiveAfter.stdout).toBe(archiveBefore.stdout);
  });
});

/** A server the drill block started and did not stop (it failed half-way): stop it by its PID. */
function stopLeftoverServer(dataDir: string): void {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  try {
    process.kill(pid, "SIGQUIT");
  } catch {
    // already gone
  }
}

/**
 * bench/results/pitr-restore-<date>.json: the recovery time (pgBackRest restore, then PostgreSQL
 * replaying WAL to the target and promoting), and as a baseline measured in the same run the time
 * to copy the source's data directory on this disk.
 */
function writeRecoveryBenchmark(measured: {
  restoreMs: number;
  startAndReplayMs: number;
  databaseBytes: number;
  originalDataDir: string;
}): void {
  const copyTarget = `${measured.originalDataDir}-copy`;
  const copyStarted = performance.now();
  cpSync(measured.originalDataDir, copyTarget, { recursive: true });
  const copyMs = performance.now() - copyStarted;
  const seconds = (ms: number) => Math.round(ms) / 1000;
  const recoveryMs = measured.restoreMs + measured.startAndReplayMs;
  const report = {
    benchmark: "pitr-restore",
    date: new Date().toISOString(),
    machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model },
    tools: {
      pgbackrest: spawnSync("pgbackrest", ["version"], { encoding: "utf8" }).stdout.trim(),
      postgres: spawnSync(path.join(debianPostgresBinDir()!, "postgres"), ["--version"], {
        encoding: "utf8",
      }).stdout.trim(),
    },
    databaseBytes: measured.databaseBytes,
    restoreSeconds: seconds(measured.restoreMs),
    startAndReplaySeconds: seconds(measured.startAndReplayMs),
    recoverySeconds: seconds(recoveryMs),
    baseline: { copyDataDirectorySeconds: seconds(copyMs) },
    recoveryToCopyRatio: Math.round((recoveryMs / copyMs) * 100) / 100,
  };
  const dir = path.join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `pitr-restore-${report.date.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(
    `recovery time ${report.recoverySeconds} s (restore ${report.restoreSeconds} s, start and replay ${report.startAndReplaySeconds} s): ${path.relative(ROOT, file)}`,
  );
}
