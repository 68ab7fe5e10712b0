import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import parsePrometheusTextFormat, { type PrometheusFamily } from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  alertingRules,
  dashboardExpressions,
  dashboards,
  metricNamesIn,
  PROMETHEUS_SERIES,
  recordingRules,
} from "../../support/monitoring-files";
import { missingRequirement } from "../../support/requirements";
import { runbookBlock, runRunbookBlock } from "../../support/runbook";
import { startStandaloneServer, type StandaloneServer } from "../../support/standalone-server";

/**
 * Every metric the Prometheus rules and the Grafana dashboards read is one the production server
 * actually exports: the names come from a scrape of the real standalone server (with the database,
 * Redis when available and a backup status file configured, so optional metrics appear), not from
 * a list in the test.
 */

const METRICS_TOKEN = "metric-names-token-0123456789abc";

let server: StandaloneServer;
let statusDir: string;
let statusFile: string;
let families: PrometheusFamily[];

/** The series names a family is queried by: a histogram's _bucket, _sum and _count, and so on. */
function seriesNames(family: PrometheusFamily): string[] {
  if (family.type === "HISTOGRAM") return ["_bucket", "_sum", "_count"].map((suffix) => family.name + suffix);
  if (family.type === "SUMMARY") return [family.name, `${family.name}_sum`, `${family.name}_count`];
  return [family.name];
}

beforeAll(async () => {
  statusDir = mkdtempSync(path.join(tmpdir(), "slipway-backup-status-"));
  statusFile = path.join(statusDir, "backup-status.json");
  const now = new Date().toISOString();
  writeFileSync(
    statusFile,
    JSON.stringify({
      lastAttemptAt: now,
      lastAttemptOk: true,
      lastSuccessAt: now,
      lastSuccessLabel: "20261201-030000F",
      lastSuccessType: "full",
      lastError: null,
    }),
  );
  const redisUrl = inject("redisUrl");
  server = await startStandaloneServer({
    dir: inject("standaloneDir"),
    env: {
      DATABASE_URL: inject("databaseUrl"),
      METRICS_TOKEN,
      BACKUP_STATUS_FILE: statusFile,
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    },
  });
  // A few requests of each kind, so every per-request metric has samples.
  for (const route of ["/", "/health/ready", "/api/health", "/api/v1/projects", "/robots.txt", "/no-such-page"]) {
    await (await fetch(server.url + route)).text();
  }
  const response = await fetch(`${server.url}/api/metrics`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
  });
  expect(response.status).toBe(200);
  families = parsePrometheusTextFormat(await response.text());
});

afterAll(async () => {
  await server?.stop();
  if (statusDir) rmSync(statusDir, { recursive: true, force: true });
});

/** Metric names the rules and dashboards select, by where they are used. */
function usedMetricNames(): Map<string, string[]> {
  const used = new Map<string, string[]>();
  const add = (where: string, expr: string) => {
    for (const name of metricNamesIn(expr)) used.set(name, [...(used.get(name) ?? []), where]);
  };
  for (const rule of alertingRules()) add(`alert ${rule.alert}`, rule.expr);
  for (const rule of recordingRules()) add(`record ${rule.record}`, rule.expr);
  for (const dashboard of dashboards()) {
    for (const { where, expr } of dashboardExpressions(dashboard.json)) add(`${dashboard.file} ${where}`, expr);
  }
  return used;
}

describe("metric names in ops/ against the running app", () => {
  it("every metric the rules and dashboards read is exported by the app (or recorded by a rule, or pushed by the backup scheduler)", () => {
    const exported = new Set(families.flatMap(seriesNames));
    const recorded = new Set(recordingRules().map((rule) => rule.record));
    // What db/pgbackrest/slipway-backup pushes to the Pushgateway after each run (report_run).
    const scheduler = readFileSync(path.resolve(import.meta.dirname, "../../../db/pgbackrest/slipway-backup"), "utf8");
    const pushed = new Set([...scheduler.matchAll(/"(slipway_\w+)\{/g)].map((match) => match[1]!));
    expect(pushed).toContain("slipway_backup_last_run_success");
    const unknown = [...usedMetricNames()]
      .filter(
        ([name]) => !exported.has(name) && !recorded.has(name) && !pushed.has(name) && !PROMETHEUS_SERIES.has(name),
      )
      .map(([name, where]) => `${name} (used by ${where.join(", ")})`);
    expect(unknown, "metrics the app does not export").toEqual([]);
  });

  it("reads histograms as their _bucket, _sum and _count series", () => {
    const exported = new Set(families.flatMap(seriesNames));
    expect(exported).toContain("http_request_duration_seconds_bucket");
    expect(exported).toContain("http_request_duration_seconds_count");
    expect(exported).not.toContain("http_request_duration_seconds");
  });
});

// The backup-age alert's runbook reads the same server: what the app reports and the file it reads.
describe.skipIf(missingRequirement("jq", "the backup runbook's command"))("SlipwayBackupTooOld's runbook", () => {
  it("troubleshooting.md {run=backup-status} shows the app's backup check and the status file behind it", async () => {
    const result = await runRunbookBlock(runbookBlock("troubleshooting.md", "backup-status"), {
      env: { APP_URL: server.url, BACKUP_STATUS_FILE: statusFile },
      timeoutMs: 30_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/"status": "ok"/);
    expect(result.stdout).toMatch(/"lastAttemptOk": true/);
    expect(result.stdout).toContain('"lastSuccessLabel": "20261201-030000F"');
  });
});
