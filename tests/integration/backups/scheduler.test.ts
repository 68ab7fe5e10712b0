import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterUser, removeScratchDir, runAsClusterUser, scratchDir } from "../../support/debian-postgres";
import { missingRequirement } from "../../support/requirements";
import { runbookBlock, runRunbookBlock } from "../../support/runbook";
import {
  createBackupRig,
  PGBACKREST_CONF as PGBACKREST_CONFIG,
  readStatus,
  SCHEDULER,
  type BackupRig,
} from "./support";

const skip =
  missingRequirement("pgbackrest", "the backup scheduler") ??
  missingRequirement("postgresql", "the backup scheduler") ??
  missingRequirement("jq", "the backup scheduler");

const ISO_SECOND = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const isoOf = (epochSeconds: number) => new Date(epochSeconds * 1000).toISOString().replace(".000Z", "Z");

describe.skipIf(skip)("the backup scheduler's runs (slipway-backup run)", () => {
  let rig: BackupRig;
  beforeAll(async () => {
    rig = await createBackupRig();
  });
  afterAll(async () => {
    await rig?.close();
  });

  it("records a successful run in the status file: pgBackRest's newest backup and no error", async () => {
    const run = await rig.scheduler(["run", "full"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const newest = (await rig.info())[0]!.backup.at(-1)!;
    expect(run.stdout).toContain(`full backup OK: ${newest.label}`);
    const status = readStatus(rig)!;
    expect(status).toEqual({
      lastAttemptAt: expect.stringMatching(ISO_SECOND),
      lastAttemptOk: true,
      lastSuccessAt: isoOf(newest.timestamp.stop),
      lastSuccessLabel: newest.label,
      lastSuccessType: "full",
      lastError: null,
    });
    expect(Object.keys(status)).toEqual([
      "lastAttemptAt",
      "lastAttemptOk",
      "lastSuccessAt",
      "lastSuccessLabel",
      "lastSuccessType",
      "lastError",
    ]);
  });

  it("fails visibly when the repository is unwritable: exit code, an error line, the last success kept", async () => {
    const first = await rig.scheduler(["run", "full"]);
    expect(first.code, first.stderr).toBe(0);
    const before = readStatus(rig)!;
    const backups = path.join(rig.env.PGBACKREST_REPO1_PATH!, "backup", "slipway");
    chmodSync(backups, 0o555);
    try {
      const run = await rig.scheduler(["run", "diff"]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/slipway-backup: ERROR: diff backup FAILED on repo1 \(pgBackRest error \[\d+\]\)/);
      const after = readStatus(rig)!;
      expect(after).toMatchObject({
        lastAttemptOk: false,
        lastSuccessAt: before.lastSuccessAt,
        lastSuccessLabel: before.lastSuccessLabel,
        lastSuccessType: "full",
        lastError: expect.stringMatching(/^diff backup failed on repo1 \(pgBackRest error \[\d+\]\)$/),
      });
      expect(after.lastAttemptAt >= before.lastAttemptAt).toBe(true);
      expect(JSON.stringify(after)).not.toContain(rig.passphrase);
      const health = await rig.scheduler(["health"]);
      expect(health.code).toBe(1);
    } finally {
      chmodSync(backups, 0o750);
    }
    const recovered = await rig.scheduler(["run", "diff"]);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(readStatus(rig)).toMatchObject({ lastAttemptOk: true, lastSuccessType: "diff", lastError: null });
    expect((await rig.scheduler(["health"])).code).toBe(0);
  });

  it("fails visibly when the database cannot be reached", async () => {
    const run = await rig.scheduler(["run", "full"], {
      PGBACKREST_PG1_SOCKET_PATH: path.join(rig.dir, "no-socket-here"),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/slipway-backup: ERROR: full backup FAILED/);
    expect(readStatus(rig)).toMatchObject({
      lastAttemptOk: false,
      lastError: expect.stringMatching(/pgBackRest error \[\d+\]/),
    });
  });

  it("shows the repository and the status file with the runbook's commands", async () => {
    const ok = await rig.scheduler(["run", "full"]);
    expect(ok.code, ok.stderr).toBe(0);
    const result = await runRunbookBlock(runbookBlock("backups.md", "backup-info"), {
      env: rig.env,
      user: clusterUser(),
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("stanza: slipway");
    expect(result.stdout).toContain("status: ok");
    expect(result.stdout).toContain(`"lastSuccessLabel": "${readStatus(rig)!.lastSuccessLabel}"`);
  });
});

describe.skipIf(skip)("the backup scheduler's loop (slipway-backup schedule)", () => {
  it("takes a full backup at once on an empty repository, then waits for the next run and stops on SIGTERM", async () => {
    const rig = await createBackupRig();
    try {
      const child = spawn(SCHEDULER, ["schedule"], {
        env: { ...process.env, ...rig.env },
        stdio: ["ignore", "pipe", "pipe"],
        ...clusterUser(),
      });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      try {
        // A cluster and a first full backup: a minute on a quiet machine, more on a busy one.
        const deadline = Date.now() + 150_000;
        while (!/next: (full|diff) backup at /.test(output)) {
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`scheduler:\n${output}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(output).toContain("no backup in the last 24 hours: full backup now");
        expect(output).toMatch(/full backup OK: \d{8}-\d{6}F/);
        expect(readStatus(rig)).toMatchObject({ lastAttemptOk: true, lastSuccessType: "full" });
      } finally {
        child.kill("SIGTERM");
      }
      expect(await exited).toBe(0);
      expect(output).toContain("scheduler stopped");
    } finally {
      await rig.close();
    }
  }, 240_000);
});

// The scheduler is bash for the Debian-based database image (GNU date, jq): these need no cluster, but skip
// with the rest where pgBackRest is missing.
const schedulerSkip =
  missingRequirement("pgbackrest", "the backup scheduler") ?? missingRequirement("jq", "the backup scheduler");

describe.skipIf(schedulerSkip)("the backup schedule (slipway-backup next)", () => {
  const next = (time: string, env: Record<string, string> = {}) =>
    spawnSync(SCHEDULER, ["next", time], {
      encoding: "utf8",
      // The schedule file sits beside the configuration (db/pgbackrest/schedule).
      env: { ...process.env, PGBACKREST_CONFIG, ...env },
    });

  it("runs the full backup at 03:00 UTC and differentials in between", () => {
    expect(next("2026-12-01T02:59:00Z").stdout.trim()).toBe("2026-12-01T03:00:00Z full");
    expect(next("2026-12-01T03:00:00Z").stdout.trim()).toBe("2026-12-01T09:00:00Z diff");
    expect(next("2026-12-01T21:30:00Z").stdout.trim()).toBe("2026-12-02T03:00:00Z full");
  });

  it("refuses a schedule file it cannot read, naming the line", () => {
    const dir = scratchDir("schedule");
    try {
      const file = path.join(dir, "schedule");
      writeFileSync(file, "# runs\n03:00 full\n3am diff\n");
      const result = next("2026-12-01T00:00:00Z", { BACKUP_SCHEDULE_FILE: file });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`${file} line 3: expected "HH:MM full|diff"`);
    } finally {
      removeScratchDir(dir);
    }
  });
});

describe.skipIf(schedulerSkip)("the scheduler's healthcheck", () => {
  it("is healthy before the first run and after a successful one, unhealthy after a failed one", async () => {
    const dir = scratchDir("health");
    try {
      const statusFile = path.join(dir, "status.json");
      const health = () => runAsClusterUser(SCHEDULER, ["health"], { env: { BACKUP_STATUS_FILE: statusFile } });
      expect(existsSync(statusFile)).toBe(false);
      expect((await health()).code).toBe(0);
      writeFileSync(statusFile, JSON.stringify({ lastAttemptOk: false, lastError: "full backup failed" }));
      expect((await health()).code).toBe(1);
      writeFileSync(statusFile, JSON.stringify({ lastAttemptOk: true, lastError: null }));
      expect((await health()).code).toBe(0);
    } finally {
      removeScratchDir(dir);
    }
  });
});
