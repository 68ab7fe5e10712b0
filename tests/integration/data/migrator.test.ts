import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ensureBundledMigrator } from "../../support/migrator";
import { startPostgres } from "../../support/postgres";
import { adminSql, createEmptyDatabase } from "../../support/tenants";

const root = path.resolve(import.meta.dirname, "../../..");
const journal = JSON.parse(readFileSync(path.join(root, "db/migrations/meta/_journal.json"), "utf8")) as {
  entries: { tag: string }[];
};

interface Run {
  code: number | null;
  output: string;
}

/** `node migrate.mjs` from a copy outside the project tree: only Node, no node_modules. */
function startMigrator(
  dir: string,
  env: Record<string, string>,
  args: string[] = [],
): { output: () => string; done: Promise<Run> } {
  const child = spawn(process.execPath, ["migrate.mjs", ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return {
    output: () => output,
    done: new Promise((resolve) => child.on("exit", (code) => resolve({ code, output }))),
  };
}

const runMigrator = (dir: string, env: Record<string, string>, args: string[] = []) =>
  startMigrator(dir, env, args).done;

describe("the bundled migrator (dist/db/migrate.mjs)", () => {
  const databaseUrl = inject("databaseUrl");
  const admin = adminSql(databaseUrl);
  const drops: (() => Promise<void>)[] = [];
  let dir: string;

  async function emptyDatabase(): Promise<string> {
    const database = await createEmptyDatabase(admin, databaseUrl);
    drops.push(database.drop);
    return database.url;
  }

  async function appliedMigrations(url: string): Promise<{ hash: string }[]> {
    const sql = adminSql(url);
    try {
      return await sql<{ hash: string }[]>`select hash from drizzle.__drizzle_migrations order by id`;
    } finally {
      await sql.end();
    }
  }

  beforeAll(() => {
    ensureBundledMigrator();
    dir = mkdtempSync(path.join(tmpdir(), "slipway-migrator-"));
    cpSync(path.join(root, "dist/db/migrate.mjs"), path.join(dir, "migrate.mjs"));
    cpSync(path.join(root, "db/migrations"), path.join(dir, "migrations"), { recursive: true });
  });

  afterAll(async () => {
    for (const drop of drops) await drop();
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it("applies every migration exactly once when three start at once on an empty database", async () => {
    const url = await emptyDatabase();
    const runs = await Promise.all([1, 2, 3].map(() => runMigrator(dir, { DATABASE_URL: url })));

    for (const run of runs) expect(run.code, run.output).toBe(0);
    const applied = await appliedMigrations(url);
    expect(applied).toHaveLength(journal.entries.length);
    expect(new Set(applied.map((row) => row.hash)).size).toBe(journal.entries.length);
    // One runner did the work; the others waited for the lock and found nothing to do.
    expect(runs.filter((run) => run.output.includes(`applied ${journal.entries.length} of`))).toHaveLength(1);
    expect(runs.filter((run) => run.output.includes("is up to date"))).toHaveLength(2);
  });

  it("is a no-op when run again", async () => {
    const url = await emptyDatabase();
    expect((await runMigrator(dir, { DATABASE_URL: url })).code).toBe(0);
    const again = await runMigrator(dir, { DATABASE_URL: url });
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain("is up to date");
    expect(await appliedMigrations(url)).toHaveLength(journal.entries.length);
  });

  it("migrates several databases of a fresh cluster at once (the cluster-wide role is created once)", async () => {
    const cluster = await startPostgres();
    const clusterAdmin = adminSql(cluster.url);
    try {
      const urls = await Promise.all(
        [1, 2, 3].map(() => createEmptyDatabase(clusterAdmin, cluster.url).then((d) => d.url)),
      );
      const runs = await Promise.all(urls.map((url) => runMigrator(dir, { DATABASE_URL: url })));
      for (const run of runs) expect(run.code, run.output).toBe(0);
      const roles = await clusterAdmin`select count(*)::int as n from pg_roles where rolname = 'slipway_app'`;
      expect(roles[0]!.n).toBe(1);
    } finally {
      await clusterAdmin.end();
      await cluster.stop();
    }
  });

  it("reads the URL from DATABASE_URL_FILE", async () => {
    const url = await emptyDatabase();
    const file = path.join(dir, "database-url");
    writeFileSync(file, `${url}\n`);
    const run = await runMigrator(dir, { DATABASE_URL_FILE: file });
    expect(run.code, run.output).toBe(0);
    expect(await appliedMigrations(url)).toHaveLength(journal.entries.length);
  });

  it("exits non-zero with a clear message when no database is configured", async () => {
    const run = await runMigrator(dir, {});
    expect(run.code).toBe(1);
    expect(run.output).toContain("DATABASE_URL (or DATABASE_URL_FILE) is required");
  });

  it("exits non-zero without printing credentials when the database is unreachable", async () => {
    const run = await runMigrator(dir, { DATABASE_URL: "postgres://someone:hunter2secret@127.0.0.1:1/nowhere" });
    expect(run.code).toBe(1);
    expect(run.output).toContain("migrate: FAILED for 127.0.0.1:1/nowhere");
    expect(run.output).not.toContain("hunter2secret");
  });

  /** A copy of the migrations with one more, `tag`, made of `statements`; removed in afterAll. */
  function migrationsWith(tag: string, statements: string): string {
    const folder = mkdtempSync(path.join(tmpdir(), `slipway-migrations-${tag}-`));
    drops.push(async () => rmSync(folder, { recursive: true, force: true }));
    cpSync(path.join(dir, "migrations"), folder, { recursive: true });
    const journalPath = path.join(folder, "meta/_journal.json");
    const extended = JSON.parse(readFileSync(journalPath, "utf8"));
    extended.entries.push({ idx: 99, version: "7", when: Date.now() + 1000, tag, breakpoints: true });
    writeFileSync(journalPath, JSON.stringify(extended));
    writeFileSync(path.join(folder, `${tag}.sql`), statements);
    return folder;
  }

  it("exits non-zero and commits nothing when a migration fails", async () => {
    const url = await emptyDatabase();
    const broken = migrationsWith(
      "9999_broken",
      "CREATE TABLE broken_ok (id int);\n--> statement-breakpoint\nSELECT * FROM no_such_table;",
    );

    const run = await runMigrator(dir, { DATABASE_URL: url }, ["--migrations", broken]);
    expect(run.code).toBe(1);
    expect(run.output).toContain("migrate: FAILED");
    expect(run.output).toContain("no_such_table");
    const sql = adminSql(url);
    try {
      const [row] = await sql`select to_regclass('public.broken_ok') as t, to_regclass('public.projects') as p`;
      expect(row).toEqual({ t: null, p: null });
    } finally {
      await sql.end();
    }
  });

  describe("a migration waiting for a table lock held by a long transaction", () => {
    const addColumn = () => migrationsWith("9999_add_note", 'ALTER TABLE "projects" ADD COLUMN "note" text;');

    /** A session that read projects and sits in its open transaction (ACCESS SHARE on projects). */
    async function holdProjects(url: string): Promise<{ release: () => Promise<void> }> {
      const holder = adminSql(url);
      const reserved = await holder.reserve();
      await reserved`begin`;
      await reserved`select count(*) from projects`;
      return {
        release: async () => {
          await reserved`commit`;
          reserved.release();
          await holder.end();
        },
      };
    }

    async function hasNoteColumn(url: string): Promise<boolean> {
      const sql = adminSql(url);
      try {
        const rows =
          await sql`select 1 from information_schema.columns where table_name = 'projects' and column_name = 'note'`;
        return rows.length === 1;
      } finally {
        await sql.end();
      }
    }

    /** Resolves once the migrator's session waits for a lock. */
    async function migratorWaitsForLock(url: string): Promise<void> {
      const sql = adminSql(url);
      try {
        for (let tries = 0; tries < 200; tries++) {
          const rows = await sql`select 1 from pg_stat_activity
            where application_name = 'slipway-migrate' and wait_event_type = 'Lock'`;
          if (rows.length > 0) return;
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        throw new Error("the migrator never waited for a lock");
      } finally {
        await sql.end();
      }
    }

    it("gives up after MIGRATION_LOCK_ATTEMPTS, commits nothing, and the app's queries are not stuck behind it", async () => {
      const url = await emptyDatabase();
      expect((await runMigrator(dir, { DATABASE_URL: url })).code).toBe(0);
      const folder = addColumn();
      const holder = await holdProjects(url);
      try {
        const running = runMigrator(
          dir,
          { DATABASE_URL: url, MIGRATION_LOCK_TIMEOUT_MS: "500", MIGRATION_LOCK_ATTEMPTS: "2" },
          ["--migrations", folder],
        );
        await migratorWaitsForLock(url);
        // A read the serving release makes now queues behind the ALTER's lock request; the lock
        // timeout ends that request, so the read is answered. Without it, the read waits as long as
        // the holder's transaction (here: forever) and this statement timeout fails the test.
        const reader = adminSql(url);
        try {
          await reader.begin(async (sql) => {
            await sql`set local statement_timeout = '5s'`;
            await sql`select count(*) from projects`;
          });
        } finally {
          await reader.end();
        }
        const run = await running;
        expect(run.code, run.output).toBe(1);
        expect(run.output).toContain(
          "waited more than 500 ms for a table lock (attempt 1 of 2), rolled back; retrying",
        );
        expect(run.output).toContain("migrate: FAILED");
        expect(run.output).toContain("waited more than 500 ms for a table lock, 2 time(s)");
        expect(run.output).toContain("docs/runbooks/latency.md#slow-queries-and-locks");
      } finally {
        await holder.release();
      }
      expect(await hasNoteColumn(url)).toBe(false);
      expect(await appliedMigrations(url)).toHaveLength(journal.entries.length);
    });

    it("applies the migration on a later attempt once the long transaction ends", async () => {
      const url = await emptyDatabase();
      expect((await runMigrator(dir, { DATABASE_URL: url })).code).toBe(0);
      const folder = addColumn();
      const holder = await holdProjects(url);
      const migrator = startMigrator(
        dir,
        { DATABASE_URL: url, MIGRATION_LOCK_TIMEOUT_MS: "300", MIGRATION_LOCK_ATTEMPTS: "20" },
        ["--migrations", folder],
      );
      for (let tries = 0; !migrator.output().includes("(attempt 1 of 20)") && tries < 200; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      await holder.release();
      const run = await migrator.done;
      expect(run.code, run.output).toBe(0);
      expect(run.output).toContain("(attempt 1 of 20), rolled back; retrying");
      expect(run.output).toContain(`applied 1 of ${journal.entries.length + 1} migrations`);
      expect(await hasNoteColumn(url)).toBe(true);
    });

    it("refuses an invalid lock setting by name before connecting", async () => {
      const run = await runMigrator(dir, {
        DATABASE_URL: "postgres://127.0.0.1:1/nowhere",
        MIGRATION_LOCK_ATTEMPTS: "0",
      });
      expect(run.code).toBe(1);
      expect(run.output).toContain('MIGRATION_LOCK_ATTEMPTS must be a whole number from 1 to 100, not "0"');
    });
  });
});
