#!/usr/bin/env node
/**
 * `npm run secrets:generate [-- --dir DIR]`: creates every missing secret file that
 * compose.production.yaml mounts (default: ./secrets), with mode 0600 in a 0700 directory.
 * Never overwrites an existing file, so it is safe to rerun after adding a secret.
 *
 * Values are random hex (URL-safe, so they can sit inside DATABASE_URL/REDIS_URL). The two URLs are
 * derived from the passwords (or the passwords from existing URLs), so the pair always agrees.
 * Keys issued by a third party (Clerk) are created empty: paste them in; an empty file means "unset".
 * See secrets/README.md for each secret and how to rotate it.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The image's app user (Dockerfile `USER 1000:1000`): it must be able to read the app's secrets. */
export const APP_UID = 1000;
/** The postgres user of the database image (db/postgres/Dockerfile, from the official postgres image). */
export const POSTGRES_UID = 999;

const hex = (bytes) => randomBytes(bytes).toString("hex");

/** The role the app and the migrator connect as (db/postgres/app-owner-role.sh creates it). */
export const DATABASE_OWNER = "slipway";

/** uid of `nobody` in the prom/prometheus and prom/alertmanager images (and its group, nogroup). */
const NOBODY = 65534;

/**
 * Who reads a file inside its container, as the owner (and group, for a second reader) it needs on
 * this host: compose bind-mounts secret files with their host owner and mode. The postgres and
 * redis images read theirs as root before dropping privileges, so root-owned files are fine there.
 */
export const READERS = {
  app: { uid: APP_UID, gid: APP_UID, mode: 0o600 },
  // The metrics token: the app (owner) and Prometheus, which runs as nobody:nogroup (group read).
  "app+prometheus": { uid: APP_UID, gid: NOBODY, mode: 0o640 },
  grafana: { uid: 472, gid: 0, mode: 0o600 },
  alertmanager: { uid: NOBODY, gid: NOBODY, mode: 0o600 },
  postgres: { mode: 0o600 },
  // The database image's init script (db/postgres/app-owner-role.sh) runs as its postgres user.
  "database-init": { uid: POSTGRES_UID, gid: POSTGRES_UID, mode: 0o600 },
  redis: { mode: 0o600 },
  // The backup scheduler and the restore shell run as postgres; the postgres service reads them as root.
  backup: { uid: POSTGRES_UID, gid: POSTGRES_UID, mode: 0o600 },
};

/** Every secret, in the order they are created; `readBy` is a key of READERS. */
export const SECRETS = [
  // The superuser's (`postgres`: initialisation, backups, restores), never the app's.
  { name: "postgres_password", readBy: "postgres", generate: () => hex(24) },
  // The app's and the migrator's role `slipway`: owns the database, no superuser, no BYPASSRLS.
  { name: "database_password", readBy: "database-init", generate: () => hex(24) },
  {
    name: "database_url",
    readBy: "app",
    generate: (values) => `postgres://${DATABASE_OWNER}:${values.database_password}@postgres:5432/slipway`,
  },
  { name: "redis_password", readBy: "redis", generate: () => hex(24) },
  { name: "redis_url", readBy: "app", generate: (values) => `redis://:${values.redis_password}@redis:6379` },
  { name: "session_secret", readBy: "app", generate: () => hex(32) },
  { name: "metrics_token", readBy: "app+prometheus", generate: () => hex(32) },
  { name: "clerk_secret_key", readBy: "app", external: true, generate: () => "" },
  { name: "clerk_webhook_secret", readBy: "app", external: true, generate: () => "" },
  { name: "smtp_url", readBy: "app", external: true, generate: () => "" },
  // The compose `monitoring` profile.
  { name: "grafana_admin_password", readBy: "grafana", generate: () => hex(24) },
  { name: "alertmanager_webhook_url", readBy: "alertmanager", external: true, generate: () => "" },
  // Backups: the pgBackRest repository's passphrase, the optional off-site bucket's keys.
  { name: "pgbackrest_cipher_pass", readBy: "backup", generate: () => hex(32) },
  { name: "backup_s3_key", readBy: "backup", external: true, generate: () => "" },
  { name: "backup_s3_key_secret", readBy: "backup", external: true, generate: () => "" },
];

const passwordInUrl = (url) => {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
};

/** Creates the missing files in `dir`; returns what it did per secret ("created" | "kept"). */
export function generateSecrets(dir, { log = () => {}, uid = process.getuid?.(), chown = chownSync } = {}) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const fileOf = (name) => path.join(dir, `${name}.txt`);
  const existing = Object.fromEntries(
    SECRETS.filter(({ name }) => existsSync(fileOf(name))).map(({ name }) => [
      name,
      readFileSync(fileOf(name), "utf8").trim(),
    ]),
  );
  // A password created earlier (or by hand) wins over a fresh one, so URL and password agree.
  const values = { ...existing };
  // An existing database_url holds the owner's password (before the owner role existed it was the
  // superuser's, see docs/deployment.md "Database roles"): keep the pair agreeing.
  values.database_password ??= passwordInUrl(existing.database_url);
  values.redis_password ??= passwordInUrl(existing.redis_url);

  const outcome = {};
  for (const secret of SECRETS) {
    const file = fileOf(secret.name);
    if (existsSync(file)) {
      outcome[secret.name] = "kept";
      log(`kept     ${path.relative(process.cwd(), file)} (exists, not overwritten)`);
      continue;
    }
    values[secret.name] ??= secret.generate(values);
    const reader = READERS[secret.readBy];
    writeFileSync(file, values[secret.name] ? `${values[secret.name]}\n` : "", { mode: reader.mode, flag: "wx" });
    chmodSync(file, reader.mode);
    // As root (sudo on a VM), hand each file to the user its container reads it as: compose mounts
    // files as they are on the host.
    if (uid === 0 && reader.uid !== undefined) chown(file, reader.uid, reader.gid);
    outcome[secret.name] = "created";
    log(
      `created  ${path.relative(process.cwd(), file)}${secret.external ? " (empty: paste the value from the provider, or leave empty if unused)" : ""}`,
    );
  }
  if (uid !== undefined && uid !== 0) {
    const commands = Object.entries(READERS)
      .filter(([, reader]) => reader.uid !== undefined && !(reader.uid === uid && reader.gid === uid))
      .map(([name, reader]) => {
        const files = SECRETS.filter((s) => s.readBy === name).map((s) => path.relative(process.cwd(), fileOf(s.name)));
        return files.length ? `  sudo chown ${reader.uid}:${reader.gid} ${files.join(" ")}` : "";
      })
      .filter(Boolean);
    if (commands.length) {
      log(
        `\nNote: you are uid ${uid}; the containers read their secret files as they are on this host, as their\n` +
          `own users (app ${APP_UID}, Prometheus and Alertmanager ${NOBODY}, Grafana 472, backups and the database owner's password ${POSTGRES_UID}). Give them access:\n` +
          commands.join("\n"),
      );
    }
  }
  return outcome;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dirFlag = process.argv.indexOf("--dir");
  const dir =
    dirFlag > -1 && process.argv[dirFlag + 1]
      ? path.resolve(process.argv[dirFlag + 1])
      : path.resolve(import.meta.dirname, "..", "secrets");
  generateSecrets(dir, { log: (line) => console.log(line) });
}
