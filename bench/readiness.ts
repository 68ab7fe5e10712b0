/**
 * Readiness probe throughput and latency against the production standalone server, and what the
 * probes cost the database (counted from PostgreSQL's statement log).
 *
 *   npm run bench:readiness                    # 50 clients, 5 s per scenario
 *   BENCH_CLIENTS=100 BENCH_SECONDS=10 npm run bench:readiness
 *
 * Writes bench/results/readiness-<timestamp>.json and prints a summary. Numbers depend on the
 * machine: compare runs on the same machine only.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { startEmbeddedPostgres } from "../scripts/embedded-postgres";
import {
  ensureProductionBuild,
  prepareStandaloneCopy,
  startStandaloneServer,
} from "../tests/support/standalone-server";

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CHECK_STATEMENT = "SELECT 1 /* slipway-health */";

interface Scenario {
  name: string;
  path: string;
  env: Record<string, string>;
}

const scenarios: Scenario[] = [
  { name: "ready, cached 1000 ms (default)", path: "/health/ready", env: { HEALTH_CACHE_MS: "1000" } },
  { name: "ready, uncached (HEALTH_CACHE_MS=0)", path: "/health/ready", env: { HEALTH_CACHE_MS: "0" } },
  { name: "live", path: "/health/live", env: {} },
  { name: "api/health, cached 1000 ms", path: "/api/health", env: { HEALTH_CACHE_MS: "1000" } },
];

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function hammer(url: string, clients: number, seconds: number) {
  const latencies: number[] = [];
  let errors = 0;
  let non200 = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const started = performance.now();
        try {
          const response = await fetch(url);
          await response.arrayBuffer();
          if (response.status !== 200) non200 += 1;
          latencies.push(performance.now() - started);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    requests: latencies.length,
    requestsPerSecond: Math.round(latencies.length / seconds),
    latencyMs: {
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies.at(-1) ?? NaN),
    },
    non200,
    errors,
  };
}

async function main() {
  ensureProductionBuild();
  const standaloneDir = prepareStandaloneCopy();
  let log = "";
  const cluster = await startEmbeddedPostgres({
    dataDir: path.join(tmpdir(), `slipway-bench-pg-${randomBytes(6).toString("hex")}`),
    persistent: false,
    onLog: (message) => {
      log += message;
    },
  });
  const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`ALTER DATABASE ${cluster.database} SET log_statement = 'all'`);
  await admin.end();
  const countChecks = () => log.split(CHECK_STATEMENT).length - 1;

  const results = [];
  try {
    for (const scenario of scenarios) {
      const server = await startStandaloneServer({
        dir: standaloneDir,
        env: { DATABASE_URL: cluster.url, REDIS_URL: undefined, LOG_LEVEL: "warn", ...scenario.env },
      });
      try {
        await hammer(server.url + scenario.path, 5, 1); // warm up
        const before = countChecks();
        const measured = await hammer(server.url + scenario.path, CLIENTS, SECONDS);
        await new Promise((resolve) => setTimeout(resolve, 300));
        const databaseChecks = countChecks() - before;
        results.push({
          scenario: scenario.name,
          path: scenario.path,
          ...measured,
          databaseChecks,
          databaseChecksPerSecond: Math.round((databaseChecks / SECONDS) * 100) / 100,
        });
        console.log(
          `${scenario.name.padEnd(38)} ${String(measured.requestsPerSecond).padStart(6)} req/s  ` +
            `p50 ${measured.latencyMs.p50} ms  p99 ${measured.latencyMs.p99} ms  ` +
            `db checks ${databaseChecks}  errors ${measured.errors + measured.non200}`,
        );
      } finally {
        await server.stop();
      }
    }
  } finally {
    await cluster.stop();
    rmSync(standaloneDir, { recursive: true, force: true });
  }

  const report = {
    benchmark: "readiness",
    date: new Date().toISOString(),
    machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model },
    clients: CLIENTS,
    seconds: SECONDS,
    results,
  };
  const dir = path.join(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `readiness-${report.date.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), file)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
