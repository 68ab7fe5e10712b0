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
/** The postgres user of the database image (official postgres image): the backup containers run as it. */
export const POSTGRES_UID = 999;
/** Who must own the files a container reads as a non-root user. */
const OWNER_UID = { app: APP_UID, backup: POSTGRES_UID };

const hex = (bytes) => randomBytes(bytes).toString("hex");

/**
 * Every secret, in the order they are created. `readBy` says which container reads it: the app
 * runs as APP_UID, the postgres and redis images read theirs as root before dropping privileges,
 * the backup scheduler and the restore shell (`backup`) run as POSTGRES_UID.
 */
export const SECRETS = [
  { name: "postgres_password", readBy: "postgres", generate: () => hex(24) },
  {
    name: "database_url",
    readBy: "app",
    generate: (values) => `postgres://slipway:${values.postgres_password}@postgres:5432/slipway`,
  },
  { name: "redis_password", readBy: "redis", generate: () => hex(24) },
  { name: "redis_url", readBy: "app", generate: (values) => `redis://:${values.redis_password}@redis:6379` },
  { name: "session_secret", readBy: "app", generate: () => hex(32) },
  { name: "metrics_token", readBy: "app", generate: () => hex(32) },
  { name: "clerk_secret_key", readBy: "app", external: true, generate: () => "" },
  { name: "clerk_webhook_secret", readBy: "app", external: true, generate: () => "" },
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
export function generateSecrets(dir, { log = () => {}, uid = process.getuid?.() } = {}) {
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
  values.postgres_password ??= passwordInUrl(existing.database_url);
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
    writeFileSync(file, values[secret.name] ? `${values[secret.name]}\n` : "", { mode: 0o600, flag: "wx" });
    chmodSync(file, 0o600);
    // As root (sudo on a VM), hand each file to the user that reads it: compose mounts files as
    // they are on the host, so uid 1000 must own what the app reads, uid 999 the backup's.
    const owner = OWNER_UID[secret.readBy];
    if (uid === 0 && owner !== undefined) chownSync(file, owner, owner);
    outcome[secret.name] = "created";
    log(
      `created  ${path.relative(process.cwd(), file)}${secret.external ? " (empty: paste the value from the provider, or leave empty if unused)" : ""}`,
    );
  }
  if (uid !== undefined && uid !== 0 && uid !== APP_UID) {
    log(
      `\nNote: you are uid ${uid}, the app container runs as uid ${APP_UID} and reads its secret files as they are on\n` +
        `this host. Give it access: sudo chown ${APP_UID}:${APP_UID} ${SECRETS.filter((s) => s.readBy === "app")
          .map((s) => path.relative(process.cwd(), fileOf(s.name)))
          .join(" ")}`,
    );
  }
  if (uid !== undefined && uid !== 0 && uid !== POSTGRES_UID) {
    const backupFiles = SECRETS.filter((s) => s.readBy === "backup").map((s) =>
      path.relative(process.cwd(), fileOf(s.name)),
    );
    log(
      `The backup containers run as uid ${POSTGRES_UID}: sudo chown ${POSTGRES_UID}:${POSTGRES_UID} ${backupFiles.join(" ")}`,
    );
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
