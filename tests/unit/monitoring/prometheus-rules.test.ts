import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import {
  ALERTMANAGER_CONFIG,
  alertingRules,
  metricNamesIn,
  PROMETHEUS_DIR,
  recordingRules,
  ruleFiles,
  ruleGroups,
  RULE_TESTS_DIR,
  RULES_DIR,
  ruleTestFiles,
  ruleTests,
} from "../../support/monitoring-files";
import { missingRequirement } from "../../support/requirements";

const run = (command: string, args: string[], cwd = PROMETHEUS_DIR) => {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", timeout: 120_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
};

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missingRequirement("promtool", "Prometheus rule and config checks"))("promtool", () => {
  it("check rules accepts every rule file", () => {
    const { status, output } = run("promtool", ["check", "rules", ...ruleFiles().map((file) => `rules/${file}`)]);
    expect(status, output).toBe(0);
  });

  for (const file of ruleTestFiles()) {
    it(`test rules passes ${file}`, { timeout: 120_000 }, () => {
      const { status, output } = run("promtool", ["test", "rules", file], RULE_TESTS_DIR);
      expect(status, output).toBe(0);
      expect(output).toContain("SUCCESS");
    });
  }

  // `check config` also opens the files the config names, and the bearer token file only exists
  // where Prometheus runs (/run/secrets/metrics_token in compose). So the check runs on a copy in a
  // temporary directory that differs only in that path (pointing at a token file made here), with
  // rules/ linked beside it so the relative rule_files glob is checked as compose resolves it.
  it("check config accepts prometheus.yml, its bearer token file and the rules it loads", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "slipway-promcfg-"));
    temporary.push(dir);
    const config = parseYaml(readFileSync(path.join(PROMETHEUS_DIR, "prometheus.yml"), "utf8"));
    for (const name of ["slipway", "slipway-worker"]) {
      const scraped = config.scrape_configs.find((job: { job_name: string }) => job.job_name === name);
      expect(scraped.authorization).toEqual({ type: "Bearer", credentials_file: "/run/secrets/metrics_token" });
      scraped.authorization.credentials_file = path.join(dir, "metrics_token");
    }
    writeFileSync(path.join(dir, "metrics_token"), "a-token\n");
    writeFileSync(path.join(dir, "prometheus.yml"), stringifyYaml(config));
    symlinkSync(RULES_DIR, path.join(dir, "rules"));

    const { status, output } = run("promtool", ["check", "config", "prometheus.yml"], dir);
    expect(status, output).toBe(0);
    expect(output).toContain(`SUCCESS: ${ruleFiles().length} rule files found`);
  });

  it("check config fails on the file as shipped only because the token file is missing here", () => {
    const { status, output } = run("promtool", ["check", "config", "prometheus.yml"]);
    expect(status).toBe(1);
    expect(output).toContain('credentials or bearer token file "/run/secrets/metrics_token"');
    expect(run("promtool", ["check", "config", "--syntax-only", "prometheus.yml"]).status).toBe(0);
  });
});

describe.skipIf(missingRequirement("amtool", "Alertmanager config checks"))("amtool", () => {
  it("check-config accepts the Alertmanager config", () => {
    const { status, output } = run("amtool", ["check-config", ALERTMANAGER_CONFIG]);
    expect(status, output).toBe(0);
  });

  it.each([
    ["P0", "page"],
    ["P1", "on-call"],
    ["P2", "digest"],
    ["P3", "digest"],
    ["none", "digest"],
  ])("routes severity %s to %s", (severity, receiver) => {
    const { status, output } = run("amtool", [
      "config",
      "routes",
      "test",
      `--config.file=${ALERTMANAGER_CONFIG}`,
      `--verify.receivers=${receiver}`,
      `severity=${severity}`,
      "alertname=SlipwayExample",
      "job=slipway",
    ]);
    expect(status, output).toBe(0);
  });

  it("routes every severity the rules use to a receiver of its own tier", () => {
    const severities = new Set(alertingRules().map((rule) => rule.labels?.severity));
    expect([...severities].sort()).toEqual(["P0", "P1", "P2", "P3"]);
  });
});

describe("alerting rules", () => {
  const alerts = alertingRules();
  const RUNBOOK_URL =
    /^https:\/\/github\.com\/slipway-dev\/slipway\/blob\/main\/docs\/runbooks\/[a-z0-9-]+\.md#[a-z0-9-]+$/;

  it("exist for every cause the runbooks handle", () => {
    expect(new Set(alerts.map((rule) => rule.alert))).toEqual(
      new Set([
        "SlipwayDown",
        "SlipwayInstanceDown",
        "SlipwayNoReadyInstance",
        "SlipwayInstanceNotReady",
        "SlipwayDatabaseDown",
        "SlipwayRedisDown",
        "SlipwayRateLimitFallbackActive",
        "SlipwayErrorSpike",
        "SlipwayApiLatencyHigh",
        "SlipwayPageLatencyHigh",
        "SlipwayDatabasePoolSaturated",
        "SlipwayRateLimitRejectionsSurge",
        "SlipwayBackupTooOld",
        "SlipwayBackupFailed",
        "SlipwayAvailabilityBudgetBurn",
        "SlipwayApiLatencyBudgetBurn",
        "SlipwayPageLatencyBudgetBurn",
        "SlipwayWebVitalsPoor",
        "SlipwayJobsNotRunning",
        "SlipwayWorkerDown",
        "SlipwayDeadLettersGrowing",
      ]),
    );
  });

  it("each carry a P0–P3 severity, a summary, a description and a runbook_url in the agreed format", () => {
    const problems = alerts.flatMap((rule) => {
      const found: string[] = [];
      if (!/^P[0-3]$/.test(rule.labels?.severity ?? "")) found.push(`${rule.alert}: severity must be P0..P3`);
      for (const key of ["summary", "description", "runbook_url"]) {
        if (!rule.annotations?.[key]) found.push(`${rule.alert}: no ${key}`);
      }
      if (rule.annotations?.runbook_url && !RUNBOOK_URL.test(rule.annotations.runbook_url)) {
        found.push(`${rule.alert}: runbook_url ${rule.annotations.runbook_url} is not a docs/runbooks heading URL`);
      }
      if (!rule.for) found.push(`${rule.alert}: no for: (one bad scrape would page)`);
      return found;
    });
    expect(problems).toEqual([]);
  });

  it("each have a promtool test that expects them firing (every severity) and one that expects them silent", () => {
    const firing = new Set<string>();
    const silent = new Set<string>();
    for (const file of ruleTests()) {
      for (const test of file.tests) {
        for (const check of test.alert_rule_test ?? []) {
          if (!check.exp_alerts?.length) silent.add(check.alertname);
          for (const expected of check.exp_alerts ?? []) {
            firing.add(`${check.alertname} ${expected.exp_labels?.severity}`);
          }
        }
      }
    }
    const problems = alerts.flatMap((rule) => [
      ...(firing.has(`${rule.alert} ${rule.labels?.severity}`)
        ? []
        : [`${rule.alert} (${rule.labels?.severity}): no test expects it to fire`]),
      ...(silent.has(rule.alert) ? [] : [`${rule.alert}: no test expects it to stay silent`]),
    ]);
    expect(problems).toEqual([]);
  });
});

describe("recording rules", () => {
  it("are each checked by a promql_expr_test, or read by an alert (whose tests then cover them)", () => {
    const queried = ruleTests().flatMap((file) =>
      file.tests.flatMap((test) => (test.promql_expr_test ?? []).map((check) => check.expr)),
    );
    const queriedNames = new Set(queried.flatMap((expr) => [...metricNamesIn(expr)]));
    const readByAlerts = new Set(alertingRules().flatMap((rule) => [...metricNamesIn(rule.expr)]));
    const unchecked = recordingRules()
      .map((rule) => rule.record)
      .filter((name) => !queriedNames.has(name) && !readByAlerts.has(name));
    expect(unchecked).toEqual([]);
  });

  it("that an alert reads sit earlier in the alert's own group (groups run independently: no lag)", () => {
    const problems: string[] = [];
    for (const group of ruleGroups()) {
      const recordedHere: string[] = [];
      for (const rule of group.rules) {
        if ("record" in rule) {
          recordedHere.push(rule.record);
          continue;
        }
        for (const name of metricNamesIn(rule.expr)) {
          if (name.includes(":") && !recordedHere.includes(name)) {
            problems.push(`${rule.alert} reads ${name}, which is not recorded earlier in group ${group.name}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("parse as PromQL, as does every alert expression", () => {
    for (const group of ruleGroups()) {
      for (const rule of group.rules) expect(() => metricNamesIn(rule.expr)).not.toThrow();
    }
  });
});

describe("metricNamesIn", () => {
  it("finds the selected metrics and nothing else", () => {
    expect(
      metricNamesIn('sum by (job, route) (rate(http_requests_total{status_class="5xx"}[5m])) / on (job) group_left up'),
    ).toEqual(new Set(["http_requests_total", "up"]));
  });

  it("reads {__name__=...} selectors and Grafana variables", () => {
    expect(
      metricNamesIn('{__name__="slipway_ready", instance=~"$instance"} + rate(x_total[$__rate_interval])'),
    ).toEqual(new Set(["slipway_ready", "x_total"]));
  });

  it("refuses an expression that is not PromQL", () => {
    expect(() => metricNamesIn("sum(rate(foo[5m])")).toThrow(/not valid PromQL/);
  });
});
