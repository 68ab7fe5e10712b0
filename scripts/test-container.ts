/**
 * npm run test:container: builds the real Dockerfile and runs the image the way it declares itself.
 *
 *   1. builds the runner (default) target and the development target
 *   2. reads User, Cmd, Env, WorkingDir and Healthcheck from the image
 *   3. runs the image's migrator (the platforms' release command, MIGRATOR_COMMAND in
 *      scripts/deploy-files.mjs) against a fresh database, twice (the second run must be a no-op)
 *   4. starts the image's Cmd as the image's (non-root) user on a free port, waits for /health/live;
 *      with compose.production.yaml, migrator and server get the environment and /run/secrets files
 *      it gives them (without it, plain environment variables, as the platforms pass them), and
 *      /api/health must show the database (and Redis) reached through that configuration
 *   5. runs the image's own HEALTHCHECK command inside the container: must exit 0
 *   6. runs the Playwright smoke suite against it (BASE_URL)
 *   7. sends SIGTERM to the server process and expects a clean exit (graceful shutdown)
 *   8. prints the runner's size beside the base image's, writes bench/results/container.json
 *
 * Engine: `docker` when a Docker engine answers, else buildah (no daemon; chroot isolation shares
 * the host network, so the container reaches the test's PostgreSQL and Redis on 127.0.0.1).
 *
 * The base image with buildah: buildah pulls node:<major>-bookworm-slim like any image. A machine
 * that reaches no container registry (this project's CI machine) assembles a stand-in instead with
 * a tool that belongs to that machine, not to the project (../shared/tools/container-base-image
 * there). The script never looks outside the repository by itself: the tool is used only when
 * CONTAINER_BASE_IMAGE_TOOL names it (.ci/run does, when the machine has it).
 *
 * Environment:
 *   DATABASE_URL   a PostgreSQL server to create the fresh database on (default: embedded cluster)
 *   IMAGE          runner tag (default localhost/slipway:test); the dev target is tagged IMAGE-dev
 *   KEEP_IMAGES=0  remove the built images at the end (default: keep them, layers are reused)
 *   SKIP_SMOKE=1   skip the Playwright suite (CI=true never skips)
 *   CONTAINER_BASE_IMAGE_TOOL   see above (buildah only)
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncOptions } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { COMPOSE_FILES, exists, MIGRATOR_COMMAND, readCompose, type Json } from "./deploy-files.mjs";
import { freePort, startEmbeddedPostgres } from "./embedded-postgres";

const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);

const IMAGE = process.env.IMAGE || "localhost/slipway:test";
const DEV_IMAGE = process.env.DEV_IMAGE || `${IMAGE}-dev`;
const KEEP_IMAGES = process.env.KEEP_IMAGES !== "0";
const work = mkdtempSync(path.join(process.env.TMPDIR || tmpdir(), "slipway-container-"));
const serverLog = path.join(work, "server.log");
/** Every process this run starts in a container carries it, so cleanup finds them by /proc/PID/environ. */
const MARKER = `SLIPWAY_CONTAINER_TEST=${work}`;

class Failure extends Error {}

const log = (message: string) => console.log(`\n\x1b[1m[test:container]\x1b[0m ${message}`);
const fail = (message: string): never => {
  throw new Failure(message);
};

/** Runs a program to completion; its output is returned (`capture`) or shown. Throws on a non-zero exit. */
function run(command: string, args: string[], options: SpawnSyncOptions & { capture?: boolean } = {}): string {
  const { capture, ...spawnOptions } = options;
  const result = spawnSync(command, args, {
    stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit",
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    ...spawnOptions,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Failure(`${command} ${args.slice(0, 3).join(" ")}… exited with ${result.status ?? result.signal}`);
  }
  return typeof result.stdout === "string" ? result.stdout.trim() : "";
}

const succeeds = (command: string, args: string[]) => {
  try {
    return spawnSync(command, args, { stdio: "ignore", timeout: 20_000 }).status === 0;
  } catch {
    return false;
  }
};

const tail = (file: string, lines: number) =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(-lines).join("\n") : "";

// ---- the container engine -------------------------------------------------------------------------

/** What the image declares about itself (Docker's image config). */
interface ImageConfig {
  User?: string;
  WorkingDir?: string;
  Cmd?: string[] | null;
  Env?: string[];
  Healthcheck?: { Test?: string[] } | null;
}

/** --env KEY=VALUE and --volume HOST:CONTAINER:ro pairs, the same for `docker run` and `buildah run`. */
type RunOptions = string[];

interface RunningServer {
  /** Resolves with the server's exit code once it has stopped. */
  exited: Promise<number | null>;
  /** The server's uid as the kernel sees it. */
  uid(): string;
  /** Runs a command in the server's container, with `options`. */
  exec(options: RunOptions, command: string[]): void;
  /** SIGTERM to the server process; resolves with its exit code. */
  stop(): Promise<number | null>;
  /** Kills whatever is left (cleanup). */
  kill(): void;
}

interface Engine {
  name: "docker" | "buildah";
  prepareBase(baseImage: string): void;
  build(args: string[], logFile: string): void;
  config(image: string): ImageConfig;
  /** A one-off process in a container of IMAGE, as the image's user, on the host network. */
  runOnce(options: RunOptions, command: string[]): string;
  startServer(options: RunOptions, command: string[]): RunningServer;
  rootfsBytes(image: string): number;
  removeImages(images: string[]): void;
  cleanup(): void;
}

function docker(): Engine {
  const containers: string[] = [];
  return {
    name: "docker",
    prepareBase: () => {},
    build: (args, logFile) =>
      run("docker", ["build", ...args, "."], {
        env: { ...process.env, DOCKER_BUILDKIT: "1" },
        stdio: ["ignore", openSync(logFile, "w"), openSync(logFile, "a")],
      }),
    config: (image) =>
      (JSON.parse(run("docker", ["image", "inspect", image], { capture: true })) as { Config: ImageConfig }[])[0]!
        .Config,
    runOnce: (options, command) =>
      run("docker", ["run", "--rm", "--network", "host", ...options, IMAGE, ...command], { capture: true }),
    startServer: (options, command) => {
      const id = run("docker", ["run", "-d", "--network", "host", ...options, IMAGE, ...command], { capture: true });
      containers.push(id);
      const logs = spawn("docker", ["logs", "-f", id], {
        stdio: ["ignore", openSync(serverLog, "w"), openSync(serverLog, "a")],
      });
      const exited = new Promise<number | null>((resolve) =>
        logs.once("exit", () =>
          resolve(Number(run("docker", ["inspect", "-f", "{{.State.ExitCode}}", id], { capture: true }))),
        ),
      );
      return {
        exited,
        uid: () => run("docker", ["exec", id, "id", "-u"], { capture: true }),
        exec: (execOptions, execCommand) => run("docker", ["exec", ...execOptions, id, ...execCommand]),
        stop: async () => {
          run("docker", ["stop", "-t", "30", id], { capture: true });
          return exited;
        },
        kill: () => void spawnSync("docker", ["rm", "-f", id], { stdio: "ignore" }),
      };
    },
    rootfsBytes: (image) => Number(run("docker", ["image", "inspect", "-f", "{{.Size}}", image], { capture: true })),
    removeImages: (images) => void spawnSync("docker", ["rmi", ...images], { stdio: "ignore" }),
    cleanup: () => {
      for (const id of containers) spawnSync("docker", ["rm", "-f", id], { stdio: "ignore" });
    },
  };
}

/** Parent → children, from /proc (buildah's `run` forks the container's process below itself). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      // /proc/PID/stat: "pid (comm) state ppid …"; comm may contain spaces and parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const child of children.get(parent) ?? []) {
      found.push(child);
      visit(child);
    }
  };
  visit(pid);
  return found;
}

/** Kills every process carrying MARKER (processes in buildah containers outlive `buildah run`). */
function killMarked(): void {
  for (const entry of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${entry}/environ`, "utf8").split("\0").includes(MARKER)) {
        process.kill(Number(entry), "SIGKILL");
      }
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
}

function buildah(): Engine {
  // The stand-in base image (see the header) lives in vfs storage; keep every buildah call there.
  const env = { ...process.env, STORAGE_DRIVER: process.env.STORAGE_DRIVER || "vfs" };
  const containers: string[] = [];
  const from = (image: string) => {
    const id = run("buildah", ["from", "--pull=never", image], { capture: true, env });
    containers.push(id);
    return id;
  };
  let execContainer: string | undefined;
  let localBase: string | undefined;
  return {
    name: "buildah",
    prepareBase: (baseImage) => {
      localBase = baseImage;
      const images = run("buildah", ["images", "--format", "{{.Name}}:{{.Tag}}"], { capture: true, env }).split("\n");
      if (images.includes(baseImage)) return;
      log(`pulling ${baseImage}…`);
      if (spawnSync("buildah", ["pull", baseImage], { stdio: "inherit", env }).status !== 0) {
        fail(
          `${baseImage} is neither in buildah's storage (${env.STORAGE_DRIVER}) nor pullable. On a machine without ` +
            "registry access, set CONTAINER_BASE_IMAGE_TOOL to a tool that assembles it (see the header of this script).",
        );
      }
    },
    build: (args, logFile) =>
      // No registry here: the pinned digest cannot be pulled, so the first FROM (the base stage)
      // takes the local image of the same tag (`--from`).
      run(
        "buildah",
        [
          "bud",
          "--layers",
          "--isolation",
          "chroot",
          "--pull=never",
          "--format",
          "docker",
          ...(localBase ? ["--from", localBase] : []),
          ...args,
          ".",
        ],
        {
          env,
          stdio: ["ignore", openSync(logFile, "w"), openSync(logFile, "a")],
        },
      ),
    config: (image) =>
      (
        JSON.parse(run("buildah", ["inspect", "--type", "image", image], { capture: true, env })) as {
          Docker: { config: ImageConfig };
        }
      ).Docker.config,
    runOnce: (options, command) => {
      execContainer ??= from(IMAGE);
      return run("buildah", ["run", "--isolation", "chroot", ...options, execContainer, "--", ...command], {
        capture: true,
        env,
      });
    },
    startServer: (options, command) => {
      const id = from(IMAGE);
      const out = openSync(serverLog, "w");
      // A process group of its own: a signal to `buildah run` never reaches the server; the server
      // itself is signalled (see uid/stop).
      const child: ChildProcess = spawn("buildah", ["run", "--isolation", "chroot", ...options, id, "--", ...command], {
        env,
        detached: true,
        stdio: ["ignore", out, out],
      });
      closeSync(out);
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      const nodePid = () => {
        // Next renames the process (next-server), so match the executable, not the name.
        const pid = descendants(child.pid!).find((candidate) => {
          try {
            return readlinkSync(`/proc/${candidate}/exe`).endsWith("/bin/node");
          } catch {
            return false;
          }
        });
        return pid ?? fail("cannot find the server's node process");
      };
      return {
        exited,
        uid: () =>
          /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${nodePid()}/status`, "utf8"))?.[1] ??
          fail("no Uid in /proc status"),
        // The same container as the server (buildah runs a second process in it; network is the host's).
        exec: (execOptions, execCommand) =>
          run("buildah", ["run", "--isolation", "chroot", ...execOptions, id, "--", ...execCommand], { env }),
        stop: async () => {
          process.kill(nodePid(), "SIGTERM");
          return exited;
        },
        kill: () => {
          killMarked();
          if (child.exitCode === null) child.kill("SIGKILL");
        },
      };
    },
    rootfsBytes: (image) => {
      const id = from(image);
      const mount = run("buildah", ["mount", id], { capture: true, env });
      const bytes = Number(run("du", ["-sb", mount], { capture: true }).split("\t")[0]);
      run("buildah", ["umount", id], { capture: true, env });
      return bytes;
    },
    removeImages: (images) => void spawnSync("buildah", ["rmi", ...images], { stdio: "ignore", env }),
    cleanup: () => {
      killMarked();
      for (const id of containers) spawnSync("buildah", ["rm", id], { stdio: "ignore", env });
    },
  };
}

function chooseEngine(): Engine {
  if (succeeds("docker", ["info"])) return docker();
  const tool = process.env.CONTAINER_BASE_IMAGE_TOOL;
  if (tool) {
    // Installs buildah when missing, then assembles the base image (a no-op when it exists).
    if (!existsSync(tool)) fail(`CONTAINER_BASE_IMAGE_TOOL=${tool} does not exist`);
    log(`preparing the base image with ${tool} (CONTAINER_BASE_IMAGE_TOOL)…`);
    run(tool, [nodeMajor()]);
  }
  if (succeeds("buildah", ["--version"])) return buildah();
  return fail("neither a Docker engine (docker info) nor buildah is available");
}

// ---- what the test runs against: a fresh database, Redis, the production wiring -------------------

/** The major version of the Dockerfile's base stage, `FROM node:<major>-bookworm-slim@sha256:<digest> AS base`. */
function nodeMajor(): string {
  return (
    /^FROM node:(\d+)-bookworm-slim@sha256:[0-9a-f]{64} AS base$/m.exec(readFileSync("Dockerfile", "utf8"))?.[1] ??
    fail("the Dockerfile's base stage is not FROM node:<major>-bookworm-slim@sha256:<digest> AS base")
  );
}

/** A new database on DATABASE_URL's server, or a throwaway embedded cluster; reachable on 127.0.0.1. */
async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = process.env.DATABASE_URL;
  if (!server) {
    // Not under `work` (0700, root's): as root the cluster runs as the postgres user.
    const cluster = await startEmbeddedPostgres({
      dataDir: path.join(tmpdir(), `slipway-container-pg-${randomBytes(6).toString("hex")}`),
      persistent: false,
    });
    return { url: cluster.url, drop: cluster.stop };
  }
  const name = `slipway_container_${randomBytes(4).toString("hex")}`;
  const admin = postgres(server, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

async function startRedisIfInstalled(): Promise<{ url: string; stop: () => void } | undefined> {
  if (!succeeds("redis-server", ["--version"])) return undefined;
  const port = await freePort();
  const out = openSync(path.join(work, "redis.log"), "w");
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: ["ignore", out, out],
    },
  );
  closeSync(out);
  return { url: `redis://127.0.0.1:${port}`, stop: () => void child.kill("SIGTERM") };
}

/**
 * The options the production configuration gives the migrator and the app. With
 * compose.production.yaml: each service's environment and its secrets as files made by
 * secrets:generate, pointed at this test's database and Redis, bind-mounted read-only at
 * /run/secrets/NAME and read through the *_FILE variables. Without it: plain variables.
 */
async function productionWiring(databaseUrl: string, redisUrl: string | undefined) {
  if (!exists(COMPOSE_FILES.production)) {
    log(`no ${COMPOSE_FILES.production}: the container gets plain environment variables, as the platforms pass them`);
    const common = ["--env", `DATABASE_URL=${databaseUrl}`];
    return {
      migrate: common,
      app: [
        ...common,
        ...(redisUrl ? ["--env", `REDIS_URL=${redisUrl}`] : []),
        "--env",
        `SESSION_SECRET=${randomBytes(32).toString("hex")}`,
      ],
      source: "environment variables",
    };
  }
  const secretsDir = path.join(work, "secrets");
  // As root it hands the app's files to uid 1000, mode 0600, as on a production host. Loaded by
  // path: the generator belongs to the compose stack and is deleted with it.
  const { generateSecrets } = (await import(path.join(import.meta.dirname, "generate-secrets.mjs"))) as {
    generateSecrets: (dir: string) => void;
  };
  generateSecrets(secretsDir);
  writeFileSync(path.join(secretsDir, "database_url.txt"), `${databaseUrl}\n`);
  writeFileSync(path.join(secretsDir, "redis_url.txt"), redisUrl ? `${redisUrl}\n` : ""); // empty file = no Redis
  const uid = process.getuid?.();
  if (uid !== 0 && uid !== 1000) {
    // Not root: cannot hand the files to the image's user; let it read this throwaway copy.
    for (const file of readdirSync(secretsDir)) chmodSync(path.join(secretsDir, file), 0o644);
  }
  const { merged } = readCompose();
  const optionsOf = (name: string): RunOptions => {
    const service: Json = merged.services[name];
    const options: string[] = [];
    for (const [key, value] of Object.entries(service.environment ?? {}))
      options.push("--env", `${key}=${value ?? ""}`);
    for (const entry of service.secrets ?? []) {
      const source: string = typeof entry === "string" ? entry : entry.source;
      const target: string = typeof entry === "string" || !entry.target ? source : entry.target;
      const file = path.join(secretsDir, path.basename(merged.secrets[source].file));
      options.push("--volume", `${file}:${target.startsWith("/") ? target : `/run/secrets/${target}`}:ro`);
    }
    return options;
  };
  return {
    migrate: optionsOf("migrate"),
    app: optionsOf("app"),
    source: `${COMPOSE_FILES.production} (secrets as files)`,
  };
}

async function waitForLive(url: string, server: RunningServer): Promise<number> {
  const started = Date.now();
  let exited = false;
  void server.exited.then(() => (exited = true));
  for (;;) {
    try {
      const response = await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return Math.round((Date.now() - started) / 1000);
    } catch {
      // not listening yet
    }
    if (exited) fail("the server exited before answering /health/live");
    if (Date.now() - started > 90_000) fail(`no answer from ${url}/health/live within 90 s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

// ---- the run ----------------------------------------------------------------------------------------

const cleanups: (() => unknown)[] = [];

async function main(): Promise<void> {
  const engine = chooseEngine();
  cleanups.push(() => engine.cleanup());
  if (!KEEP_IMAGES) cleanups.push(() => engine.removeImages([IMAGE, DEV_IMAGE]));

  // 1. build
  const baseImage = `docker.io/library/node:${nodeMajor()}-bookworm-slim`;
  const commit = spawnSync("git", ["rev-parse", "HEAD"], { encoding: "utf8" }).stdout?.trim() || "unknown";
  const version = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;
  const buildArgs = ["--build-arg", `COMMIT_SHA=${commit}`, "--build-arg", `APP_VERSION=${version}`];
  engine.prepareBase(baseImage);

  const buildSeconds: Record<string, number> = {};
  for (const [label, image, extra] of [
    ["runner", IMAGE, []],
    ["development", DEV_IMAGE, ["--target", "development"]],
  ] as const) {
    log(`building the ${label} image ${image} with ${engine.name}…`);
    const started = Date.now();
    const buildLog = path.join(work, `build-${label}.log`);
    try {
      engine.build([...buildArgs, ...extra, "-t", image], buildLog);
    } catch (error) {
      console.error(tail(buildLog, 60));
      throw new Failure(`${label} build failed (${(error as Error).message})`);
    }
    buildSeconds[label] = Math.round((Date.now() - started) / 1000);
    log(`${label} built in ${buildSeconds[label]}s`);
  }

  // 2. what the image declares
  const config = engine.config(IMAGE);
  const user = config.User ?? "";
  const cmd = config.Cmd ?? fail("the image declares no Cmd");
  const healthcheck =
    config.Healthcheck?.Test ?? fail("the image declares no HEALTHCHECK (build with --format docker?)");
  log(`image declares User=${user} WorkingDir=${config.WorkingDir ?? ""} Cmd=${JSON.stringify(cmd)}`);
  log(`Healthcheck=${JSON.stringify(healthcheck)}`);
  const userName = user.split(":")[0] ?? "";
  if (!userName || userName === "root" || userName === "0") fail(`the image runs as root (User=${user})`);
  for (const expected of ["NODE_ENV=production", "HOSTNAME=0.0.0.0", "NEXT_MANUAL_SIG_HANDLE=true"]) {
    if (!config.Env?.includes(expected)) fail(`image Env lacks ${expected}`);
  }
  // Healthcheck.Test is ["CMD", ...] (exec form) or ["CMD-SHELL", "..."].
  const [form, ...healthArgs] = healthcheck;
  const healthCommand =
    form === "CMD"
      ? healthArgs
      : form === "CMD-SHELL"
        ? ["/bin/sh", "-c", healthArgs[0]!]
        : fail(`unsupported Healthcheck.Test ${form}`);
  const migrateCommand = MIGRATOR_COMMAND.split(" ");

  // 3. a fresh database, then the image's migrator
  log(`starting a fresh PostgreSQL database${process.env.DATABASE_URL ? " on the given DATABASE_URL server" : ""}…`);
  const database = await freshDatabase();
  cleanups.push(() => database.drop());
  const redis = await startRedisIfInstalled();
  if (redis) cleanups.push(() => redis.stop());
  const port = await freePort();
  const wiring = await productionWiring(database.url, redis?.url);
  const marker = ["--env", MARKER];
  const appOptions = [
    ...wiring.app,
    ...marker,
    "--env",
    `PORT=${port}`,
    // The image listens on 0.0.0.0, its own interfaces; here the container shares the host's network,
    // so loopback is the same reach.
    "--env",
    "HOSTNAME=127.0.0.1",
    "--env",
    "AUTH_MODE=local",
    "--env",
    `APP_URL=http://127.0.0.1:${port}`,
  ];
  log(
    `production wiring from ${wiring.source}: ${appOptions.filter((option) => option.endsWith(":ro")).length} secret files for the app`,
  );

  log(`migrating the fresh database with the image's release command: ${MIGRATOR_COMMAND}`);
  console.log(engine.runOnce([...wiring.migrate, ...marker], migrateCommand));
  log("running the migrator again: it must be a no-op on a current schema");
  console.log(engine.runOnce([...wiring.migrate, ...marker], migrateCommand));

  // 4. the server, as the image declares it
  log(`starting ${cmd.join(" ")} as the image's user on 127.0.0.1:${port}…`);
  const server = engine.startServer(appOptions, cmd);
  let stopped = false;
  cleanups.push(() => stopped || server.kill());
  const baseUrl = `http://127.0.0.1:${port}`;
  const liveAfter = await waitForLive(baseUrl, server);
  log(`server live after ${liveAfter}s: ${await (await fetch(`${baseUrl}/health/live`)).text()}`);

  const serverUid = server.uid();
  const expectedUid = /^\d+$/.test(userName) ? userName : engine.runOnce(marker, ["id", "-u"]);
  if (serverUid !== expectedUid || serverUid === "0")
    fail(`the server runs as uid ${serverUid}, the image declares ${user}`);
  log(`the server runs as uid ${serverUid} (image User=${user})`);

  // The configuration reached the app: the database answers, and Redis when given.
  const healthText = await (await fetch(`${baseUrl}/api/health`)).text();
  log(`/api/health: ${healthText}`);
  const health = JSON.parse(healthText) as { checks?: Record<string, { status?: string }> };
  if (health.checks?.database?.status !== "up") fail(`the database check is not up (${wiring.source})`);
  if (redis && health.checks?.redis?.status !== "up") fail(`the Redis check is not up (${wiring.source})`);
  if (!(await fetch(`${baseUrl}/health/ready`)).ok) fail("/health/ready is not 200");

  // 5. the image's own HEALTHCHECK
  log("running the image's HEALTHCHECK inside the container…");
  try {
    server.exec([...marker, "--env", `PORT=${port}`], healthCommand);
  } catch (error) {
    fail(`the image's HEALTHCHECK failed: ${(error as Error).message}`);
  }
  log("HEALTHCHECK exited 0");

  // 6. smoke suite
  if (process.env.SKIP_SMOKE === "1" && process.env.CI !== "true") {
    log("SKIP_SMOKE=1: smoke suite skipped");
  } else {
    log(`running the smoke suite against ${baseUrl}…`);
    try {
      run("npx", ["--no-install", "playwright", "test"], { env: { ...process.env, BASE_URL: baseUrl } });
    } catch {
      fail("the smoke suite failed against the container");
    }
  }

  // 7. graceful shutdown
  log("sending SIGTERM to the server…");
  const stopStarted = Date.now();
  const exitCode = await server.stop();
  stopped = true;
  log(`server exited with ${exitCode} after ${Math.round((Date.now() - stopStarted) / 1000)}s`);
  if (exitCode !== 0) fail(`expected exit code 0 after SIGTERM (graceful shutdown), got ${exitCode}`);

  // 8. sizes
  const runnerBytes = engine.rootfsBytes(IMAGE);
  const baseBytes = engine.rootfsBytes(baseImage);
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  log(
    `image sizes: runner ${mb(runnerBytes)} MB, base ${baseImage} ${mb(baseBytes)} MB (app layers +${mb(runnerBytes - baseBytes)} MB)`,
  );
  mkdirSync("bench/results", { recursive: true });
  const result = {
    date: new Date().toISOString(),
    engine: engine.name,
    commit,
    runner: { image: IMAGE, bytes: runnerBytes },
    base: { image: baseImage, bytes: baseBytes },
    appLayersBytes: runnerBytes - baseBytes,
    buildSeconds,
  };
  writeFileSync("bench/results/container.json", `${JSON.stringify(result, null, 2)}\n`);
  log("wrote bench/results/container.json");
  log(`PASSED: built, migrated, served as uid ${serverUid}, HEALTHCHECK ok, smoke ok, clean shutdown`);
}

async function cleanup(failed: boolean): Promise<void> {
  for (const step of cleanups.reverse()) {
    try {
      await step();
    } catch (error) {
      console.error("[test:container] cleanup:", error instanceof Error ? error.message : error);
    }
  }
  if (failed && existsSync(serverLog) && readFileSync(serverLog, "utf8").trim()) {
    console.error(`\n[test:container] last server output:\n${tail(serverLog, 40)}`);
  }
  rmSync(work, { recursive: true, force: true });
}

for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const) {
  process.once(signal, () => void cleanup(true).finally(() => process.exit(code)));
}

main().then(
  async () => {
    await cleanup(false);
    process.exit(0);
  },
  async (error: unknown) => {
    console.error(`\n\x1b[31m[test:container] FAILED:\x1b[0m ${error instanceof Error ? error.message : error}`);
    if (!(error instanceof Failure) && error instanceof Error) console.error(error.stack);
    await cleanup(true);
    process.exit(1);
  },
);
