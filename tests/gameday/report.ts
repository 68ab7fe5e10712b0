import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { RunbookRun } from "./lab";

/**
 * What the game day writes: bench/results/gameday.json (one report per scenario) and
 * bench/results/gameday.md (the summary table), and where its expectations come from: the
 * detection times of docs/observability.md's alerts table.
 */

const ROOT = path.resolve(import.meta.dirname, "../..");
const RESULTS_DIR = path.join(ROOT, "bench/results");
const OBSERVABILITY_DOC = path.join(ROOT, "docs/observability.md");

export interface Check {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface ScenarioReport {
  id: string;
  title: string;
  alert: string;
  runbook: string;
  passed: boolean;
  problems: string[];
  detect: {
    /** From docs/observability.md (the "Detection" column), as written there and in ms. */
    expected: string;
    withinMs: number;
    /** From the fault to the alert firing in Prometheus's API. */
    ms: number | null;
  };
  recover: {
    /** Running the runbook's blocks (diagnosis and recovery). */
    runbookMs: number;
    /** From the start of the recovery commands to the alert inactive in Prometheus. */
    ms: number | null;
    withinMs: number;
    /** Windowed alerts: resolution awaited while the next scenarios ran. */
    inBackground: boolean;
  };
  load: {
    bound: string;
    requests: { incident: number; recovery: number; after: number };
    failed: { incident: number; recovery: number; after: number };
    /** Failed requests by step and reason, over the whole scenario. */
    failures: Record<string, number>;
    /**
     * The first few requests that failed after the fault was repaired (recovery and after phases),
     * each with the instances' log lines that carry its request id: why it failed.
     */
    lateFailures?: { phase: string; step: string; reason: string; requestId: string | null; log: string[] }[];
  };
  checks: Check[];
  runbookBlocks: Omit<RunbookRun, "output">[];
  /** Alerts that began firing between the fault and the end of the scenario. */
  alertsFiring: string[];
}

export interface GameDayReport {
  startedAt: string;
  durationMs: number;
  passed: boolean;
  settings: Record<string, unknown>;
  scenarios: ScenarioReport[];
  /** Problems outside any scenario (setup, cleanup). */
  problems: string[];
}

/** "~1 min 20 s" → 80 000; a range ("~1–2 min") counts its upper end; "P0 ~2 min 30 s" → 150 000. */
function parseDuration(text: string): number {
  const cleaned = text.replace(/^P\d\s*/, "").replace(/~/g, "");
  const upper = cleaned.includes("–") ? cleaned.replace(/^[\d.]+\s*–\s*/, "") : cleaned;
  const units: Record<string, number> = { h: 3_600_000, min: 60_000, s: 1000 };
  let total = 0;
  let matched = false;
  for (const [, value, unit] of upper.matchAll(/([\d.]+)\s*(h|min|s)\b/g)) {
    total += Number(value) * units[unit!]!;
    matched = true;
  }
  if (!matched) throw new Error(`not a duration: "${text}"`);
  return total;
}

/** The "Detection" cell of `alert`'s row in docs/observability.md's alerts table. */
export function documentedDetection(alert: string): { text: string; ms: number } {
  const row = readFileSync(OBSERVABILITY_DOC, "utf8")
    .split("\n")
    .find((line) => line.startsWith(`| \`${alert}\``));
  if (!row) throw new Error(`docs/observability.md: no row for ${alert} in the alerts table`);
  const text = row.split("|")[4]!.trim();
  return { text, ms: parseDuration(text) };
}

const seconds = (ms: number | null) => (ms === null ? "—" : `${(ms / 1000).toFixed(1)} s`);

export function markdownSummary(report: GameDayReport): string {
  const lines = [
    `# Game day, ${report.startedAt}`,
    "",
    `${report.passed ? "PASSED" : "FAILED"} in ${(report.durationMs / 60_000).toFixed(1)} min. ` +
      `Load: ${String(report.settings.loadRatePerSecond)} requests/s through Caddy; Prometheus scrapes and evaluates every ` +
      `${String(report.settings.prometheusInterval)}. Detected = fault to alert firing; recovered = start of the ` +
      "runbook's recovery commands to alert inactive.",
    "",
    "| Scenario | Alert | Detected (doc) | Recovered (bound) | Failed requests: incident / recovery / after | Bound | Result |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...report.scenarios.map(
      (scenario) =>
        `| ${scenario.title} | \`${scenario.alert}\` | ${seconds(scenario.detect.ms)} (${scenario.detect.expected}) | ` +
        `${seconds(scenario.recover.ms)} (≤ ${seconds(scenario.recover.withinMs)}) | ` +
        `${scenario.load.failed.incident} / ${scenario.load.failed.recovery} / ${scenario.load.failed.after} ` +
        `of ${scenario.load.requests.incident} / ${scenario.load.requests.recovery} / ${scenario.load.requests.after} | ` +
        `${scenario.load.bound} | ${scenario.passed ? "pass" : "FAIL"} |`,
    ),
    "",
  ];
  for (const scenario of report.scenarios) {
    lines.push(`## ${scenario.title}`, "");
    lines.push(
      `Runbook: docs/runbooks/${scenario.runbook}. Alerts that fired: ${scenario.alertsFiring.join(", ") || "none"}.`,
    );
    lines.push(
      `Runbook blocks: ${scenario.runbookBlocks.map((block) => `${block.id} (exit ${block.exitCode}, ${block.durationMs} ms)`).join(", ")}.`,
    );
    const failures = Object.entries(scenario.load.failures);
    if (failures.length > 0) {
      lines.push(`Failed requests: ${failures.map(([what, count]) => `${count} × ${what}`).join("; ")}.`);
    }
    for (const failure of scenario.load.lateFailures ?? []) {
      lines.push(
        `- Failed in the ${failure.phase} phase: ${failure.step} (${failure.reason}), request id ${failure.requestId ?? "none"}` +
          (failure.log.length ? ":" : "; no log line carries it."),
      );
      if (failure.log.length) lines.push("  ```", ...failure.log.map((line) => `  ${line.slice(0, 600)}`), "  ```");
    }
    for (const problem of scenario.problems) lines.push(`- **Problem**: ${problem}`);
    lines.push("");
  }
  for (const problem of report.problems) lines.push(`- **Problem**: ${problem}`);
  return `${lines.join("\n")}\n`;
}

export function writeReports(report: GameDayReport): { json: string; markdown: string } {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = path.join(RESULTS_DIR, "gameday.json");
  const markdown = path.join(RESULTS_DIR, "gameday.md");
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdown, markdownSummary(report));
  return { json, markdown };
}
