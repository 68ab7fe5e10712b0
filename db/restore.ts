/**
 * `npm run db:restore -- FILE [--force]`: restores a db:backup dump (or any pg_dump custom-format
 * file) into the database at DATABASE_URL (or DATABASE_URL_FILE), in one transaction. Refuses a
 * database that already holds tables unless --force is given (the dump's objects then replace
 * theirs). On a fresh cluster it first creates the application role, as migration 0001 does.
 * Exits 0, or 1 with a message (nothing changed). See docs/runbooks/backups.md.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { restoreDatabase } from "./logical-backup";
import { databaseUrlFrom, describeDatabase } from "./migrate";

async function main(): Promise<void> {
  let target = "(unknown database)";
  try {
    const { positionals, values } = parseArgs({ allowPositionals: true, options: { force: { type: "boolean" } } });
    if (positionals.length !== 1) throw new Error("usage: npm run db:restore -- FILE [--force]");
    const url = databaseUrlFrom(process.env);
    target = describeDatabase(url);
    const file = path.resolve(positionals[0]!);
    const result = await restoreDatabase(url, file, { force: values.force ?? false });
    console.log(`restore: ${file} -> ${target}: ${result.tables} tables in ${(result.durationMs / 1000).toFixed(1)} s`);
  } catch (error) {
    console.error(`restore: FAILED for ${target}: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
