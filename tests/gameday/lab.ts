import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { apiWriteStep, healthStep, readStep, startLoad, type LoadFailure, type RunningLoad } from "../support/load";
import { startPrometheus, type PrometheusHandle } from "../support/prometheus";
import { runbookBlock, runRunbookBlock } from "../support/runbook";
import { startSmtpServer, type SmtpServerHandle } from "../support/smtp";
import { createTenant, type TenantFixture } from "../support/tenants";
import { startTopology, type Instance, type Topology } from "../support/topology";

/**
 * The game day's world: the shared multi-process harness (tests/support/topology.ts: PostgreSQL,
 * Redis, production instances, Caddy from ops/caddy/Caddyfile, a background worker mailing through
 * a real SMTP server), a real Prometheus scraping every instance and the worker with the
 * repository's rules (tests/support/prometheus.ts), one constant background
 * load through the balancer for the whole run (tests/support/load.ts), and what a host running
 * these services has for the runbooks: a PostgreSQL data directory whose configuration carries
 * its port, a Redis configuration file that daemonizes, and the instances' output in a log file.
 *
 * Processes the runbooks start (pg_ctl, redis-server, `node server.js`, `node worker.mjs`) are not children of this
 * process: the lab records their PIDs and stops them in stop(), before the harness, also after a
 * failure or Ctrl-C.
 */

/** Constant background load through the balancer (requests a second). */
export const LOAD_RATE = 20;

/**
 * Instances a and b serve the traffic with a short statement timeout (requests blocked by a lock
 * fail after 2 s instead of 10 s); p, outside the balancer, runs with a pool of 2 and a statement
 * timeout longer than the pool scenario, so that requests stuck behind a lock hold its pool.
 */
export const INSTANCE_ENV = {
  LOG_LEVEL: "info",
  DATABASE_STATEMENT_TIMEOUT_MS: "2000",
  // The worker scenario invites an address a second for minutes, above the default day's limit (50).
  INVITATIONS_PER_DAY: "1000",
};
export const SMALL_POOL_ENV = { DATABASE_POOL_MAX: "2", DATABASE_STATEMENT_TIMEOUT_MS: "300000" };
/**
 * The worker w (beside INSTANCE_ENV): it looks for jobs every half second and returns a dead
 * worker's timed-out jobs to the queue every 5 s (default 60 s), so the backlog drains within
 * seconds of a restart rather than a minute.
 */
export const WORKER_ENV = { JOBS_POLL_INTERVAL_SECONDS: "0.5", JOBS_MAINTENANCE_INTERVAL_SECONDS: "5" };

export interface RunbookRun {
  file: string;
  id: string;
  exitCode: number | null;
  durationMs: number;
  /** The last lines of stdout and stderr, for the report. */
  output: string;
}

export interface Lab {
  topology: Topology;
  prometheus: PrometheusHandle;
  load: RunningLoad;
  tenant: TenantFixture;
  /** A signed-in admin of `tenant`. */
  cookie: string;
  /** The instances as started (the topology forgets an instance once it is stopped). */
  instances: { a: Instance; b: Instance; p: Instance };
  /** The background worker w as started (node worker.mjs; the topology forgets it once stopped). */
  worker: Instance;
  /** The SMTP server the worker mails through: every email it accepted. */
  smtp: SmtpServerHandle;
  /** PostgreSQL's data directory and the bin directory of the running server (pg_ctl). */
  pgdata: string;
  pgBin: string;
  /** A redis.conf for the topology's Redis port that daemonizes and writes a pidfile. */
  redisConf: string;
  redisPidFile: string;
  dir: string;
  /** Runs a `{run=ID}` block of docs/runbooks/FILE with the lab's variables (plus `env`). */
  runbook: (file: string, id: string, env?: Record<string, string>) => Promise<RunbookRun>;
  /** Every block run so far, in order. */
  runbookRuns: RunbookRun[];
  /** Writes every instance's output so far into one file (the `APP_LOG` of the log runbooks). */
  writeInstanceLogs: () => string;
  /** A process a runbook started (not our child): stopped by PID in stop(). */
  adopt: (name: string, pid: number, signal?: NodeJS.Signals) => void;
  /** A child process of ours: stopped by PID in stop(). */
  own: (name: string, child: ChildProcess) => void;
  /** Failures of requests started in phases whose name starts with `prefix`. */
  failuresIn: (prefix: string) => LoadFailure[];
  log: (message: string) => void;
  stop: () => Promise<void>;
}

const LOG_PREFIX = "[gameday]";

export async function startLab(options: { durationMs: number }): Promise<Lab> {
  const started = Date.now();
  const log = (message: string) =>
    console.log(`${LOG_PREFIX} ${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s  ${message}`);
  const dir = mkdtempSync(path.join(tmpdir(), "slipway-gameday-"));
  const hostProcesses: { name: string; pid: number; signal: NodeJS.Signals }[] = [];
  const children: { name: string; child: ChildProcess }[] = [];
  let topology: Topology | undefined;
  let prometheus: PrometheusHandle | undefined;
  let load: RunningLoad | undefined;
  let smtp: SmtpServerHandle | undefined;

  const stop = async () => {
    await load?.stop().catch(() => {});
    load = undefined;
    for (const { name, child } of children.splice(0).reverse()) {
      if (child.exitCode === null && child.signalCode === null) {
        log(`stopping ${name} (pid ${child.pid})`);
        child.kill("SIGKILL");
      }
    }
    // Runbook-started services go before the harness: the harness removes PostgreSQL's data directory.
    for (const { name, pid, signal } of hostProcesses.splice(0).reverse()) {
      log(`stopping ${name} (pid ${pid})`);
      await stopPid(pid, signal);
    }
    await prometheus?.stop().catch(() => {});
    prometheus = undefined;
    await topology?.stop().catch(() => {});
    topology = undefined;
    await smtp?.stop().catch(() => {});
    smtp = undefined;
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    log("starting PostgreSQL, Redis, instances a and b behind Caddy");
    topology = await startTopology({ instances: ["a", "b"], env: INSTANCE_ENV });
    const a = topology.instances.get("a")!;
    const b = topology.instances.get("b")!;
    log("starting instance p (DATABASE_POOL_MAX=2), outside the balancer");
    const p = await topology.addInstance("p", { env: SMALL_POOL_ENV });
    log("starting the SMTP server and worker w (node worker.mjs)");
    smtp = await startSmtpServer();
    const worker = await topology.addWorker("w", {
      env: { ...WORKER_ENV, SMTP_URL: smtp.url, APP_URL: topology.url },
    });

    // A host's PostgreSQL starts from its configuration file: give it the settings the harness
    // passes on the command line, so `pg_ctl start` (database-down.md) brings it back as it was.
    // (Not ALTER SYSTEM: it cannot write an empty unix_socket_directories.)
    const [{ data_directory: pgdata }] = (await topology.sql`SHOW data_directory`) as unknown as [
      { data_directory: string },
    ];
    appendFileSync(
      path.join(pgdata, "postgresql.conf"),
      `\n# The game day's host settings (tests/gameday/lab.ts)\nport = ${new URL(topology.databaseUrl).port}\n` +
        "listen_addresses = '127.0.0.1'\nunix_socket_directories = ''\n",
    );
    const pgBin = path.dirname(readlinkSync(`/proc/${postmasterPid(pgdata)}/exe`));

    const redisPort = new URL(topology.redisUrl!).port;
    const redisPidFile = path.join(dir, "redis.pid");
    const redisConf = path.join(dir, "redis.conf");
    writeFileSync(
      redisConf,
      [
        `port ${redisPort}`,
        "bind 127.0.0.1",
        "daemonize yes",
        `pidfile ${redisPidFile}`,
        `logfile ${path.join(dir, "redis.log")}`,
        `dir ${dir}`,
        'save ""',
        "appendonly no",
        "",
      ].join("\n"),
    );

    const tenant = await createTenant(topology.sql);
    const cookie = await topology.cookieFor(tenant.adminId, tenant.tenantId);
    // A fresh server's first requests are slow (route modules load on first use). Serve each kind
    // of request on every instance before Prometheus's first scrape, so that the latency windows
    // start with the steady state rather than a cold start.
    const steps = [readStep("/"), readStep("/members", { cookie }), apiWriteStep(cookie), healthStep()];
    for (const instance of [a, b, p]) {
      for (let round = 0; round < 3; round++) {
        for (const step of steps) await step.run(instance.url, AbortSignal.timeout(30_000));
      }
    }

    log("starting Prometheus (scrape and evaluation every 1 s, ops/prometheus/rules)");
    prometheus = await startPrometheus({
      targets: [a, b, p].map((instance) => instance.hostPort),
      workerTargets: [worker.hostPort],
      metricsToken: topology.metricsToken,
      scrapeInterval: "1s",
      evaluationInterval: "1s",
    });

    // Served traffic (the SLO rules' "served" class): the landing page, a signed-in page that
    // queries the database, and API writes; plus the health report, which the rules leave out.
    // Weights keep API writes at 1 in 25 served requests: a lock on projects turns only them
    // into errors, under the error-spike threshold (5 %), while they are all of the API traffic
    // the latency alert watches.
    load = startLoad({
      baseUrl: topology.url,
      ratePerSecond: LOAD_RATE,
      durationMs: options.durationMs,
      maxInFlight: 400,
      timeoutMs: 10_000,
      steps: [
        readStep("/", { weight: 12 }),
        readStep("/members", { cookie, weight: 12 }),
        apiWriteStep(cookie, 1),
        healthStep(2),
      ],
    });

    const instances = { a, b, p };
    const runbookRuns: RunbookRun[] = [];
    const baseEnv = {
      APP_URL: topology.url,
      DATABASE_URL: topology.databaseUrl,
      METRICS_TOKEN: topology.metricsToken,
      PGDATA: pgdata,
      // pg_ctl of the running server's version first (database-down.md says so).
      PATH: `${pgBin}:${process.env.PATH ?? ""}`,
      REDIS_URL: topology.redisUrl!,
      REDIS_CONF: redisConf,
      APP_DIR: a.release.dir,
      APP_LOG: path.join(dir, "app.log"),
      WORKER_URL: worker.url,
      WORKER_LOG: path.join(dir, "worker.log"),
    };
    const lab: Lab = {
      topology,
      prometheus,
      load,
      tenant,
      cookie,
      instances,
      worker,
      smtp,
      pgdata,
      pgBin,
      redisConf,
      redisPidFile,
      dir,
      runbookRuns,
      runbook: async (file, id, env = {}) => {
        const result = await runRunbookBlock(runbookBlock(file, id), {
          env: { ...baseEnv, ...env },
          timeoutMs: 90_000,
        });
        const output = `${result.stdout}${result.stderr ? `\n${result.stderr}` : ""}`.trim();
        const run: RunbookRun = {
          file,
          id,
          exitCode: result.code,
          durationMs: result.durationMs,
          output: output.split("\n").slice(-40).join("\n"),
        };
        runbookRuns.push(run);
        log(`runbook ${file} {run=${id}}: exit ${result.code} (${result.durationMs} ms)`);
        return run;
      },
      writeInstanceLogs: () => {
        const file = path.join(dir, "instances.log");
        const lines = Object.values(instances).flatMap((instance) => instance.server.logs);
        let restarted = "";
        try {
          restarted = readFileSync(baseEnv.APP_LOG, "utf8");
        } catch {
          // a has not been restarted by the runbook
        }
        writeFileSync(file, `${lines.join("\n")}\n${restarted}`);
        return file;
      },
      adopt: (name, pid, signal = "SIGTERM") => hostProcesses.push({ name, pid, signal }),
      own: (name, child) => children.push({ name, child }),
      failuresIn: (prefix) => load!.failures().filter((failure) => failure.phase.startsWith(prefix)),
      log,
      stop,
    };
    return lab;
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The postmaster's PID, from the first line of PGDATA/postmaster.pid. */
export function postmasterPid(pgdata: string): number {
  return Number(readFileSync(path.join(pgdata, "postmaster.pid"), "utf8").split("\n")[0]);
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Signals `pid`, waits up to 15 s for it to exit, then SIGKILLs it. */
async function stopPid(pid: number, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (!isRunning(pid)) return;
  process.kill(pid, signal);
  const deadline = Date.now() + 15_000;
  while (isRunning(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (isRunning(pid)) process.kill(pid, "SIGKILL");
}

/**
 * A psql session that opens a transaction, runs `statements` (taking locks) and then sits idle in
 * it, as a forgotten interactive session or a stuck maintenance job does. Resolves once the
 * statements ran; the session ends when its backend is terminated or the process is killed.
 */
export async function idleInTransaction(
  lab: Lab,
  statements: string,
): Promise<{ child: ChildProcess; backendPid: number }> {
  const child = spawn("psql", [lab.topology.databaseUrl, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  lab.own("psql holding a lock", child);
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.write(`BEGIN;\n${statements}\nSELECT 'backend ' || pg_backend_pid();\n`);
  const deadline = Date.now() + 10_000;
  for (;;) {
    const match = /backend (\d+)/.exec(output);
    if (match) return { child, backendPid: Number(match[1]) };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`psql did not take the lock: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
