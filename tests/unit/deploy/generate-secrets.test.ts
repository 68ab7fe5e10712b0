import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { read } from "../../../scripts/deploy-files.mjs";
import {
  APP_UID,
  DATABASE_OWNER,
  generateSecrets,
  POSTGRES_UID,
  READERS,
  SECRETS,
} from "../../../scripts/generate-secrets.mjs";
import { absent } from "./absent";
import { copyOf, loadDeployFiles, type DeployFiles } from "./rules";

const dirs: string[] = [];
const freshDir = () => {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), "slipway-secrets-")), "secrets");
  dirs.push(path.dirname(dir));
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const contentOf = (dir: string, name: string) => readFileSync(path.join(dir, `${name}.txt`), "utf8").trim();
// Non-root uid other than the image's, so no chown is attempted in the test.
const asUser = { uid: 4242 };

describe("npm run secrets:generate", () => {
  it("creates every secret file with mode 0600 in a 0700 directory (0640 for the one two containers read)", () => {
    const dir = freshDir();
    generateSecrets(dir, asUser);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const { name } of SECRETS) {
      const expected = name === "metrics_token" ? 0o640 : 0o600;
      expect(statSync(path.join(dir, `${name}.txt`)).mode & 0o777, name).toBe(expected);
    }
  });

  it("as root, hands each file to the user its container reads it as", () => {
    const dir = freshDir();
    const owners: Record<string, string> = {};
    generateSecrets(dir, {
      uid: 0,
      chown: (file, uid, gid) => (owners[path.basename(file, ".txt")] = `${uid}:${gid}`),
    });
    expect(owners).toEqual({
      database_url: `${APP_UID}:${APP_UID}`,
      redis_url: `${APP_UID}:${APP_UID}`,
      session_secret: `${APP_UID}:${APP_UID}`,
      clerk_secret_key: `${APP_UID}:${APP_UID}`,
      clerk_webhook_secret: `${APP_UID}:${APP_UID}`,
      smtp_url: `${APP_UID}:${APP_UID}`,
      // The app owns it; Prometheus (nobody:nogroup in prom/prometheus) reads it through the group.
      metrics_token: `${APP_UID}:65534`,
      grafana_admin_password: "472:0",
      alertmanager_webhook_url: "65534:65534",
      // The owner role's password: the database image's init script reads it as postgres (uid 999).
      database_password: `${POSTGRES_UID}:${POSTGRES_UID}`,
      // The backup scheduler and the restore shell run as postgres (uid 999 in the database image).
      pgbackrest_cipher_pass: `${POSTGRES_UID}:${POSTGRES_UID}`,
      backup_s3_key: `${POSTGRES_UID}:${POSTGRES_UID}`,
      backup_s3_key_secret: `${POSTGRES_UID}:${POSTGRES_UID}`,
    });
    expect(READERS["app+prometheus"].mode).toBe(0o640);
  });

  it("never overwrites an existing file", () => {
    const dir = freshDir();
    generateSecrets(dir, asUser);
    writeFileSync(path.join(dir, "session_secret.txt"), "kept-because-it-exists-0000000000000\n");
    const outcome = generateSecrets(dir, asUser);
    expect(contentOf(dir, "session_secret")).toBe("kept-because-it-exists-0000000000000");
    expect(new Set(Object.values(outcome))).toEqual(new Set(["kept"]));
  });

  it("puts the generated passwords into the connection URLs: the app's is the owner role's, not the superuser's", () => {
    const dir = freshDir();
    generateSecrets(dir, asUser);
    expect(contentOf(dir, "database_url")).toBe(
      `postgres://${DATABASE_OWNER}:${contentOf(dir, "database_password")}@postgres:5432/slipway`,
    );
    expect(contentOf(dir, "database_password")).not.toBe(contentOf(dir, "postgres_password"));
    expect(contentOf(dir, "redis_url")).toBe(`redis://:${contentOf(dir, "redis_password")}@redis:6379`);
  });

  it("recreates a missing password from the existing URL instead of a new one", () => {
    const dir = freshDir();
    generateSecrets(dir, asUser);
    const url = contentOf(dir, "database_url");
    rmSync(path.join(dir, "database_password.txt"));
    generateSecrets(dir, asUser);
    expect(url).toContain(`:${contentOf(dir, "database_password")}@`);
  });

  it("generates values the app accepts and leaves provider keys empty", () => {
    const dir = freshDir();
    generateSecrets(dir, asUser);
    expect(contentOf(dir, "session_secret").length).toBeGreaterThanOrEqual(32);
    expect(contentOf(dir, "metrics_token").length).toBeGreaterThanOrEqual(16);
    expect(contentOf(dir, "clerk_secret_key")).toBe("");
    expect(contentOf(dir, "clerk_webhook_secret")).toBe("");
    expect(contentOf(dir, "alertmanager_webhook_url")).toBe("");
    expect(contentOf(dir, "grafana_admin_password").length).toBeGreaterThanOrEqual(32);
  });

  it("generates the backup repository's passphrase and leaves the off-site bucket's keys empty", () => {
    const dir = freshDir();
    generateSecrets(dir, asUser);
    expect(contentOf(dir, "pgbackrest_cipher_pass")).toMatch(/^[0-9a-f]{64}$/);
    expect(contentOf(dir, "backup_s3_key")).toBe("");
    expect(contentOf(dir, "backup_s3_key_secret")).toBe("");
  });
});

// The generator exists for the compose stack: it lives and goes with compose.production.yaml
// (docs/guides/remove-what-you-do-not-need.md).
const files = loadDeployFiles();

/** Secrets named in compose, the generator and secrets/README.md agree. */
function secretsDocumentationRules({ compose }: DeployFiles, readme: string): string[] {
  const problems: string[] = [];
  const composeSecrets = Object.keys(compose.merged.secrets ?? {});
  const generated = SECRETS.map((secret) => secret.name);
  for (const secret of composeSecrets) {
    if (!readme.includes(`\`${secret}.txt\``)) problems.push(`secrets/README.md does not describe ${secret}.txt`);
    if (!generated.includes(secret)) problems.push(`npm run secrets:generate does not create ${secret}.txt`);
  }
  for (const secret of generated) {
    if (!composeSecrets.includes(secret))
      problems.push(`secrets:generate creates ${secret}.txt, which compose never mounts`);
  }
  return problems;
}

describe.skipIf(absent(files, "compose"))("the secrets compose mounts", () => {
  const readme = read("secrets/README.md");

  it("are all generated and documented", () => {
    expect(secretsDocumentationRules(files, readme)).toEqual([]);
  });

  it("fails when secrets/README.md forgets a secret", () => {
    expect(secretsDocumentationRules(files, readme.replaceAll("`metrics_token.txt`", ""))).toContain(
      "secrets/README.md does not describe metrics_token.txt",
    );
  });

  it("fails when compose mounts a secret nobody documents or generates", () => {
    const broken = copyOf(files);
    broken.compose.merged.secrets.smtp_password = { file: "./secrets/smtp_password.txt" };
    expect(secretsDocumentationRules(broken, readme)).toEqual([
      "secrets/README.md does not describe smtp_password.txt",
      "npm run secrets:generate does not create smtp_password.txt",
    ]);
  });
});
