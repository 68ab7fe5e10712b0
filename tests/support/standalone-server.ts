import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../../scripts/embedded-postgres";
// @ts-expect-error plain ESM script without types
import { prepareStandalone } from "../../scripts/prepare-standalone.mjs";
import { serverCoverageEnv } from "./server-coverage";

export { ensureProductionBuild } from "../../scripts/production-build";

/** Copies the standalone server outside the project tree, as the Dockerfile lays it out. */
export function prepareStandaloneCopy(): string {
  return prepareStandalone(path.join(tmpdir(), `slipway-standalone-${randomBytes(4).toString("hex")}`));
}

export interface StandaloneServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** Every line the server printed (stdout and stderr). */
  logs: string[];
  /** Sends a signal (default SIGTERM) and resolves with the exit code once the process has exited. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  exited: Promise<number | null>;
}

export interface StartOptions {
  /** Directory holding server.js (from prepareStandaloneCopy or the integration global setup). */
  dir: string;
  env?: Record<string, string | undefined>;
  /** Path polled until it answers (any HTTP status). */
  readyPath?: string;
  timeoutMs?: number;
  /** Run as this uid/gid (the test runner must be root), as the image runs as uid 1000. */
  user?: { uid: number; gid: number };
  /** "worker": `node worker.mjs` on WORKER_PORT (the free port) instead of the web server. */
  role?: "server" | "worker";
}

/**
 * Starts `node server.js` (or, with role "worker", `node worker.mjs`) exactly as the container
 * does and waits until it answers HTTP.
 */
export async function startStandaloneServer(options: StartOptions): Promise<StandaloneServer> {
  const port = await freePort();
  const worker = options.role === "worker";
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    NODE_ENV: "production",
    [worker ? "WORKER_PORT" : "PORT"]: String(port),
    HOSTNAME: "127.0.0.1",
    NEXT_MANUAL_SIG_HANDLE: "true",
    NEXT_TELEMETRY_DISABLED: "1",
    AUTH_MODE: "local",
    SESSION_SECRET: randomBytes(32).toString("hex"),
    LOG_LEVEL: "info",
    // Set only while coverage is measured (npm run test:coverage).
    ...serverCoverageEnv(),
  };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const child = spawn(process.execPath, [worker ? "worker.mjs" : "server.js"], {
    cwd: options.dir,
    env: env as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
    ...(options.user ?? {}),
  });
  const logs: string[] = [];
  const collect = (chunk: Buffer) => logs.push(...chunk.toString().split("\n").filter(Boolean));
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const url = `http://${env.HOSTNAME === "0.0.0.0" ? "127.0.0.1" : env.HOSTNAME}:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${logs.join("\n")}`);
    try {
      await fetch(url + (options.readyPath ?? "/health/live"), { signal: AbortSignal.timeout(2000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`server did not answer within the timeout:\n${logs.join("\n")}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  return {
    url,
    port,
    process: child,
    logs,
    exited,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
