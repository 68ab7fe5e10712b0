/**
 * `npm run dev`: the whole app on a fresh machine with nothing installed or configured.
 * With no DATABASE_URL, starts an embedded PostgreSQL (data in .data/postgres), then runs the
 * app's own server (src/server.ts) with Next in development mode, so the request pipeline is the
 * production one, and the background worker (src/worker.ts, health on WORKER_PORT 3001), with
 * readable logs (pino JSON piped through pino-pretty). Without SMTP_URL the worker prints emails,
 * invitation links included, to this log.
 *   npm run dev -- --port 3001 --hostname 0.0.0.0
 *   npm run worker      # the worker alone (another one beside `npm run dev`, or against DATABASE_URL)
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { connect } from "node:net";
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

/** Whether something listens on 127.0.0.1:port (the embedded cluster of a running `npm run dev`). */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const answer = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once("connect", () => answer(true)).once("error", () => answer(false));
    socket.setTimeout(1000, () => answer(false));
  });

async function main() {
  const env: NodeJS.ProcessEnv = { ...process.env };
  let embedded: EmbeddedPostgresHandle | undefined;
  const { values: options } = parseArgs({
    options: {
      port: { type: "string", short: "p" },
      hostname: { type: "string", short: "H" },
      "worker-only": { type: "boolean", default: false },
    },
  });
  const workerOnly = options["worker-only"];

  if (!env.DATABASE_URL && !env.DATABASE_URL_FILE && workerOnly && (await listening(EMBEDDED_PORT))) {
    // `npm run dev` runs the embedded cluster already: this worker joins it.
    env.DATABASE_URL = `postgres://postgres:postgres@127.0.0.1:${EMBEDDED_PORT}/slipway`;
  } else if (!env.DATABASE_URL && !env.DATABASE_URL_FILE) {
    console.log(`Starting embedded PostgreSQL on 127.0.0.1:${EMBEDDED_PORT} (data in .data/postgres)…`);
    embedded = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, "postgres"),
      port: EMBEDDED_PORT,
      persistent: true,
    });
    env.DATABASE_URL = embedded.url;
  }
  if (!env.SESSION_SECRET && !env.SESSION_SECRET_FILE) env.SESSION_SECRET = devSessionSecret();

  if (!workerOnly) await prepareDatabase(env);
  env.PORT = options.port ?? env.PORT ?? "3000";
  // All interfaces, as `next dev` does (the shell's own HOSTNAME is the machine's name, not an address).
  env.HOSTNAME = options.hostname ?? "0.0.0.0";

  const run = (entry: string, args: string[] = [], extra: Record<string, string> = {}) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "src", entry), ...args], {
      cwd: root,
      env: { ...env, ...extra, TSX_TSCONFIG_PATH: path.join(root, "scripts", "tsconfig.dev-server.json") },
      stdio: ["inherit", "pipe", "inherit"],
    });
    child.stdout!.pipe(
      pretty({ colorize: process.stdout.isTTY, translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname" }),
    );
    return child;
  };
  const children = workerOnly
    ? [run("worker.ts", [], { WORKER_PORT: env.WORKER_PORT ?? "3002" })]
    : [run("server.ts", ["--dev"]), run("worker.ts")];

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    const exited = children.map((child) =>
      child.exitCode === null ? new Promise((resolve) => child.once("exit", resolve)) : Promise.resolve(),
    );
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(exited);
    await embedded?.stop().catch(() => {});
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  for (const child of children) child.on("exit", (code) => void stop(code ?? 0));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
