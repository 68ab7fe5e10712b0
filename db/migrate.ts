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
 *
 * A migration's table lock waits at most MIGRATION_LOCK_TIMEOUT_MS (default 5000; 0 = forever):
 * while an `ALTER TABLE` waits behind a long transaction, every query of the serving release on
 * that table queues behind the ALTER, so an unbounded wait is an outage. The run then rolls back,
 * waits as long again and retries, up to MIGRATION_LOCK_ATTEMPTS times (default 5).
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

/** How long the pending migrations may wait for a table lock, and how often they are tried. */
export interface LockPolicy {
  /** lock_timeout of the migration transaction, in ms (0: wait forever). */
  timeoutMs: number;
  attempts: number;
}

export const DEFAULT_LOCK_POLICY: LockPolicy = { timeoutMs: 5_000, attempts: 5 };

/**
 * A whole-number setting of a db/ command: `raw` (a variable or flag; empty means unset) or
 * `fallback`. Throws naming the setting when it is not a whole number from min to max.
 */
export function wholeNumberSetting(
  name: string,
  raw: string | undefined,
  fallback: number,
  { min, max }: { min: number; max: number },
): number {
  const given = raw?.trim() || String(fallback);
  const value = Number(given);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, not "${given}".`);
  }
  return value;
}

/** MIGRATION_LOCK_TIMEOUT_MS and MIGRATION_LOCK_ATTEMPTS; throws naming the variable when invalid. */
export function lockPolicyFrom(env: Record<string, string | undefined>): LockPolicy {
  return {
    timeoutMs: wholeNumberSetting(
      "MIGRATION_LOCK_TIMEOUT_MS",
      env.MIGRATION_LOCK_TIMEOUT_MS,
      DEFAULT_LOCK_POLICY.timeoutMs,
      {
        min: 0,
        max: 600_000,
      },
    ),
    attempts: wholeNumberSetting("MIGRATION_LOCK_ATTEMPTS", env.MIGRATION_LOCK_ATTEMPTS, DEFAULT_LOCK_POLICY.attempts, {
      min: 1,
      max: 100,
    }),
  };
}

/** PostgreSQL's lock_not_available (lock_timeout expired), wherever drizzle wrapped it. */
function isLockTimeout(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if ((current as { code?: string }).code === "55P03") return true;
  }
  return false;
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
 * Applies pending migrations from `folder` under an advisory lock, each attempt bounded by
 * `lock.timeoutMs` of waiting for table locks. Uses one dedicated connection, so the lock and the
 * migrations share a session; closes it before returning. `log` hears about each retry.
 */
export async function runMigrations(
  url: string,
  folder = DEFAULT_MIGRATIONS_DIR,
  { lock = DEFAULT_LOCK_POLICY, log = () => {} }: { lock?: LockPolicy; log?: (line: string) => void } = {},
): Promise<MigrationResult> {
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
    // Runners queue on the advisory lock without a bound (one of them is migrating); only the
    // table locks the migrations take are bounded, so it is set after the advisory lock is held.
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await sql`select set_config('lock_timeout', ${`${lock.timeoutMs}ms`}, false)`;
      const before = await appliedCount(sql);
      for (let attempt = 1; ; attempt++) {
        try {
          await migrate(drizzle(sql), { migrationsFolder: folder });
          break;
        } catch (error) {
          if (!isLockTimeout(error)) throw error;
          const waited = `a migration waited more than ${lock.timeoutMs} ms for a table lock`;
          if (attempt >= lock.attempts) {
            throw new Error(
              `${waited}, ${attempt} time(s): a long transaction holds a table it changes ` +
                "(find it: docs/runbooks/latency.md#slow-queries-and-locks).",
              { cause: error },
            );
          }
          log(`${waited} (attempt ${attempt} of ${lock.attempts}), rolled back; retrying in ${lock.timeoutMs} ms.`);
          await new Promise((resolve) => setTimeout(resolve, lock.timeoutMs));
        }
      }
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
    const lock = lockPolicyFrom(process.env);
    const { applied, total } = await runMigrations(url, folder, {
      lock,
      log: (line) => console.log(`migrate: ${line}`),
    });
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
