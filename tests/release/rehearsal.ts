/**
 * `npm run release:rehearse`: a release rolled out end to end on this machine, under load, the way
 * production does it, and two broken releases that must not get through.
 *
 * Real PostgreSQL and Redis, release N (the project's build) and release N+1 (a second build of the
 * same source with one expand-only migration, tests/support/releases.ts), Caddy in front configured
 * from ops/caddy/Caddyfile (the compose stack's file), and a constant load of reads and signed-in
 * writes through Caddy the whole time (tests/support/topology.ts, tests/support/load.ts). It is a
 * test with a report, so it lives in tests/ (and the runbook blocks it runs count as tested).
 *
 *   1. N serves.
 *   2. The release step migrates to N+1's schema while N serves (docs/runbooks/deploy.md {run=migrate}).
 *   3. N+1 starts beside N; the gate checks it directly (readiness, commit).
 *   4. Traffic switches (upstream file rewritten, graceful `caddy reload`: scripts/deploy-compose's way).
 *   5. The gate runs through the balancer with the smoke suite (docs/runbooks/deploy.md {run=health-gate}).
 *   6. N drains (SIGTERM) and stops.
 * Then, from N+1: a release that never becomes ready is rejected before it gets traffic, and a release
 * that is ready but fails the smoke suite (its static files are missing) is switched in and rolled
 * back automatically (switch back, docs/runbooks/rollback.md).
 *
 * Targets (exit 1 when one is missed): 0 failed requests in every rollout, the good release served at
 * the end, the not-ready release never answering a request, the rollback done in under 30 s.
 * Writes bench/results/release-rehearsal-<timestamp>.json and prints it. Run under the heavy-work
 * lock on shared machines; it needs caddy, redis-server and chromium (Playwright's smoke suite).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../../scripts/embedded-postgres";
import { runGate } from "../../scripts/release-gate";
import {
  apiReadStep,
  apiWriteStep,
  healthStep,
  readStep,
  startLoad,
  type LoadReport,
  type RunningLoad,
} from "../support/load";
import { currentRelease, nextRelease, type Release } from "../support/releases";
import { REQUIREMENTS } from "../support/requirements";
import { runbookBlock, runRunbookBlock } from "../support/runbook";
import { createTenant } from "../support/tenants";
import { startTopology, type Topology } from "../support/topology";

const root = path.resolve(import.meta.dirname, "../..");
const RATE_PER_SECOND = Number(process.env.REHEARSAL_RATE ?? 20);
const ROLLBACK_TARGET_SECONDS = 30;

interface Candidate {
  label: string;
  name: string;
  release: Release;
  env?: Record<string, string>;
  /** Run the release step (this candidate's migrations) first. */
  migrate?: boolean;
}

interface RolloutResult {
  label: string;
  release: string;
  outcome: "deployed" | "rejected before traffic" | "rolled back";
  reason?: string;
  failedRequests: number;
  servedBefore: string | null;
  servedAfter: string | null;
  /** Seconds per step, and deploySeconds (release step to old release stopped) / rollbackSeconds. */
  seconds: Record<string, number>;
}

const seconds = (from: number, to = performance.now()) => Math.round((to - from) / 100) / 10;

async function servedCommit(url: string): Promise<string | null> {
  try {
    const body = (await (await fetch(`${url}/api/health`)).json()) as { commit?: string | null };
    return body.commit ?? null;
  } catch {
    return null;
  }
}

/** The image layout of a release (db/migrate.mjs beside db/migrations), where the release step runs. */
const imageDir = (release: Release) => path.dirname(path.dirname(release.migrator));

async function rollout(
  topology: Topology,
  load: RunningLoad,
  live: Candidate,
  candidate: Candidate,
): Promise<RolloutResult> {
  const step: Record<string, number> = {};
  const started = performance.now();
  const failuresBefore = load.failures().length;
  const servedBefore = await servedCommit(topology.url);
  const result = (outcome: RolloutResult["outcome"], extra: Partial<RolloutResult> = {}): RolloutResult => ({
    label: candidate.label,
    release: candidate.release.id,
    outcome,
    failedRequests: load.failures().length - failuresBefore,
    servedBefore,
    servedAfter: null,
    seconds: step,
    ...extra,
  });

  if (candidate.migrate) {
    load.mark(`${candidate.label}: release step (migrate)`);
    const at = performance.now();
    const migrated = await runRunbookBlock(runbookBlock("deploy.md", "migrate"), {
      cwd: imageDir(candidate.release),
      env: { DATABASE_URL: topology.databaseUrl },
    });
    if (migrated.code !== 0) throw new Error(`the release step failed:\n${migrated.stdout}${migrated.stderr}`);
    console.log(`  ${migrated.stdout.trim()}`);
    step.migrate = seconds(at);
  }

  load.mark(`${candidate.label}: start beside ${live.name}`);
  let at = performance.now();
  const instance = await topology.addInstance(candidate.name, {
    release: candidate.release,
    env: candidate.env,
    waitForReady: false,
  });
  step.start = seconds(at);

  load.mark(`${candidate.label}: gate before traffic`);
  at = performance.now();
  const before = await runGate({
    url: instance.url,
    commit: candidate.release.id,
    timeoutSeconds: 15,
    consecutive: 2,
    intervalMs: 500,
    log: (line) => console.log(`  ${line}`),
  });
  step.gateBeforeTraffic = seconds(at);
  if (!before.ok) {
    await topology.stopInstance(candidate.name, "SIGTERM");
    return result("rejected before traffic", { reason: before.reason, servedAfter: await servedCommit(topology.url) });
  }

  load.mark(`${candidate.label}: switch`);
  at = performance.now();
  await topology.route([candidate.name]);
  step.switch = seconds(at);

  load.mark(`${candidate.label}: gate through the balancer (smoke)`);
  at = performance.now();
  const gate = await runRunbookBlock(runbookBlock("deploy.md", "health-gate"), {
    cwd: root,
    env: { APP_URL: topology.url, RELEASE_ID: candidate.release.id },
    timeoutMs: 180_000,
  });
  step.gateAfterSwitch = seconds(at);
  if (gate.code !== 0) {
    const reason = gate.stdout
      .split("\n")
      .filter((line) => line.startsWith("gate: FAILED"))
      .join("; ");
    // What failed, as Playwright printed it (the first failing test stops the suite).
    const output = `${gate.stdout}${gate.stderr}`
      .split("\n")
      .filter((line) => line.trim() && !/^\[\d+\/\d+\]/.test(line));
    console.log(`  ${output.slice(-25).join("\n  ")}`);
    load.mark(`${candidate.label}: automatic rollback to ${live.name}`);
    const rollbackStarted = performance.now();
    // The rollback runbook's command: rewrite the upstream file, graceful caddy reload.
    const switched = await runRunbookBlock(runbookBlock("rollback.md", "switch-upstream"), {
      cwd: root,
      env: { ...topology.balancer.env, UPSTREAM: topology.instances.get(live.name)!.hostPort },
    });
    if (switched.code !== 0) throw new Error(`switching back failed:\n${switched.stdout}${switched.stderr}`);
    const back = await runRunbookBlock(runbookBlock("rollback.md", "verify-rollback"), {
      cwd: root,
      env: { APP_URL: topology.url, PREVIOUS: live.release.id },
    });
    step.rollback = seconds(rollbackStarted);
    step.rollbackSeconds = step.rollback;
    await topology.stopInstance(candidate.name, "SIGTERM");
    return result("rolled back", {
      reason:
        back.code === 0 ? reason || "the gate failed" : `rollback did not restore ${live.release.id}: ${back.stdout}`,
      servedAfter: await servedCommit(topology.url),
    });
  }

  load.mark(`${candidate.label}: drain ${live.name}`);
  at = performance.now();
  const exitCode = await topology.stopInstance(live.name, "SIGTERM");
  step.drain = seconds(at);
  step.deploySeconds = seconds(started);
  if (exitCode !== 0) throw new Error(`${live.name} exited ${exitCode} after SIGTERM (expected a clean drain, 0)`);
  return result("deployed", { servedAfter: await servedCommit(topology.url) });
}

/** A copy of a release with its static files missing: ready, but the pages cannot load their scripts. */
function withoutStaticFiles(release: Release): Release {
  const dir = path.join(tmpdir(), `slipway-broken-release-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(release.dir, dir, { recursive: true, verbatimSymlinks: true });
  rmSync(path.join(dir, ".next/static"), { recursive: true, force: true });
  return { ...release, id: `${release.id}-no-static`, dir };
}

async function main(): Promise<void> {
  const missing = (["caddy", "redis-server", "chromium"] as const).filter((name) => !REQUIREMENTS[name].available());
  if (missing.length > 0)
    throw new Error(`missing: ${missing.map((name) => `${name} (${REQUIREMENTS[name].install})`).join(", ")}`);

  const startedAt = new Date();
  const total = performance.now();
  const releaseN = currentRelease();
  const releaseNext = nextRelease();
  const brokenSmoke = withoutStaticFiles(releaseNext);
  const deadRedis = `redis://127.0.0.1:${await freePort()}`;

  console.log(`release:rehearse: N = ${releaseN.id}, N+1 = ${releaseNext.id}`);
  const topology = await startTopology({ instances: ["n"], release: releaseN });
  let load: RunningLoad | undefined;
  let loadReport: LoadReport | undefined;
  const rollouts: RolloutResult[] = [];
  const stopEverything = async () => {
    loadReport ??= await load?.stop();
    await topology.stop();
    rmSync(brokenSmoke.dir, { recursive: true, force: true });
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void stopEverything().finally(() => process.exit(130)));
  }
  try {
    const tenant = await createTenant(topology.sql);
    const cookie = await topology.cookieFor(tenant.adminId, tenant.tenantId);
    load = startLoad({
      baseUrl: topology.url,
      ratePerSecond: RATE_PER_SECOND,
      durationMs: 300_000,
      maxInFlight: 128,
      steps: [healthStep(2), apiReadStep(cookie, 3), apiWriteStep(cookie, 1), readStep("/", { weight: 1 })],
    });
    load.mark("N serves");
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const n: Candidate = { label: "N", name: "n", release: releaseN };
    const next: Candidate = { label: "N+1", name: "n1", release: releaseNext, migrate: true };
    console.log("\n== good rollout: N -> N+1");
    rollouts.push(await rollout(topology, load, n, next));
    // The broken releases replace whatever serves now (N+1, unless the good rollout failed).
    const live = rollouts[0]!.outcome === "deployed" ? next : n;
    console.log("\n== broken N+1 (never ready) rolled out the same way");
    rollouts.push(
      await rollout(topology, load, live, {
        label: "broken: not ready",
        name: "broken-ready",
        release: { ...releaseNext, id: `${releaseNext.id}-not-ready` },
        env: { REDIS_REQUIRED: "true", REDIS_URL: deadRedis },
      }),
    );
    console.log("\n== broken N+1 (fails the smoke suite) rolled out the same way");
    rollouts.push(
      await rollout(topology, load, live, { label: "broken: fails smoke", name: "broken-smoke", release: brokenSmoke }),
    );
    load.mark("after the rollouts");
    await new Promise((resolve) => setTimeout(resolve, 1000));
    loadReport = await load.stop();
  } finally {
    await stopEverything();
  }

  const [good, notReady, failsSmoke] = rollouts;
  const answered = (id: string) => Boolean(loadReport!.releases[id]);
  const targets = [
    { target: "good rollout: deployed", ok: good?.outcome === "deployed", actual: good?.outcome },
    { target: "good rollout: 0 failed requests", ok: good?.failedRequests === 0, actual: good?.failedRequests },
    { target: "good rollout: N+1 served after", ok: good?.servedAfter === releaseNext.id, actual: good?.servedAfter },
    {
      target: "not-ready release: rejected before traffic",
      ok: notReady?.outcome === "rejected before traffic",
      actual: notReady?.outcome,
    },
    {
      target: "not-ready release: never answered a request",
      ok: !answered(notReady!.release),
      actual: answered(notReady!.release),
    },
    {
      target: "not-ready release: 0 failed requests",
      ok: notReady?.failedRequests === 0,
      actual: notReady?.failedRequests,
    },
    {
      target: "smoke-failing release: rolled back",
      ok: failsSmoke?.outcome === "rolled back",
      actual: failsSmoke?.outcome,
    },
    {
      target: "smoke-failing release: 0 failed requests",
      ok: failsSmoke?.failedRequests === 0,
      actual: failsSmoke?.failedRequests,
    },
    {
      target: `smoke-failing release: rolled back in < ${ROLLBACK_TARGET_SECONDS} s`,
      ok: (failsSmoke?.seconds.rollbackSeconds ?? Infinity) < ROLLBACK_TARGET_SECONDS,
      actual: failsSmoke?.seconds.rollbackSeconds,
    },
    {
      target: "N+1 served after the rollback",
      ok: failsSmoke?.servedAfter === releaseNext.id,
      actual: failsSmoke?.servedAfter,
    },
  ];
  const report = {
    date: startedAt.toISOString(),
    commit: spawnSync("git", ["rev-parse", "HEAD"], { cwd: root, encoding: "utf8" }).stdout.trim() || null,
    releases: { n: releaseN.id, next: releaseNext.id },
    totalSeconds: seconds(total),
    deploySeconds: good?.seconds.deploySeconds ?? null,
    rollbackSeconds: failsSmoke?.seconds.rollbackSeconds ?? null,
    failedRequests: loadReport!.failures.length,
    rollouts,
    load: {
      ratePerSecond: RATE_PER_SECOND,
      requests: loadReport!.requests,
      notSent: loadReport!.notSent,
      resent: loadReport!.resent.length,
      byStatus: loadReport!.byStatus,
      latencyMs: loadReport!.latencyMs,
      releases: loadReport!.releases,
      phases: loadReport!.phases,
      failures: loadReport!.failures,
    },
    targets,
    ok: targets.every((target) => target.ok),
  };
  const dir = path.join(root, "bench/results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `release-rehearsal-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${JSON.stringify(report, null, 2)}`);
  console.log(`\nrelease:rehearse: wrote ${path.relative(root, file)}`);
  for (const target of targets) console.log(`${target.ok ? "ok  " : "MISS"}  ${target.target} (${target.actual})`);
  if (!report.ok) {
    console.error("release:rehearse: FAILED: a target was missed");
    process.exit(1);
  }
  console.log(
    `release:rehearse: passed (deploy ${report.deploySeconds} s, rollback ${report.rollbackSeconds} s, ${report.load.requests} requests, 0 failed)`,
  );
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(`release:rehearse: FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
