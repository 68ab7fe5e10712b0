import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { missingRequirement } from "../../support/requirements";
import { runbookBlock, runRunbookBlock } from "../../support/runbook";
import { clusterUser } from "../../support/debian-postgres";
import { createBackupRig, fakeClock, waitForPromotion, type BackupRig, type PgBackRestInfo } from "./support";

const skip =
  missingRequirement("pgbackrest", "backup retention") ??
  missingRequirement("postgresql", "backup retention") ??
  missingRequirement("jq", "the backup scheduler") ??
  missingRequirement("faketime", "backups of different ages without waiting 30 days");

/** WAL segment names are hexadecimal: timeline, then the segment number in two 8-digit halves. */
const segmentNumber = (name: string) => BigInt(`0x${name.slice(8, 24)}`);

/**
 * Three full backups taken 0, 20 and 55 days into a moved clock (libfaketime on both PostgreSQL,
 * which dates the backups, and pgBackRest, whose expire compares them with now). With the
 * configuration's 30-day time retention, the backup taken on day 55 expires what the window no
 * longer needs.
 */
describe.skipIf(skip)("30-day time-based retention (repo1-retention-full-type=time)", () => {
  let rig: BackupRig;
  let before: PgBackRestInfo;
  let after: PgBackRestInfo;
  let insideWindow: string;

  const backupAt = async (offset: string) => {
    const clock = fakeClock(offset);
    await rig.restart(clock);
    const run = await rig.scheduler(["run", "full"], clock);
    expect(run.code, run.stdout + run.stderr).toBe(0);
  };

  beforeAll(async () => {
    rig = await createBackupRig({ env: fakeClock("+0d") });
    const sql = rig.sql();
    await sql`create table events (id serial primary key, note text not null, at timestamptz not null default now())`;
    await backupAt("+0d");
    await backupAt("+20d");
    // Backup stop times have whole seconds; a restore target must come after the backup's second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const write = rig.sql();
    await write`insert into events (note) values ('day 20, after the second backup')`;
    const [row] = await write<{ at: string }[]>`
      select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00' as at`;
    insideWindow = row!.at;
    await write`insert into events (note) values ('day 20, later')`;
    before = await rig.info();
    await backupAt("+55d");
    after = await rig.info();
  });
  afterAll(async () => {
    await rig?.close();
  });

  it("expires the full backup that the 30-day window no longer needs and keeps the rest", () => {
    expect(before[0]!.backup).toHaveLength(2);
    const [day0, day20] = before[0]!.backup;
    const kept = after[0]!.backup;
    expect(kept).toHaveLength(2);
    const [oldest, day55] = kept;
    expect(oldest!.label).toBe(day20!.label);
    expect(kept.map((backup) => backup.label)).not.toContain(day0!.label);
    // Day 20 is 35 days old on day 55 and is still kept: the window reaches back to day 25, and
    // only a backup taken before that point can restore to it. Day 0 (55 days) is not needed.
    const ageInDays = (backup: { timestamp: { stop: number } }) =>
      (day55!.timestamp.stop - backup.timestamp.stop) / 86_400;
    expect(ageInDays(day20!)).toBeGreaterThan(30);
    expect(ageInDays(day0!)).toBeGreaterThan(50);
  });

  it("keeps every WAL segment from the oldest kept backup on, and nothing older", async () => {
    const oldestKept = after[0]!.backup[0]!;
    const archive = after[0]!.archive[0]!;
    expect(archive.min).toBe(oldestKept.archive.start);
    expect(segmentNumber(before[0]!.archive[0]!.min!)).toBeLessThan(segmentNumber(archive.min!));

    const listing = await rig.pgbackrest(["repo-ls", "--recurse", `archive/slipway/${archive.id}`]);
    const segments = [...listing.stdout.matchAll(/\b([0-9A-F]{24})-[0-9a-f]{40}\b/g)]
      .map((match) => segmentNumber(match[1]!))
      .sort((a, b) => (a < b ? -1 : 1));
    const expected: bigint[] = [];
    for (let n = segmentNumber(archive.min!); n <= segmentNumber(archive.max!); n++) expected.push(n);
    expect(segments).toEqual(expected);
  });

  it("still restores to a time inside the window from the kept backup and WAL", async () => {
    const target = rig.freshDataDir("restored");
    const clock = fakeClock("+55d");
    const restore = await runRunbookBlock(runbookBlock("backups.md", "pitr-restore"), {
      env: { ...rig.env, ...clock, PGBACKREST_PG1_PATH: target, RECOVERY_TARGET_TIME: insideWindow },
      user: clusterUser(),
    });
    expect(restore.code, restore.stdout + restore.stderr).toBe(0);
    expect(restore.stdout).toContain(`restore backup set ${after[0]!.backup[0]!.label}`);
    const restored = await rig.startOn(target, clock);
    const sql = postgres(restored.url("slipway"), { max: 1, onnotice: () => {} });
    try {
      await waitForPromotion(sql);
      const notes = await sql<{ note: string }[]>`select note from events order by id`;
      expect(notes.map((row) => row.note)).toEqual(["day 20, after the second backup"]);
    } finally {
      await sql.end({ timeout: 1 });
      await restored.stop();
    }
  });
});
