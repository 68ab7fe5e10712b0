/**
 * Slipway side by side with a bare Next.js app of the same versions (bench/bare), in one run, on
 * one PostgreSQL with the same seeded tenant (20 projects), driven by the same load generator:
 * throughput, p50/p99 latency, cold start, RSS over a 20k-request run and SQL statements per
 * request (from PostgreSQL's statement log), each as a ratio to the bare app. docs/performance.md
 * says how to read it.
 *
 *   npm run bench                              # everything, about 4 minutes
 *   npm run bench -- --only=list-api,memory    # a subset (ids below)
 *   npm run bench -- --strict                  # exit 1 when a target of issue 10 is missed
 *   npm run bench -- --seconds=10 --rounds=3 --rss-requests=40000 --cold-starts=5
 *   npm run bench -- --only=landing --profile  # + a CPU profile of Slipway per scenario (speedscope, DevTools)
 *   npm run bench -- --only=memory --heap-snapshot   # a heap snapshot from a server near its heap limit
 *   npm run bench -- --only=neighbour          # another tenant's latency while one floods the API
 *
 * Writes bench/results/bench-<time>.json and .md. Run it with nothing else heavy on the machine.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createLocalSessionToken, LOCAL_SESSION_COOKIE } from "../src/lib/auth/providers/local/session-token";
import { migrateDatabase } from "../tests/support/migrate";
import { ensureProductionBuild, prepareStandaloneCopy } from "../tests/support/standalone-server";
import { startLoggedPostgres, type LoggedPostgres } from "../tests/support/statement-log";
import { adminSql, createTenant, databaseUrlFor } from "../tests/support/tenants";
import { ensureBareBuild, prepareBareCopy, removeCopy } from "./lib/bare-app";
import { assertWrkInstalled, combineRounds, runLoad, type LoadResult, type LoadSpec } from "./lib/load";
import { sampleEvery, summarizeRss } from "./lib/memory";
import {
  checkTargets,
  compare,
  markdownTable,
  median,
  round,
  type BenchResults,
  type Measured,
  type Memory,
} from "./lib/report";
import { imageHeapLimit, startServer, type RunningServer } from "./lib/servers";

interface Target {
  method: "GET" | "POST";
  path: string;
  signedIn?: boolean;
}

interface Scenario {
  id: string;
  title: string;
  slipway: Target;
  bare: Target;
}

const SCENARIOS: Scenario[] = [
  {
    id: "liveness",
    title: "`GET /health/live` vs a bare JSON route",
    slipway: { method: "GET", path: "/health/live" },
    bare: { method: "GET", path: "/api/json" },
  },
  {
    id: "readiness",
    title: "`GET /health/ready` (checks cached 1 s) vs a bare JSON route",
    slipway: { method: "GET", path: "/health/ready" },
    bare: { method: "GET", path: "/api/json" },
  },
  {
    id: "list-api",
    title: "`GET /api/v1/projects` (signed in, 20 rows) vs the bare query route",
    slipway: { method: "GET", path: "/api/v1/projects", signedIn: true },
    bare: { method: "GET", path: "/api/projects" },
  },
  {
    id: "write",
    title: "`POST /api/v1/projects` (signed in, + audit row) vs a bare insert route",
    slipway: { method: "POST", path: "/api/v1/projects", signedIn: true },
    bare: { method: "POST", path: "/api/projects" },
  },
  {
    id: "landing",
    title: "`GET /` landing page vs a bare static page",
    slipway: { method: "GET", path: "/" },
    bare: { method: "GET", path: "/" },
  },
  {
    id: "projects-page",
    title: "`GET /projects` page (signed in) vs a bare page rendering the query",
    slipway: { method: "GET", path: "/projects", signedIn: true },
    bare: { method: "GET", path: "/projects" },
  },
  {
    id: "not-found",
    title: "404 page vs the bare app's 404",
    slipway: { method: "GET", path: "/no-such-page" },
    bare: { method: "GET", path: "/no-such-page" },
  },
];
const COLD_START = "cold-start";
const MEMORY = "memory";
const NEIGHBOUR = "neighbour";
const ALL_IDS = [...SCENARIOS.map((scenario) => scenario.id), COLD_START, MEMORY, NEIGHBOUR];
/** The quiet tenant's pace in the neighbour run: a person clicking through, well under its read limit. */
const QUIET_INTERVAL_MS = 100;

/** The RSS run's mix: the API, a dynamic page, a static page and a probe, in turn. */
const MEMORY_MIX = {
  slipway: ["/api/v1/projects", "/projects", "/", "/health/live"],
  bare: ["/api/projects", "/projects", "/", "/api/json"],
};
const DATABASE = "slipway_bench";
const STATEMENT_SAMPLES = 20;
const WARMUP_SECONDS = 2;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      only: { type: "string" },
      strict: { type: "boolean", default: false },
      seconds: { type: "string", default: "5" },
      rounds: { type: "string", default: "2" },
      profile: { type: "boolean", default: false },
      "heap-snapshot": { type: "boolean", default: false },
      "rss-requests": { type: "string", default: "20000" },
      "cold-starts": { type: "string", default: "3" },
    },
  });
  const only = values.only ? values.only.split(",").map((id) => id.trim()) : ALL_IDS;
  const unknown = only.filter((id) => !ALL_IDS.includes(id));
  if (unknown.length > 0) throw new Error(`unknown --only ${unknown.join(", ")}; choose from ${ALL_IDS.join(", ")}`);
  const positive = (name: string, value: string) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number <= 0) throw new Error(`--${name} must be a positive integer`);
    return number;
  };
  return {
    only: new Set(only),
    strict: values.strict,
    seconds: positive("seconds", values.seconds),
    rounds: positive("rounds", values.rounds),
    profile: values.profile,
    heapSnapshot: values["heap-snapshot"],
    rssRequests: positive("rss-requests", values["rss-requests"]),
    coldStarts: positive("cold-starts", values["cold-starts"]),
  };
}

function commitOf(): string {
  try {
    const sha = execFileSync("git", ["rev-parse", "--short=12", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { encoding: "utf8" }).trim();
    return dirty ? `${sha}+changes` : sha;
  } catch {
    return "unknown";
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The p50 of `seconds` of requests sent one every QUIET_INTERVAL_MS (a paced client: wrk cannot pace). */
async function pacedP50(url: string, headers: Record<string, string>, seconds: number): Promise<number> {
  const latencies: number[] = [];
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const started = performance.now();
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`the quiet tenant got ${response.status} from ${url}`);
    const elapsed = performance.now() - started;
    latencies.push(elapsed);
    await sleep(Math.max(0, QUIET_INTERVAL_MS - elapsed));
  }
  return round(median(latencies));
}

/** Statements per request, from PostgreSQL's log: sequential requests, connection setup not counted. */
async function statementsPerRequest(postgres: LoggedPostgres, request: (index: number) => Promise<void>) {
  for (let index = 0; index < 3; index++) await request(-1 - index); // warm: connections open, statements prepared
  await sleep(300);
  postgres.clear();
  for (let index = 0; index < STATEMENT_SAMPLES; index++) await request(index);
  let count = -1;
  for (let stable = 0; stable < 3;) {
    await sleep(100);
    const now = postgres.statementsIn(DATABASE).filter((statement) => statement !== "").length;
    stable = now === count ? stable + 1 : 0;
    count = now;
  }
  return round(count / STATEMENT_SAMPLES);
}

async function main() {
  const options = parseOptions();
  assertWrkInstalled();
  const selected = SCENARIOS.filter((scenario) => options.only.has(scenario.id));
  const heap = imageHeapLimit();
  const [load1] = loadavg();
  if (load1! > cpus().length * 0.5) {
    console.warn(`warning: load average ${load1!.toFixed(2)} on ${cpus().length} cores: figures will be noise`);
  }

  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const resultsDir = path.join(import.meta.dirname, "results");
  const profilesDir = path.join(resultsDir, `profiles-${stamp}`);
  ensureProductionBuild();
  ensureBareBuild();
  const work = mkdtempSync(path.join(tmpdir(), "slipway-bench-"));
  const slipwayDir = prepareStandaloneCopy();
  const bareDir = prepareBareCopy();
  const postgres = await startLoggedPostgres();
  const running: RunningServer[] = [];
  const start = async (app: "slipway" | "bare", env: Record<string, string>) => {
    const server = await startServer({
      name: app,
      dir: app === "slipway" ? slipwayDir : bareDir,
      readyPath: app === "slipway" ? "/health/ready" : "/api/ready",
      env,
      logDir: work,
    });
    running.push(server);
    return server;
  };
  const stop = async (server: RunningServer) => {
    running.splice(running.indexOf(server), 1);
    await server.stop();
  };

  const results: BenchResults = { comparisons: [] };
  try {
    const cluster = adminSql(postgres.url);
    await cluster.unsafe(`create database ${DATABASE}`);
    const databaseUrl = databaseUrlFor(postgres.url, DATABASE);
    await migrateDatabase(databaseUrl);
    const admin = adminSql(databaseUrl);
    const tenant = await createTenant(admin, {
      projects: Array.from({ length: 20 }, (_, index) => `Project ${index + 1}`),
    });
    await admin.end();
    const secret = randomBytes(32).toString("hex");
    const cookie = `${LOCAL_SESSION_COOKIE}=${await createLocalSessionToken(
      { userId: tenant.adminId, tenantId: tenant.tenantId },
      secret,
    )}`;
    // --heap-snapshot: a server about to run out of heap writes a snapshot first (Chrome DevTools → Memory).
    const snapshots = options.heapSnapshot
      ? ` --heapsnapshot-near-heap-limit=1 --diagnostic-dir=${path.join(resultsDir, `heap-${stamp}`)}`
      : "";
    const shared = { DATABASE_URL: databaseUrl, NODE_OPTIONS: heap.flag + snapshots };
    const env = {
      // Production's log level; no drain on stop (nothing routes to these servers but the bench).
      slipway: {
        ...shared,
        AUTH_MODE: "local",
        SESSION_SECRET: secret,
        LOG_LEVEL: "info",
        SHUTDOWN_DRAIN_SECONDS: "0",
        // One client sends every request here: the limiter still counts each one (its cost is
        // measured), at limits a load generator on one address cannot reach.
        RATE_LIMIT_API_ANONYMOUS: "100000000/60",
        RATE_LIMIT_API_WRITE: "100000000/60",
        RATE_LIMIT_API_READ: "100000000/60",
        RATE_LIMIT_API_TENANT: "100000000/60",
        // wrk's 50 connections are one client address and one caller: their in-flight share and
        // their turns are the whole server's here.
        MAX_IN_FLIGHT_PER_CLIENT: "1000",
        MAX_CONCURRENT_PER_CALLER: "1000",
      },
      bare: { ...shared, BENCH_TENANT_ID: tenant.tenantId, BENCH_USER_ID: tenant.adminId },
    };
    const runId = randomBytes(3).toString("hex");
    const headersFor = (target: Target): Record<string, string> => (target.signedIn ? { Cookie: cookie } : {});
    const measured: Record<string, { slipway?: Measured; bare?: Measured }> = {};

    // 1. SQL statements per request, with every statement logged (servers of their own: logging
    //    is switched off for the timed runs below, and a session keeps the setting it started with).
    if (selected.length > 0) {
      const probes = { slipway: await start("slipway", env.slipway), bare: await start("bare", env.bare) };
      for (const scenario of selected) {
        measured[scenario.id] = {};
        for (const app of ["slipway", "bare"] as const) {
          const target = scenario[app];
          const count = await statementsPerRequest(postgres, async (index) => {
            const response = await fetch(probes[app].url + target.path, {
              method: target.method,
              headers: { ...headersFor(target), "Content-Type": "application/json" },
              body: target.method === "POST" ? JSON.stringify({ name: `count-${runId}-${app}-${index}` }) : undefined,
              redirect: "manual",
            });
            await response.arrayBuffer();
          });
          measured[scenario.id]![app] = { statementsPerRequest: count } as Measured;
        }
        console.log(
          `statements per request  ${scenario.id.padEnd(14)} Slipway ${measured[scenario.id]!.slipway!.statementsPerRequest}  bare ${measured[scenario.id]!.bare!.statementsPerRequest}`,
        );
      }
      await stop(probes.slipway);
      await stop(probes.bare);
    }
    await cluster.unsafe(`alter database ${DATABASE} set log_statement = 'none'`);
    await cluster.end();
    postgres.clear();

    // 2. Cold start: spawn → first 200 on the readiness route, alternating the two apps.
    if (options.only.has(COLD_START)) {
      const times = { slipway: [] as number[], bare: [] as number[] };
      for (let trial = 0; trial < options.coldStarts; trial++) {
        for (const app of ["bare", "slipway"] as const) {
          const server = await start(app, env[app]);
          times[app].push(round(server.coldStartMs, 1));
          await stop(server);
        }
      }
      const slipwayMedianMs = median(times.slipway);
      const bareMedianMs = median(times.bare);
      results.coldStart = {
        slipwayMs: times.slipway,
        bareMs: times.bare,
        slipwayMedianMs,
        bareMedianMs,
        ratio: round(slipwayMedianMs / bareMedianMs),
      };
      console.log(`cold start              Slipway ${times.slipway.join(", ")} ms  bare ${times.bare.join(", ")} ms`);
    }

    // 3. Throughput and latency: same load generator, same settings, one app at a time.
    const servers = { slipway: await start("slipway", env.slipway), bare: await start("bare", env.bare) };
    const loadOf = (app: "slipway" | "bare", target: Target, seconds: number): LoadSpec => ({
      url: servers[app].url,
      method: target.method,
      paths: [target.path],
      headers: headersFor(target),
      seconds,
      namePrefix: `bench-${runId}-${app}-${seconds}`,
    });
    for (const scenario of selected) {
      const rounds = { bare: [] as LoadResult[], slipway: [] as LoadResult[] };
      for (const app of ["bare", "slipway"] as const) {
        await runLoad({ ...loadOf(app, scenario[app], WARMUP_SECONDS), namePrefix: `warm-${runId}-${app}` }, work);
      }
      for (let round = 0; round < options.rounds; round++) {
        for (const app of ["bare", "slipway"] as const) {
          const spec = { ...loadOf(app, scenario[app], options.seconds), namePrefix: `bench-${runId}-${app}-${round}` };
          rounds[app].push(await runLoad(spec, work));
        }
      }
      for (const app of ["bare", "slipway"] as const) {
        const target = scenario[app];
        const result = combineRounds(rounds[app]);
        measured[scenario.id]![app] = {
          ...result,
          method: target.method,
          path: target.path,
          statementsPerRequest: measured[scenario.id]![app]!.statementsPerRequest,
        };
        const failed = result.errors + (scenario.id === "not-found" ? 0 : result.non2xx3xx);
        console.log(
          `${scenario.id.padEnd(14)} ${app.padEnd(8)} ${String(result.requestsPerSecond).padStart(8)} req/s  ` +
            `p50 ${result.latencyMs.p50} ms  p99 ${result.latencyMs.p99} ms` +
            (failed > 0 ? `  FAILED ${failed} of ${result.requests}` : ""),
        );
        if (failed > result.requests * 0.01) {
          throw new Error(`${app} ${target.method} ${target.path}: ${failed} of ${result.requests} requests failed`);
        }
      }
      const { slipway, bare } = measured[scenario.id]!;
      results.comparisons.push(compare(scenario.id, scenario.title, slipway!, bare!));
    }

    // 3b. Where Slipway's time goes: a CPU profile per scenario, from a server of its own.
    if (options.profile) {
      for (const scenario of selected) {
        const directory = path.join(profilesDir, scenario.id);
        const server = await startServer({
          name: "slipway",
          dir: slipwayDir,
          readyPath: "/health/ready",
          env: env.slipway,
          logDir: work,
          nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${directory}`],
        });
        running.push(server);
        await runLoad({ ...loadOf("slipway", scenario.slipway, options.seconds), namePrefix: `prof-${runId}` }, work);
        await stop(server);
        for (const file of readdirSync(directory)) {
          renameSync(path.join(directory, file), path.join(profilesDir, `${scenario.id}.cpuprofile`));
        }
        rmSync(directory, { recursive: true, force: true });
      }
      console.log(`profiles in ${path.relative(process.cwd(), profilesDir)} (open in speedscope or Chrome DevTools)`);
    }

    // 4. Memory: RSS sampled from /proc during a run of `rssRequests` requests, after a warm-up.
    if (options.only.has(MEMORY)) {
      const memory: Partial<Memory> = { requests: options.rssRequests, paths: MEMORY_MIX };
      for (const app of ["bare", "slipway"] as const) {
        const spec: LoadSpec = {
          url: servers[app].url,
          method: "GET",
          paths: MEMORY_MIX[app],
          headers: app === "slipway" ? { Cookie: cookie } : {},
          seconds: 3,
        };
        const warm = await runLoad(spec, work);
        // wrk runs for its whole -d even when the request limit stops its threads earlier: sized
        // from the warm-up's rate, so the samples cover the requests and not an idle tail.
        const seconds = Math.min(
          300,
          Math.ceil((options.rssRequests / Math.max(warm.requestsPerSecond, 1)) * 1.25) + 2,
        );
        const done = sampleEvery(250, servers[app].rssMb);
        const result = await runLoad({ ...spec, seconds, requests: options.rssRequests }, work);
        const summary = summarizeRss(done());
        // A server that dies of the load is this phase's finding, not the bench's end: it is reported.
        const failedRequests = result.errors + result.non2xx3xx;
        const failed =
          servers[app].exitReason() ??
          (failedRequests > result.requests * 0.01
            ? `${failedRequests} of ${result.requests} requests failed (errors or non-2xx/3xx)`
            : undefined);
        memory[app] = { ...summary, requestsPerSecond: result.requestsPerSecond, ...(failed ? { failed } : {}) };
        console.log(
          `memory         ${app.padEnd(8)} ${result.requests} requests at ${result.requestsPerSecond} req/s: RSS ` +
            `${summary.firstQuarterMb} → ${summary.lastQuarterMb} MB, max ${summary.maxMb} MB` +
            (failed ? `\n  FAILED: ${failed}` : ""),
        );
      }
      memory.ratio = round(memory.slipway!.maxMb / memory.bare!.maxMb);
      results.memory = memory as Memory;
    }

    // 5. A noisy neighbour: one tenant floods the list API (wrk, 50 connections) at the default
    //    limits while another reads it at a person's pace; the second's p50 during the flood over
    //    its p50 alone (issue 20: within 2×). A server of its own, without the raised limits.
    if (options.only.has(NEIGHBOUR)) {
      const seeding = adminSql(databaseUrl);
      const quiet = await createTenant(seeding, {
        projects: Array.from({ length: 20 }, (_, index) => `Quiet ${index + 1}`),
      });
      await seeding.end();
      const quietCookie = `${LOCAL_SESSION_COOKIE}=${await createLocalSessionToken(
        { userId: quiet.adminId, tenantId: quiet.tenantId },
        secret,
      )}`;
      // Every limit at its default, admission included; the two tenants come from two addresses
      // (the one trusted proxy's X-Forwarded-For), as they would in production.
      const neighbourEnv: Record<string, string> = { ...env.slipway, TRUSTED_PROXY_HOPS: "1" };
      for (const raised of [
        "RATE_LIMIT_API_ANONYMOUS",
        "RATE_LIMIT_API_WRITE",
        "RATE_LIMIT_API_READ",
        "RATE_LIMIT_API_TENANT",
        "MAX_IN_FLIGHT_PER_CLIENT",
        "MAX_CONCURRENT_PER_CALLER",
      ]) {
        delete neighbourEnv[raised];
      }
      const server = await start("slipway", neighbourEnv);
      const listUrl = `${server.url}/api/v1/projects`;
      const quietHeaders = { Cookie: quietCookie, "X-Forwarded-For": "198.51.100.2" };
      await pacedP50(listUrl, quietHeaders, 1); // warm
      const idleP50Ms = await pacedP50(listUrl, quietHeaders, options.seconds);
      const [flood, floodP50Ms] = await Promise.all([
        runLoad(
          {
            url: server.url,
            method: "GET",
            paths: ["/api/v1/projects"],
            headers: { Cookie: cookie, "X-Forwarded-For": "198.51.100.1" },
            seconds: options.seconds,
          },
          work,
        ),
        pacedP50(listUrl, quietHeaders, options.seconds),
      ]);
      results.neighbour = {
        idleP50Ms,
        floodP50Ms,
        ratio: round(floodP50Ms / idleP50Ms),
        flood: { requests: flood.requests, requestsPerSecond: flood.requestsPerSecond, refused: flood.non2xx3xx },
      };
      console.log(
        `neighbour      quiet tenant p50 ${idleP50Ms} ms alone, ${floodP50Ms} ms during a flood of ` +
          `${flood.requests} requests (${flood.non2xx3xx} refused)`,
      );
      await stop(server);
    }
  } finally {
    for (const server of [...running]) await server.stop();
    await postgres.stop();
    removeCopy(slipwayDir);
    removeCopy(bareDir);
    rmSync(work, { recursive: true, force: true });
  }

  const checks = checkTargets(results);
  const date = new Date().toISOString();
  const report = {
    benchmark: "side-by-side",
    date,
    commit: commitOf(),
    machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverageAtStart: load1 },
    settings: {
      loadGenerator: "wrk -t2 -c50",
      seconds: options.seconds,
      rounds: options.rounds,
      warmupSeconds: WARMUP_SECONDS,
      heap: heap,
      slipwayLogLevel: "info",
      statementSamples: STATEMENT_SAMPLES,
    },
    ...results,
    targets: checks,
  };
  const table = markdownTable(results, checks);
  mkdirSync(resultsDir, { recursive: true });
  const base = path.join(resultsDir, `bench-${stamp}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(
    `${base}.md`,
    `Measured ${date} at ${report.commit}; Node ${process.version}, ${cpus().length} cores; ` +
      `heap ${heap.flag} (the image's ${heap.percentage} % of a ${heap.vmMb} MB VM).\n\n${table}\n`,
  );
  console.log(`\n${table}\n\nwrote ${path.relative(process.cwd(), base)}.json and .md`);
  const missed = checks.filter((check) => !check.pass);
  if (missed.length > 0) {
    console.log(`${missed.length} target(s) missed: ${missed.map((check) => check.name).join("; ")}`);
    if (options.strict) process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
