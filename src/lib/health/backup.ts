import { readFile } from "node:fs/promises";

/**
 * The backup scheduler's last word (db/pgbackrest/slipway-backup writes it after every run; format
 * in docs/runbooks/backups.md): how old the newest successful backup is. Read from the file at
 * most once per health interval, like the other checks.
 */

/** Older than this and the backups are stale (a daily full plus differentials every 6 hours). */
const BACKUP_MAX_AGE_SECONDS = 26 * 3600;

export type BackupCheck =
  | { status: "not-configured" }
  | {
      /** ok: the last success is recent; stale: it is older than 26 h; unreadable: no valid status file. */
      status: "ok" | "stale" | "unreadable";
      lastSuccessAt: string | null;
      ageSeconds: number | null;
      lastAttemptOk: boolean | null;
    };

interface StatusFile {
  lastAttemptOk?: unknown;
  lastSuccessAt?: unknown;
}

/** Pure: the check from the file's text (undefined when it could not be read) at `now`. */
export function backupCheckFrom(text: string | undefined, now: number): BackupCheck {
  let parsed: StatusFile | undefined;
  try {
    parsed = text === undefined ? undefined : (JSON.parse(text) as StatusFile);
  } catch {
    parsed = undefined;
  }
  const lastSuccess = typeof parsed?.lastSuccessAt === "string" ? Date.parse(parsed.lastSuccessAt) : Number.NaN;
  if (!parsed || typeof parsed !== "object") {
    return { status: "unreadable", lastSuccessAt: null, ageSeconds: null, lastAttemptOk: null };
  }
  const lastAttemptOk = typeof parsed.lastAttemptOk === "boolean" ? parsed.lastAttemptOk : null;
  if (Number.isNaN(lastSuccess)) return { status: "stale", lastSuccessAt: null, ageSeconds: null, lastAttemptOk };
  const ageSeconds = Math.max(0, Math.floor((now - lastSuccess) / 1000));
  return {
    status: ageSeconds > BACKUP_MAX_AGE_SECONDS ? "stale" : "ok",
    lastSuccessAt: new Date(lastSuccess).toISOString(),
    ageSeconds,
    lastAttemptOk,
  };
}

export async function checkBackup(statusFile: string | undefined): Promise<BackupCheck> {
  if (!statusFile) return { status: "not-configured" };
  const text = await readFile(statusFile, "utf8").catch(() => undefined);
  return backupCheckFrom(text, Date.now());
}
