import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  dashboardExpressions,
  dashboards,
  metricNamesIn,
  OPS_DIR,
  recordingRules,
  type DashboardPanel,
} from "../../support/monitoring-files";

const provisionedDatasource = parseYaml(
  readFileSync(path.join(OPS_DIR, "grafana/provisioning/datasources/prometheus.yml"), "utf8"),
).datasources[0];

const allPanels = (panels: DashboardPanel[]): DashboardPanel[] =>
  panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);

describe("Grafana dashboards", () => {
  it("exist, each with a unique uid and title", () => {
    const all = dashboards();
    expect(all.length).toBeGreaterThan(0);
    expect(new Set(all.map((dashboard) => dashboard.uid)).size).toBe(all.length);
    for (const dashboard of all) expect(dashboard.title, dashboard.file).toBeTruthy();
  });

  for (const dashboard of dashboards()) {
    describe(dashboard.file, () => {
      const expressions = dashboardExpressions(dashboard.json);

      it("runs only PromQL that parses", () => {
        for (const { where, expr } of expressions) expect(() => metricNamesIn(expr), where).not.toThrow();
      });

      it("reads recorded series only where a rule records them", () => {
        const recorded = new Set(recordingRules().map((rule) => rule.record));
        const missing = expressions.flatMap(({ where, expr }) =>
          [...metricNamesIn(expr)]
            .filter((name) => name.includes(":") && !recorded.has(name))
            .map((n) => `${where}: ${n}`),
        );
        expect(missing).toEqual([]);
      });

      it("queries the provisioned Prometheus datasource by its uid", () => {
        const uids = new Set(
          allPanels(dashboard.json.panels)
            .filter((panel) => panel.type !== "row")
            .map((panel) => (panel as { datasource?: { uid?: string } }).datasource?.uid),
        );
        expect([...uids]).toEqual([provisionedDatasource.uid]);
      });

      it("covers traffic, errors, latency, readiness, dependencies, pool, rate limits, runtime, releases and Web Vitals", () => {
        const used = new Set(expressions.flatMap(({ expr }) => [...metricNamesIn(expr)]));
        for (const name of [
          "job_route_status:http_requests:rate5m",
          "job:http_request_errors:ratio_rate5m",
          "http_request_duration_seconds_bucket",
          "job_slo_class:http_request_duration_seconds:p95_rate5m",
          "slipway_ready",
          "slipway_health_check_up",
          "slipway_redis_up",
          "slipway_db_pool_connections",
          "slipway_rate_limit_rejected_total",
          "slipway_rate_limit_fallback_total",
          "process_resident_memory_bytes",
          "nodejs_eventloop_lag_p99_seconds",
          "slipway_build_info",
          "job_route_metric:web_vitals_seconds:p75_rate1h",
          "job_route:web_vitals_cls:p75_rate1h",
        ]) {
          expect(used, name).toContain(name);
        }
        const releases = dashboard.json.annotations?.list.find((annotation) => annotation.name === "Releases");
        expect(releases?.expr).toContain("slipway_build_info");
      });

      it("gives every panel a title and a description", () => {
        const untitled = allPanels(dashboard.json.panels).filter(
          (panel) => !panel.title || (panel.type !== "row" && !(panel as { description?: string }).description),
        );
        expect(untitled).toEqual([]);
      });
    });
  }
});
