import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDockerfile, parseIni, parsePostgresqlConf, root } from "../../../scripts/deploy-files.mjs";
import {
  backupComposeRules,
  backupConfigRules,
  copyOf,
  databaseImageRules,
  loadDeployFiles,
  type DeployFiles,
} from "./rules";

const files = loadDeployFiles();
const dockerfileText = readFileSync(path.join(root, "db/postgres/Dockerfile"), "utf8");

function withDockerfile(edit: (text: string) => string): DeployFiles {
  const text = edit(dockerfileText);
  expect(text, "the fixture edit must change the Dockerfile").not.toBe(dockerfileText);
  const broken = copyOf(files);
  broken.database.dockerfile = parseDockerfile(text);
  return broken;
}

describe("database image (db/postgres/Dockerfile)", () => {
  it("follows every rule", () => {
    expect(databaseImageRules(files)).toEqual([]);
  });

  it("fails on an unpinned postgres image", () => {
    const broken = withDockerfile((text) => text.replace("FROM postgres:17-bookworm", "FROM postgres:latest"));
    expect(databaseImageRules(broken)).toContain(
      "db/postgres/Dockerfile must be FROM the official postgres image with a pinned major version",
    );
  });

  it("fails when production and the local stack run different PostgreSQL majors", () => {
    const broken = withDockerfile((text) => text.replace("FROM postgres:17-bookworm", "FROM postgres:16-bookworm"));
    expect(databaseImageRules(broken)).toContain(
      "db/postgres/Dockerfile runs PostgreSQL 16, docker-compose.yml 17: keep them on one major",
    );
  });

  it("fails without pgBackRest", () => {
    const broken = withDockerfile((text) => text.replace("pgbackrest jq", "jq"));
    expect(databaseImageRules(broken)).toContain("db/postgres/Dockerfile must apt-get install pgbackrest");
  });

  it("fails when the server starts without the configuration that turns on WAL archiving", () => {
    const broken = withDockerfile((text) => text.replace(/^CMD .*$/m, 'CMD ["postgres"]'));
    expect(databaseImageRules(broken)).toContain(
      'db/postgres/Dockerfile CMD must be ["postgres", "-c", "config_file=..."] (WAL archiving)',
    );
  });

  it("fails when PGBACKREST_CONFIG names a file the image does not hold", () => {
    const broken = withDockerfile((text) =>
      text.replace("PGBACKREST_CONFIG=/etc/pgbackrest/pgbackrest.conf", "PGBACKREST_CONFIG=/etc/pgbackrest.conf"),
    );
    expect(databaseImageRules(broken)).toContain(
      "PGBACKREST_CONFIG is /etc/pgbackrest.conf, where the image does not copy pgbackrest/pgbackrest.conf",
    );
  });

  it("fails when a COPY source is missing from db/", () => {
    const broken = withDockerfile((text) => text.replace("pgbackrest/schedule /etc", "pgbackrest/scheduled /etc"));
    expect(databaseImageRules(broken)).toContain(
      "db/postgres/Dockerfile copies pgbackrest/scheduled, which is not in db/",
    );
  });

  it("fails when the entrypoint no longer loads the backup secrets", () => {
    const broken = withDockerfile((text) => text.replace(/^ENTRYPOINT .*$/m, 'ENTRYPOINT ["docker-entrypoint.sh"]'));
    expect(databaseImageRules(broken)).toContain(
      "db/postgres/Dockerfile ENTRYPOINT must be postgres/entrypoint.sh (it loads the backup secrets)",
    );
  });
});

describe("backup configuration (db/pgbackrest/, db/postgres/archiving.conf)", () => {
  it("follows every rule", () => {
    expect(backupConfigRules(files)).toEqual([]);
  });

  it("fails when the repository is not encrypted", () => {
    const broken = copyOf(files);
    delete broken.database.config.pgbackrest.global!["repo1-cipher-type"];
    expect(backupConfigRules(broken)).toContain("repo1 must be encrypted (repo1-cipher-type=aes-256-cbc)");
  });

  it("fails on a passphrase written into the configuration", () => {
    const broken = copyOf(files);
    broken.database.config.pgbackrest.global!["repo1-cipher-pass"] = "not-a-secret-anymore";
    expect(backupConfigRules(broken)).toContain(
      "pgbackrest.conf sets repo1-cipher-pass: secrets come from the environment (secrets.sh)",
    );
  });

  it("fails on a retention other than 30 days", () => {
    const broken = copyOf(files);
    broken.database.config.pgbackrest.global!["repo1-retention-full"] = "7";
    expect(backupConfigRules(broken)).toContain(
      "repo1 must keep 30 days (repo1-retention-full-type=time, repo1-retention-full=30)",
    );
  });

  it("fails when archive_command reads another configuration than every other pgBackRest call", () => {
    const broken = copyOf(files);
    broken.database.config.archiving = parsePostgresqlConf(
      "archive_mode = on\narchive_command = 'pgbackrest --config=/etc/pgbackrest.conf --stanza=slipway archive-push %p'\n",
    );
    expect(backupConfigRules(broken)).toContain(
      'archive_command must be "pgbackrest --stanza=slipway archive-push %p", not "pgbackrest --config=/etc/pgbackrest.conf --stanza=slipway archive-push %p"',
    );
  });

  it("fails when WAL archiving is off", () => {
    const broken = copyOf(files);
    broken.database.config.archiving.settings.archive_mode = "off";
    expect(backupConfigRules(broken)).toContain("archiving.conf must set archive_mode = on");
  });

  it("fails without the daily full backup at 03:00 UTC", () => {
    const broken = copyOf(files);
    broken.database.config.schedule = "04:00 full\n";
    expect(backupConfigRules(broken)).toContain("the schedule must run a full backup at 03:00 UTC");
  });

  it("reads pgBackRest's INI and PostgreSQL's configuration format", () => {
    expect(parseIni("# c\n[global]\nrepo1-path=/a=b\n\n[s]\npg1-port = 5432\n")).toEqual({
      global: { "repo1-path": "/a=b" },
      s: { "pg1-port": "5432" },
    });
    expect(parsePostgresqlConf("a = 'x''y' # note\ninclude 'f.conf'\nb=2\n")).toEqual({
      settings: { a: "x'y", b: "2" },
      includes: [{ kind: "include", path: "f.conf" }],
    });
  });
});

describe("backups in production compose", () => {
  it("archives WAL, runs the scheduler and hands its status to the app", () => {
    expect(backupComposeRules(files)).toEqual([]);
  });

  it("fails when the scheduler runs as root", () => {
    const broken = copyOf(files);
    delete broken.compose.merged.services.backup.user;
    expect(backupComposeRules(broken)).toContain(
      "backup must run as postgres: pgBackRest run as root leaves root-owned files in the repository",
    );
  });

  it("fails when the scheduler and the server see different repositories", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.backup.volumes = broken.compose.merged.services.backup.volumes.map((mount: string) =>
      mount.replace("pgbackrest-repo:", "another-repo:"),
    );
    expect(backupComposeRules(broken)).toContain(
      "postgres and backup mount different volumes at the repository (repo1-path) /var/lib/pgbackrest",
    );
  });

  it("fails when the scheduler can write the data directory", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.backup.volumes = broken.compose.merged.services.backup.volumes.map((mount: string) =>
      mount.replace(/:ro$/, ""),
    );
    expect(backupComposeRules(broken)).toContain("backup must mount the data directory read-only");
  });

  it("fails when postgres overrides the image's command (no WAL archiving)", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.postgres.command = ["postgres"];
    expect(backupComposeRules(broken)).toContain(
      "postgres must keep the image's entrypoint and command (they load the secrets and WAL archiving)",
    );
  });

  it("fails when the app can write the status file or does not read it", () => {
    const writable = copyOf(files);
    writable.compose.merged.services.app.volumes = ["backup-status:/var/lib/slipway-backup"];
    expect(backupComposeRules(writable)).toContain("app must mount the backup status volume read-only");
    const unread = copyOf(files);
    delete unread.compose.merged.services.app.environment.BACKUP_STATUS_FILE;
    expect(backupComposeRules(unread)).toContain("app must read the BACKUP_STATUS_FILE the scheduler writes");
  });

  it("fails when the off-site repository is on by default", () => {
    const broken = copyOf(files);
    broken.compose.merged.services.backup.environment.BACKUP_S3_BUCKET = "my-bucket";
    expect(backupComposeRules(broken)).toContain(
      "backup: the off-site repository must be off unless BACKUP_S3_BUCKET is set",
    );
  });
});
