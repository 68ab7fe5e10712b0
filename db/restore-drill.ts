/**
 * `npm run db:restore-drill -- DIR`: proves the newest dump in DIR restores. Restores it into a
 * scratch database created on the server at RESTORE_DRILL_URL (default: the DATABASE_URL server),
 * checks it against the dump's manifest (migration version, row counts, checksums, row-level
 * security), prints the recovery time and drops the scratch database. Exits 1 on any mismatch or
 * an unreadable dump. See docs/runbooks/backups.md ("Restore drills").
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { restoreDrill } from "./logical-backup";
import { databaseUrlFrom, describeDatabase } from "./migrate";

async function main(): Promise<void> {
  let target = "(unknown server)";
  try {
    const { positionals } = parseArgs({ allowPositionals: true, options: {} });
    if (positionals.length !== 1) throw new Error("usage: npm run db:restore-drill -- DIR");
    // The scratch database's server: RESTORE_DRILL_URL, else the DATABASE_URL server.
    const url = process.env.RESTORE_DRILL_URL?.trim() || databaseUrlFrom(process.env);
    target = describeDatabase(url);
    const result = await restoreDrill(path.resolve(positionals[0]!), url);
    const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(
      `restore-drill: ${path.basename(result.dump.file)} (taken ${result.dump.takenAt.toISOString()}) -> ${result.database} on ${target}`,
    );
    if (result.problems.length) {
      for (const problem of result.problems) console.error(`restore-drill: MISMATCH ${problem}`);
      console.error(
        `restore-drill: FAILED: the restored copy differs from the dump's manifest (${result.problems.length} problems).`,
      );
      process.exitCode = 1;
      return;
    }
    console.log(
      `restore-drill: OK: ${result.tables} tables match the manifest (rows, checksums, row-level security), ` +
        `${result.migrations.applied} migrations (latest ${result.migrations.latest ?? "none"})`,
    );
    console.log(
      `restore-drill: recovery time ${seconds(result.restoreMs + result.verifyMs)} (restore ${seconds(result.restoreMs)}, verify ${seconds(result.verifyMs)})`,
    );
  } catch (error) {
    console.error(`restore-drill: FAILED for ${target}: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
