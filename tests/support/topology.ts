/**
 * The multi-process test harness: the shape of a production deployment, on 127.0.0.1.
 *
 *   - a real PostgreSQL (embedded, persistent: `postgres.stop()` / `postgres.start()` keep the data and the port)
 *   - a real Redis (redis-server, restartable on the same port; in-memory only)
 *   - N production standalone instances of a release (tests/support/releases.ts), started exactly as the
 *     image starts them (tests/support/standalone-server.ts), each on its own free port, named, added at
 *     runtime, stopped with SIGTERM (graceful drain) or SIGKILL
 *   - Caddy in front, configured from ops/caddy/Caddyfile (tests/support/balancer.ts): `route(names)`
 *     switches the upstream set the way production does (rewrite the upstream file, `caddy reload`)
 *   - optionally Prometheus (or anything that watches the instances): the `prometheus` hook is started
 *     last and told when instances come and go
 *   - background workers (`node worker.mjs` of a release, the instances' environment), added and
 *     stopped like instances: `addWorker("w1")`, `stopWorker("w1", "SIGKILL")`
 *
 *   const topology = await startTopology({ instances: ["a", "b"] });
 *   const cookie = await topology.cookieFor(tenant.adminId, tenant.tenantId);   // local-mode session
 *   await fetch(`${topology.url}/api/v1/projects`, { headers: { cookie } });     // through Caddy
 *   await topology.addInstance("c", { release: nextRelease() });
 *   await topology.route(["c"]);
 *   await topology.stopInstance("a", "SIGKILL");
 *   await topology.stop();                                                       // also in afterAll
 *
 * Every process is started by this module and stopped by PID in stop(), which is safe to call after
 * a failed start or a failed test. Load: tests/support/load.ts.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from "../../scripts/embedded-postgres";
import { createLocalSessionToken, LOCAL_SESSION_COOKIE } from "@/lib/auth/providers/local/session-token";
import { startBalancer, type Balancer } from "./balancer";
import { startRedis, type RedisHandle } from "./redis";
import { currentRelease, type Release } from "./releases";
import { startStandaloneServer, type StandaloneServer } from "./standalone-server";

export interface Instance {
  name: string;
  release: Release;
  url: string;
  /** 127.0.0.1:PORT, as the balancer dials it. */
  hostPort: string;
  server: StandaloneServer;
}

/** Something attached to the topology (Prometheus): started last, stopped first. */
export interface AttachedService {
  stop: () => Promise<void>;
  /** Called after an instance was added or stopped. */
  instancesChanged?: () => Promise<void>;
}

export interface TopologyOptions {
  /** Instances of `release` to start and route to (default ["a"]). */
  instances?: string[];
  /** Default release for instances (default: release N, the project's build). */
  release?: Release;
  /** Start Redis and give every instance REDIS_URL (default true). */
  redis?: boolean;
  /** Extra environment for every instance. */
  env?: Record<string, string | undefined>;
  prometheus?: (topology: Topology) => Promise<AttachedService>;
}

export interface Topology {
  /** The balancer: http://127.0.0.1:PORT. */
  url: string;
  balancer: Balancer;
  databaseUrl: string;
  redisUrl: string | undefined;
  /** Bearer token every instance accepts on /api/metrics. */
  metricsToken: string;
  instances: Map<string, Instance>;
  /** A signed local-mode session cookie every instance accepts. */
  cookieFor: (userId: string, tenantId?: string) => Promise<string>;
  /** Superuser connection to the database (test data; bypasses row-level security). */
  sql: postgres.Sql;
  /** Starts an instance (not routed). Waits for /health/ready 200 unless waitForReady is false. */
  addInstance: (
    name: string,
    options?: { release?: Release; env?: Record<string, string | undefined>; waitForReady?: boolean },
  ) => Promise<Instance>;
  /** SIGTERM (drain, the default) or SIGKILL; resolves with the exit code. The balancer is not told. */
  stopInstance: (name: string, signal?: NodeJS.Signals) => Promise<number | null>;
  /** Makes exactly these instances the balancer's upstream set (graceful reload). */
  route: (names: string[]) => Promise<void>;
  /** Background workers by name (node worker.mjs), with the instances' environment. */
  workers: Map<string, Instance>;
  /** Starts a worker; waits for its /health/ready 200 unless waitForReady is false. */
  addWorker: (
    name: string,
    options?: { release?: Release; env?: Record<string, string | undefined>; waitForReady?: boolean },
  ) => Promise<Instance>;
  /** SIGTERM (drain, the default) or SIGKILL; resolves with the exit code. */
  stopWorker: (name: string, signal?: NodeJS.Signals) => Promise<number | null>;
  /** Runs a release's migrator against the database, as the release step does. */
  migrate: (release: Release) => Promise<{ output: string; durationMs: number }>;
  postgres: { stop: () => Promise<void>; start: () => Promise<void> };
  redis: { stop: () => Promise<void>; start: () => Promise<void> };
  stop: () => Promise<void>;
}

/** Instance defaults: a short drain (still several balancer health intervals) keeps tests quick. */
const INSTANCE_ENV = {
  NODE_ENV: "production",
  LOG_LEVEL: "warn",
  SHUTDOWN_DRAIN_SECONDS: "3",
  SHUTDOWN_TIMEOUT_SECONDS: "5",
  // Behind Caddy, which appends the client's address to X-Forwarded-For.
  TRUSTED_PROXY_HOPS: "1",
  // The constant loads are one user from one address: limits far above what a test sends, unless
  // a test sets its own (the rate-limit tests do).
  RATE_LIMIT_API_WRITE: "1000000/60",
  RATE_LIMIT_API_READ: "1000000/60",
  RATE_LIMIT_API_TENANT: "1000000/60",
  RATE_LIMIT_API_ANONYMOUS: "1000000/60",
  RATE_LIMIT_SERVER_ACTION: "1000000/60",
  RATE_LIMIT_SIGN_IN: "1000000/60",
  RATE_LIMIT_PAGE_POST: "1000000/60",
  // Caddy forwards the whole load as one client: its in-flight share is the instance's, not a person's;
  // the load's signed-in caller may use all of it.
  MAX_IN_FLIGHT_PER_CLIENT: "100",
  MAX_CONCURRENT_PER_CALLER: "100",
};

export async function startTopology(options: TopologyOptions = {}): Promise<Topology> {
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  };
  try {
    return await assemble(options, cleanups, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function assemble(
  options: TopologyOptions,
  cleanups: (() => Promise<void>)[],
  stopAll: () => Promise<void>,
): Promise<Topology> {
  const defaultRelease = options.release ?? currentRelease();

  // PostgreSQL: persistent so that a restart keeps the data; the directory goes in stop().
  const dataDir = path.join(tmpdir(), `slipway-topology-pg-${randomBytes(6).toString("hex")}`);
  let cluster: EmbeddedPostgresHandle | undefined = await startEmbeddedPostgres({ dataDir, persistent: true });
  const port = cluster.port;
  cleanups.push(async () => {
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const databaseUrl = cluster.url;
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  cleanups.push(() => sql.end({ timeout: 2 }));

  let redis: RedisHandle | undefined;
  if (options.redis ?? true) {
    redis = await startRedis();
    cleanups.push(() => redis?.stop() ?? Promise.resolve());
  }
  const redisPort = redis?.port;

  const sessionSecret = randomBytes(32).toString("hex");
  const metricsToken = randomBytes(24).toString("hex");
  const instances = new Map<string, Instance>();
  let attached: AttachedService | undefined;

  const migrate: Topology["migrate"] = (release) =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const child = spawn(process.execPath, [release.migrator, "--migrations", release.migrationsDir], {
        env: { PATH: process.env.PATH ?? "", DATABASE_URL: databaseUrl } as Record<string, string> as NodeJS.ProcessEnv,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.on("error", reject);
      child.on("exit", (code) =>
        code === 0
          ? resolve({ output: output.trim(), durationMs: Math.round(performance.now() - started) })
          : reject(new Error(`migrator exited ${code}: ${output}`)),
      );
    });

  const workers = new Map<string, Instance>();
  const startProcess = async (
    role: "server" | "worker",
    release: Release,
    env: Record<string, string | undefined> | undefined,
  ) => {
    const server = await startStandaloneServer({
      dir: release.dir,
      role,
      env: {
        ...INSTANCE_ENV,
        DATABASE_URL: databaseUrl,
        REDIS_URL: redis?.url,
        SESSION_SECRET: sessionSecret,
        METRICS_TOKEN: metricsToken,
        COMMIT_SHA: release.id,
        ...options.env,
        ...env,
      },
    });
    cleanups.push(async () => {
      if (server.process.exitCode === null && server.process.signalCode === null) await server.stop("SIGKILL");
    });
    return server;
  };

  const addWorker: Topology["addWorker"] = async (name, workerOptions = {}) => {
    if (workers.has(name)) throw new Error(`worker ${name} already runs`);
    const release = workerOptions.release ?? defaultRelease;
    const server = await startProcess("worker", release, workerOptions.env);
    const worker: Instance = { name, release, url: server.url, hostPort: `127.0.0.1:${server.port}`, server };
    workers.set(name, worker);
    if (workerOptions.waitForReady ?? true) await waitForReady(worker);
    return worker;
  };

  const stopWorker: Topology["stopWorker"] = async (name, signal = "SIGTERM") => {
    const worker = workers.get(name);
    if (!worker) throw new Error(`no worker ${name}`);
    const code = await worker.server.stop(signal);
    workers.delete(name);
    return code;
  };

  const addInstance: Topology["addInstance"] = async (name, instanceOptions = {}) => {
    if (instances.has(name)) throw new Error(`instance ${name} already runs`);
    const release = instanceOptions.release ?? defaultRelease;
    const server = await startProcess("server", release, instanceOptions.env);
    const instance: Instance = { name, release, url: server.url, hostPort: `127.0.0.1:${server.port}`, server };
    instances.set(name, instance);
    if (instanceOptions.waitForReady ?? true) await waitForReady(instance);
    await attached?.instancesChanged?.();
    return instance;
  };

  const stopInstance: Topology["stopInstance"] = async (name, signal = "SIGTERM") => {
    const instance = instances.get(name);
    if (!instance) throw new Error(`no instance ${name}`);
    const code = await instance.server.stop(signal);
    instances.delete(name);
    await attached?.instancesChanged?.();
    return code;
  };

  await migrate(defaultRelease);
  const initial = options.instances ?? ["a"];
  for (const name of initial) await addInstance(name);
  const balancer = await startBalancer(initial.map((name) => instances.get(name)!.hostPort));
  cleanups.push(() => balancer.stop());

  const topology: Topology = {
    url: balancer.url,
    balancer,
    databaseUrl,
    redisUrl: redis?.url,
    metricsToken,
    instances,
    sql,
    cookieFor: async (userId, tenantId) =>
      `${LOCAL_SESSION_COOKIE}=${await createLocalSessionToken({ userId, tenantId }, sessionSecret)}`,
    addInstance,
    stopInstance,
    workers,
    addWorker,
    stopWorker,
    route: async (names) => {
      const hostPorts = names.map((name) => {
        const instance = instances.get(name);
        if (!instance) throw new Error(`no instance ${name}`);
        return instance.hostPort;
      });
      await balancer.setUpstreams(hostPorts);
    },
    migrate,
    postgres: {
      stop: async () => {
        await cluster?.stop();
        cluster = undefined;
      },
      start: async () => {
        if (!cluster) cluster = await startEmbeddedPostgres({ dataDir, port, persistent: true });
      },
    },
    redis: {
      stop: async () => {
        await redis?.stop();
      },
      start: async () => {
        if (redisPort === undefined) throw new Error("this topology has no Redis");
        redis = await startRedis(redisPort);
      },
    },
    stop: stopAll,
  };

  if (options.prometheus) {
    attached = await options.prometheus(topology);
    cleanups.push(() => attached!.stop());
  }
  return topology;
}

async function waitForReady(instance: Instance, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (instance.server.process.exitCode !== null) break;
    try {
      const response = await fetch(`${instance.url}/health/ready`, { signal: AbortSignal.timeout(2000) });
      last = `${response.status} ${await response.text()}`;
      if (response.status === 200) return;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`instance ${instance.name} not ready: ${last}\n${instance.server.logs.slice(-20).join("\n")}`);
}
