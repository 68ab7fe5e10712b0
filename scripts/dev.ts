/**
 * `npm run dev`: the whole app on a fresh machine with nothing installed or configured.
 * With no DATABASE_URL, starts an embedded PostgreSQL (data in .data/postgres), then runs
 * `next dev` with readable logs (pino JSON piped through pino-pretty).
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import nextEnv from "@next/env";
import pretty from "pino-pretty";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "./embedded-postgres";
import { prepareDatabase } from "./prepare-database";

const root = path.resolve(import.meta.dirname, "..");
const dataDir = path.join(root, ".data");
const EMBEDDED_PORT = Number(process.env.EMBEDDED_POSTGRES_PORT ?? 54329);

nextEnv.loadEnvConfig(root, true);

/** A per-checkout development session secret, so sessions survive restarts without configuration. */
function devSessionSecret(): string {
  const file = path.join(dataDir, "session-secret");
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  }
  return readFileSync(file, "utf8").trim();
}

async function main() {
  const env: NodeJS.ProcessEnv = { ...process.env };
  let embedded: EmbeddedPostgresHandle | undefined;

  if (!env.DATABASE_URL && !env.DATABASE_URL_FILE) {
    console.log(`Starting embedded PostgreSQL on 127.0.0.1:${EMBEDDED_PORT} (data in .data/postgres)…`);
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "postgres"),
      port: EMBEDDED_PORT,
      persistent: true,
    });
    env.DATABASE_URL = embedded.url;
  }
  if (!env.SESSION_SECRET && !env.SESSION_SECRET_FILE) env.SESSION_SECRET = devSessionSecret();

  await prepareDatabase(env);

  const next = spawn(
    process.execPath,
    [createRequire(import.meta.url).resolve("next/dist/bin/next"), "dev", ...process.argv.slice(2)],
    {
      cwd: root,
      env,
      stdio: ["inherit", "pipe", "inherit"],
    },
  );
  next.stdout.pipe(pretty({ colorize: process.stdout.isTTY, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname" }));

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    next.kill("SIGTERM");
    await embedded?.stop().catch(() => {});
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  next.on("exit", (code) => void stop(code ?? 0));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
