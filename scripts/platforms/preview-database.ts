/**
 * A preview's own database: `slipway_pr_<n>` on the preview database server (PREVIEW_DATABASE_URL,
 * a role with CREATEDB that both CI and the platform reach), brought to the schema of the pull
 * request's commit and seeded with the demo data, then dropped with the preview. The migrator and
 * the seed are the project's own commands (`npm run db:migrate`, `npm run db:seed`).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import postgres from "postgres";
import { ConfigError, requireEnv, type Env } from "./config";
import { PlatformError } from "./http";
import type { Log } from "./target";

const checkout = path.resolve(import.meta.dirname, "../..");

export interface PreviewDatabase {
  name: string;
  /** The preview's connection string: the server's, with the preview's database. */
  url: string;
}

function previewDatabase(env: Env, pr: number): PreviewDatabase & { adminUrl: string } {
  const { PREVIEW_DATABASE_URL: adminUrl } = requireEnv(env, ["PREVIEW_DATABASE_URL"], "a preview's database");
  let url: URL;
  try {
    url = new URL(adminUrl);
  } catch {
    throw new ConfigError("PREVIEW_DATABASE_URL must be a postgres:// URL");
  }
  if (!["postgres:", "postgresql:"].includes(url.protocol))
    throw new ConfigError("PREVIEW_DATABASE_URL must be a postgres:// URL");
  const name = `slipway_pr_${pr}`;
  url.pathname = `/${name}`;
  return { name, url: url.toString(), adminUrl };
}

async function withServer<T>(adminUrl: string, run: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {}, connect_timeout: 30 });
  try {
    return await run(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function npmRun(script: string, databaseUrl: string, log: Log): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", script], {
      cwd: checkout,
      env: { ...process.env, DATABASE_URL: databaseUrl, DATABASE_URL_FILE: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const forward = (chunk: Buffer) =>
      chunk
        .toString()
        .split("\n")
        .filter(Boolean)
        .forEach((line) => log(`  ${line}`));
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new PlatformError(`npm run ${script} exited ${code}`)),
    );
  });
}

/** Creates the database when missing, migrates it and seeds the demo data (both idempotent). */
export async function preparePreviewDatabase(env: Env, pr: number, log: Log): Promise<PreviewDatabase> {
  const database = previewDatabase(env, pr);
  const created = await withServer(database.adminUrl, async (sql) => {
    const [existing] = await sql`SELECT 1 FROM pg_database WHERE datname = ${database.name}`;
    if (existing) return false;
    await sql.unsafe(`CREATE DATABASE "${database.name}"`);
    return true;
  });
  log(`preview database: ${database.name} ${created ? "created" : "exists"}`);
  await npmRun("db:migrate", database.url, log);
  await npmRun("db:seed", database.url, log);
  log(`preview database: ${database.name} migrated and seeded with the demo data`);
  return { name: database.name, url: database.url };
}

/** Drops the preview's database, ending its connections (PostgreSQL 13+). */
export async function dropPreviewDatabase(env: Env, pr: number, log: Log): Promise<void> {
  const database = previewDatabase(env, pr);
  await withServer(database.adminUrl, (sql) => sql.unsafe(`DROP DATABASE IF EXISTS "${database.name}" WITH (FORCE)`));
  log(`preview database: ${database.name} dropped`);
}
