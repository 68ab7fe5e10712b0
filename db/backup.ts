/**
 * `npm run db:backup -- DIR [--retention-days N]`: a logical backup of the database at DATABASE_URL
 * (or DATABASE_URL_FILE) into DIR/<database>-<UTC timestamp>.dump (pg_dump custom format) with its
 * manifest, then removes this database's dumps in DIR older than the retention (default 30 days,
 * or BACKUP_RETENTION_DAYS). Exits 0, or 1 with a message; credentials are never printed.
 * See docs/runbooks/backups.md.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { backupDatabase } from "./logical-backup";
import { databaseUrlFrom, describeDatabase, wholeNumberSetting } from "./migrate";

const DEFAULT_RETENTION_DAYS = 30;

export function retentionDaysFrom(flag: string | undefined, env: Record<string, string | undefined>): number {
  return wholeNumberSetting(
    "the retention in days (--retention-days, BACKUP_RETENTION_DAYS)",
    flag ?? env.BACKUP_RETENTION_DAYS,
    DEFAULT_RETENTION_DAYS,
    {
      min: 1,
      max: 3650,
    },
  );
}

async function main(): Promise<void> {
  let target = "(unknown database)";
  try {
    const { positionals, values } = parseArgs({
      allowPositionals: true,
      options: { "retention-days": { type: "string" } },
    });
    if (positionals.length !== 1) throw new Error("usage: npm run db:backup -- DIR [--retention-days N]");
    const retentionDays = retentionDaysFrom(values["retention-days"], process.env);
    const url = databaseUrlFrom(process.env);
    target = describeDatabase(url);
    const result = await backupDatabase(url, path.resolve(positionals[0]!), { retentionDays });
    console.log(
      `backup: ${target} -> ${result.file} (${(result.bytes / 1024 / 1024).toFixed(1)} MB, ${result.tables} tables, ` +
        `${(result.durationMs / 1000).toFixed(1)} s)`,
    );
    console.log(
      result.pruned.length
        ? `backup: removed ${result.pruned.length} dumps older than ${retentionDays} days: ${result.pruned.join(", ")}`
        : `backup: no dump older than ${retentionDays} days to remove`,
    );
  } catch (error) {
    console.error(`backup: FAILED for ${target}: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
