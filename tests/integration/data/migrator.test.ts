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
function runMigrator(dir: string, env: Record<string, string>, args: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["migrate.mjs", ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

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

  it("exits non-zero and commits nothing when a migration fails", async () => {
    const url = await emptyDatabase();
    const broken = mkdtempSync(path.join(tmpdir(), "slipway-migrations-broken-"));
    try {
      cpSync(path.join(dir, "migrations"), broken, { recursive: true });
      const journalPath = path.join(broken, "meta/_journal.json");
      const brokenJournal = JSON.parse(readFileSync(journalPath, "utf8"));
      brokenJournal.entries.push({
        idx: 99,
        version: "7",
        when: Date.now() + 1000,
        tag: "9999_broken",
        breakpoints: true,
      });
      writeFileSync(journalPath, JSON.stringify(brokenJournal));
      writeFileSync(
        path.join(broken, "9999_broken.sql"),
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
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});
