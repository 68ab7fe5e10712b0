import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAsClusterUser } from "../../support/debian-postgres";
import { missingRequirement } from "../../support/requirements";
import { createBackupRig, type BackupRig } from "./support";

const skip =
  missingRequirement("pgbackrest", "backup encryption") ??
  missingRequirement("postgresql", "backup encryption") ??
  missingRequirement("jq", "the backup scheduler");

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));

describe.skipIf(skip)("backup encryption (repo1-cipher-type=aes-256-cbc)", () => {
  let rig: BackupRig;
  const marker = `slipway-plaintext-marker-${randomBytes(8).toString("hex")}`;

  beforeAll(async () => {
    // Compression off, so that the marker can only be hidden by encryption, not by zstd.
    rig = await createBackupRig({ env: { PGBACKREST_COMPRESS_TYPE: "none" } });
    const sql = rig.sql();
    await sql`create table notes (body text not null)`;
    await sql`insert into notes select ${marker} || ' before the backup ' || g from generate_series(1, 200) g`;
    const backup = await rig.scheduler(["run", "full"]);
    expect(backup.code, backup.stdout + backup.stderr).toBe(0);
    // And in archived WAL only.
    await sql`insert into notes select ${marker} || ' after the backup ' || g from generate_series(1, 200) g`;
    const check = await rig.pgbackrest(["check"]);
    expect(check.code, check.stderr).toBe(0);
  });
  afterAll(async () => {
    await rig?.close();
  });

  it("writes only encrypted files, none of which contains data written to the database", () => {
    const repository = filesUnder(rig.env.PGBACKREST_REPO1_PATH!);
    expect(repository.some((file) => file.includes(`${path.sep}archive${path.sep}`))).toBe(true);
    expect(repository.some((file) => file.includes(`${path.sep}backup${path.sep}`))).toBe(true);
    for (const file of repository) {
      const content = readFileSync(file);
      expect(content.subarray(0, 8).toString("latin1"), file).toBe("Salted__"); // OpenSSL's encrypted-file header
      expect(content.includes(marker), file).toBe(false);
    }
    // The check can fail: the marker is there in plaintext in the cluster's own WAL.
    const wal = filesUnder(path.join(rig.env.PGBACKREST_PG1_PATH!, "pg_wal"));
    expect(wal.some((file) => readFileSync(file).includes(marker))).toBe(true);
  });

  it("cannot restore with a wrong passphrase", async () => {
    const wrong = path.join(rig.dir, "secrets", "wrong_passphrase");
    writeFileSync(wrong, `${randomBytes(32).toString("base64")}\n`, { mode: 0o644 });
    const target = rig.freshDataDir("restore-wrong-passphrase");
    const restore = await rig.pgbackrest(["restore"], {
      PGBACKREST_PG1_PATH: target,
      PGBACKREST_REPO1_CIPHER_PASS_FILE: wrong,
    });
    expect(restore.code).not.toBe(0);
    expect(restore.stdout + restore.stderr).toMatch(/ERROR: \[\d+\]/);
    expect(existsSync(path.join(target, "PG_VERSION"))).toBe(false);
  });

  it("cannot restore without a passphrase", async () => {
    const target = rig.freshDataDir("restore-no-passphrase");
    const env: Record<string, string> = { ...rig.env, PGBACKREST_PG1_PATH: target };
    delete env.PGBACKREST_REPO1_CIPHER_PASS_FILE;
    const restore = await runAsClusterUser("pgbackrest", ["--stanza=slipway", "restore"], { env });
    expect(restore.code).not.toBe(0);
    expect(restore.stdout + restore.stderr).toContain("requires option: repo1-cipher-pass");
    expect(existsSync(path.join(target, "PG_VERSION"))).toBe(false);
  });
});
