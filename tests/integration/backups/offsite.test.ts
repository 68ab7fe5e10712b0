import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownedDir, removeScratchDir, runAsClusterUser, scratchDir } from "../../support/debian-postgres";
import { freePort } from "../../../scripts/embedded-postgres";
import { missingRequirement } from "../../support/requirements";
import { PGBACKREST_CONF, SCHEDULER } from "./support";

const skip = missingRequirement("pgbackrest", "the off-site backup repository");

/**
 * The off-site S3 repository cannot be reached from here (no S3 service): these tests prove the
 * wiring that compose relies on, i.e. that BACKUP_S3_* switch on db/pgbackrest/offsite/s3.conf with
 * option names pgBackRest accepts, against an endpoint on 127.0.0.1 that refuses connections.
 */
describe.skipIf(skip)("the off-site repository (BACKUP_S3_*, db/pgbackrest/offsite/s3.conf)", () => {
  let dir: string;
  let env: Record<string, string>;
  const secret = (name: string, value: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, value, { mode: 0o644 });
    return file;
  };

  beforeAll(async () => {
    dir = scratchDir("offsite");
    env = {
      PGBACKREST_CONFIG: PGBACKREST_CONF,
      PGBACKREST_REPO1_PATH: ownedDir(path.join(dir, "repo")),
      PGBACKREST_LOCK_PATH: ownedDir(path.join(dir, "lock")),
      PGBACKREST_REPO1_CIPHER_PASS_FILE: secret("pgbackrest_cipher_pass", "a-passphrase\n"),
      // A closed port, and no waiting for it: only the wiring is under test.
      PGBACKREST_REPO2_STORAGE_PORT: String(await freePort()),
      PGBACKREST_IO_TIMEOUT: "1",
      BACKUP_S3_BUCKET: "slipway-offsite",
      BACKUP_S3_ENDPOINT: "127.0.0.1",
      BACKUP_S3_REGION: "eu-central-1",
      BACKUP_S3_KEY_FILE: secret("backup_s3_key", "AKIAEXAMPLE\n"),
      BACKUP_S3_KEY_SECRET_FILE: secret("backup_s3_key_secret", "example-secret\n"),
    };
  });
  afterAll(() => {
    if (dir) removeScratchDir(dir);
  });

  it("adds repo2 from BACKUP_S3_* and the offsite configuration: pgBackRest tries the configured endpoint", async () => {
    const info = await runAsClusterUser(SCHEDULER, ["pgbackrest", "info"], { env });
    const output = info.stdout + info.stderr;
    expect(output).toContain("repo2: error");
    expect(output).toContain(`unable to connect to '127.0.0.1:${env.PGBACKREST_REPO2_STORAGE_PORT}'`);
    expect(output).not.toContain("example-secret");
  });

  it("stays off while BACKUP_S3_BUCKET is empty", async () => {
    const info = await runAsClusterUser(SCHEDULER, ["pgbackrest", "info"], { env: { ...env, BACKUP_S3_BUCKET: "" } });
    const output = info.stdout + info.stderr;
    expect(output).toContain("status: error (missing stanza path)"); // repo1 alone, still empty
    expect(output).not.toContain("repo2");
  });

  it("refuses to run with an empty key file, naming the variable and not the value", async () => {
    const empty = secret("empty", "");
    const info = await runAsClusterUser(SCHEDULER, ["pgbackrest", "info"], {
      env: { ...env, BACKUP_S3_KEY_SECRET_FILE: empty },
    });
    expect(info.code).not.toBe(0);
    expect(info.stderr).toContain(`secrets: BACKUP_S3_KEY_SECRET_FILE: ${empty} is empty`);
  });
});
