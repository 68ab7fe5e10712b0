/**
 * Applies db/migrations to the database: a release step, run before new code serves traffic,
 * never inside `next build` or at server start (ADR 0011).
 *
 *   npm run db:migrate                      # development (tsx)
 *   node db/migrate.mjs                     # production image (bundled, needs only Node)
 *   node db/migrate.mjs --migrations DIR    # another migrations folder (or MIGRATIONS_DIR)
 *
 * Reads DATABASE_URL or DATABASE_URL_FILE. Concurrent runners (several instances or release
 * machines at once) serialise on a PostgreSQL advisory lock, so each migration is applied exactly
 * once; running again when up to date is a no-op. Exits 0 on success, 1 with a message on failure.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { requireSecret } from "@/lib/env";

/** Arbitrary, fixed: every Slipway migrator in one database contends for this advisory lock. */
export const MIGRATION_LOCK_KEY = 4_242_001_337;

const here = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_MIGRATIONS_DIR = path.join(here, "migrations");

export interface MigrationResult {
  /** Migrations applied by this run (0 when the database was already up to date). */
  applied: number;
  total: number;
}

/** DATABASE_URL, or the content of DATABASE_URL_FILE: read exactly as the app reads it. */
export function databaseUrlFrom(env: Record<string, string | undefined>): string {
  return requireSecret("DATABASE_URL", env);
}

/** Host and database of a URL, never its credentials, for messages. */
export function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

/**
 * Applies pending migrations from `folder` under an advisory lock. Uses one dedicated connection,
 * so the lock and the migrations share a session; closes it before returning.
 */
export async function runMigrations(url: string, folder = DEFAULT_MIGRATIONS_DIR): Promise<MigrationResult> {
  const journal = JSON.parse(readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  const sql = postgres(url, {
    max: 1,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { application_name: "slipway-migrate" },
  });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      const before = await appliedCount(sql);
      await migrate(drizzle(sql), { migrationsFolder: folder });
      const after = await appliedCount(sql);
      return { applied: after - before, total: journal.entries.length };
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.catch(() => {});
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function appliedCount(sql: postgres.Sql): Promise<number> {
  const [table] = await sql<{ exists: boolean }[]>`
    select to_regclass('drizzle.__drizzle_migrations') is not null as exists`;
  if (!table?.exists) return 0;
  const [row] = await sql<{ count: number }[]>`select count(*)::int as count from drizzle.__drizzle_migrations`;
  return row?.count ?? 0;
}

function migrationsDirFrom(argv: readonly string[], env: Record<string, string | undefined>): string {
  const index = argv.indexOf("--migrations");
  if (index !== -1) {
    const value = argv[index + 1];
    if (!value) throw new Error("--migrations needs a directory.");
    return path.resolve(value);
  }
  return env.MIGRATIONS_DIR ? path.resolve(env.MIGRATIONS_DIR) : DEFAULT_MIGRATIONS_DIR;
}

async function main(): Promise<void> {
  let target = "(unknown database)";
  try {
    const url = databaseUrlFrom(process.env);
    target = describeDatabase(url);
    const folder = migrationsDirFrom(process.argv.slice(2), process.env);
    const { applied, total } = await runMigrations(url, folder);
    console.log(
      applied === 0
        ? `migrate: ${target} is up to date (${total} migrations).`
        : `migrate: applied ${applied} of ${total} migrations to ${target}.`,
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const cause = (error as { cause?: unknown }).cause;
    const detail = cause instanceof Error && cause.message !== message ? `\n  cause: ${cause.message}` : "";
    const note =
      target === "(unknown database)"
        ? ""
        : "\nPending migrations run in one transaction: nothing from this run was committed.";
    console.error(`migrate: FAILED for ${target}: ${message}${detail}${note}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
