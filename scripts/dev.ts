/**
 * `npm run dev`: the whole app on a fresh machine with nothing installed or configured.
 * With no DATABASE_URL, starts an embedded PostgreSQL (data in .data/postgres), then runs the
 * app's own server (src/server.ts) with Next in development mode, so the request pipeline is the
 * production one, with readable logs (pino JSON piped through pino-pretty).
 *   npm run dev -- --port 3001 --hostname 0.0.0.0
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
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
  const { values: listen } = parseArgs({
    options: { port: { type: "string", short: "p" }, hostname: { type: "string", short: "H" } },
  });
  env.PORT = listen.port ?? env.PORT ?? "3000";
  // All interfaces, as `next dev` does (the shell's own HOSTNAME is the machine's name, not an address).
  env.HOSTNAME = listen.hostname ?? "0.0.0.0";

  const next = spawn(process.execPath, ["--import", "tsx", path.join(root, "src", "server.ts"), "--dev"], {
    cwd: root,
    env: { ...env, TSX_TSCONFIG_PATH: path.join(root, "scripts", "tsconfig.dev-server.json") },
    stdio: ["inherit", "pipe", "inherit"],
  });
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
