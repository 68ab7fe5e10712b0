import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parser } from "@prometheus-io/lezer-promql";
import { parse as parseYaml } from "yaml";

/**
 * The monitoring configuration in ops/ as plain data, for the checks in tests/unit/monitoring and
 * tests/integration/monitoring: Prometheus rule files and their promtool tests, Grafana dashboards,
 * and the metric names their PromQL reads (parsed with Prometheus's own PromQL grammar).
 */

export const OPS_DIR = path.resolve(import.meta.dirname, "../../ops");
export const PROMETHEUS_DIR = path.join(OPS_DIR, "prometheus");
export const RULES_DIR = path.join(PROMETHEUS_DIR, "rules");
export const RULE_TESTS_DIR = path.join(PROMETHEUS_DIR, "tests");
export const ALERTMANAGER_CONFIG = path.join(OPS_DIR, "alertmanager", "alertmanager.yml");
export const DASHBOARDS_DIR = path.join(OPS_DIR, "grafana", "dashboards");

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}
export type Rule = AlertingRule | RecordingRule;
export interface RuleGroup {
  file: string;
  name: string;
  rules: Rule[];
}

const yamlFiles = (dir: string, suffix = ".yml") =>
  readdirSync(dir)
    .filter((file) => file.endsWith(suffix))
    .sort();

export const ruleFiles = (): string[] => yamlFiles(RULES_DIR);
export const ruleTestFiles = (): string[] => yamlFiles(RULE_TESTS_DIR, ".test.yml");

export function ruleGroups(): RuleGroup[] {
  return ruleFiles().flatMap((file) => {
    const { groups } = parseYaml(readFileSync(path.join(RULES_DIR, file), "utf8")) as {
      groups: { name: string; rules: Rule[] }[];
    };
    return groups.map((group) => ({ file, name: group.name, rules: group.rules }));
  });
}

export const isAlert = (rule: Rule): rule is AlertingRule => "alert" in rule;

export const alertingRules = (): (AlertingRule & { group: string })[] =>
  ruleGroups().flatMap((group) => group.rules.filter(isAlert).map((rule) => ({ ...rule, group: group.name })));

export const recordingRules = (): (RecordingRule & { group: string })[] =>
  ruleGroups().flatMap((group) =>
    group.rules.filter((rule): rule is RecordingRule => !isAlert(rule)).map((rule) => ({ ...rule, group: group.name })),
  );

export interface RuleTestFile {
  file: string;
  rule_files: string[];
  tests: {
    name?: string;
    alert_rule_test?: {
      eval_time: string;
      alertname: string;
      exp_alerts?: { exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }[];
    }[];
    promql_expr_test?: { expr: string; eval_time: string }[];
  }[];
}

export const ruleTests = (): RuleTestFile[] =>
  ruleTestFiles().map((file) => ({
    file,
    ...(parseYaml(readFileSync(path.join(RULE_TESTS_DIR, file), "utf8")) as Omit<RuleTestFile, "file">),
  }));

/** Grafana template variables and macros, replaced by something PromQL parses ($__rate_interval → 5m). */
function withoutGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__(rate_)?interval|\$__range/g, "5m")
    .replace(/\[\$\w+\]/g, "[5m]")
    .replace(/\$\{?\w+\}?/g, "placeholder");
}

/**
 * Metric names a PromQL expression selects (`foo` in `rate(foo{a="b"}[5m])`), from the parse tree:
 * function names, label names, keywords and strings are never mistaken for metrics. Throws on an
 * expression PromQL cannot parse.
 */
export function metricNamesIn(expr: string): Set<string> {
  const source = withoutGrafanaVariables(expr);
  const tree = parser.parse(source);
  const names = new Set<string>();
  const cursor = tree.cursor();
  do {
    if (cursor.type.isError) {
      throw new Error(`not valid PromQL at offset ${cursor.from}: ${source}`);
    }
    if (cursor.name === "VectorSelector") {
      const selector = cursor.node;
      const identifier = selector.getChild("Identifier");
      if (identifier) names.add(source.slice(identifier.from, identifier.to));
      // {__name__="foo"} selects by name too.
      const byName = /__name__\s*=\s*"([^"]+)"/.exec(source.slice(selector.from, selector.to));
      if (byName) names.add(byName[1]!);
    }
  } while (cursor.next());
  return names;
}

export interface Dashboard {
  file: string;
  title: string;
  uid: string;
  json: DashboardJson;
}
export interface DashboardTarget {
  expr?: string;
  legendFormat?: string;
  refId?: string;
}
export interface DashboardPanel {
  title?: string;
  type: string;
  targets?: DashboardTarget[];
  panels?: DashboardPanel[];
}
export interface DashboardJson {
  uid: string;
  title: string;
  panels: DashboardPanel[];
  annotations?: { list: { name: string; expr?: string; target?: DashboardTarget }[] };
  templating?: { list: { name: string; query?: string | { query: string }; definition?: string }[] };
}

export const dashboards = (): Dashboard[] =>
  readdirSync(DASHBOARDS_DIR)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => {
      const json = JSON.parse(readFileSync(path.join(DASHBOARDS_DIR, file), "utf8")) as DashboardJson;
      return { file, title: json.title, uid: json.uid, json };
    });

/** Every PromQL expression a dashboard runs: panel targets (rows included), annotations, variables. */
export function dashboardExpressions(dashboard: DashboardJson): { where: string; expr: string }[] {
  const found: { where: string; expr: string }[] = [];
  const visit = (panels: DashboardPanel[]) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (target.expr) found.push({ where: `panel "${panel.title}"`, expr: target.expr });
      }
      visit(panel.panels ?? []);
    }
  };
  visit(dashboard.panels);
  for (const annotation of dashboard.annotations?.list ?? []) {
    const expr = annotation.target?.expr ?? annotation.expr;
    if (expr) found.push({ where: `annotation "${annotation.name}"`, expr });
  }
  for (const variable of dashboard.templating?.list ?? []) {
    const query = typeof variable.query === "string" ? variable.query : variable.query?.query;
    // label_values(metric, label) is Grafana's, not PromQL: its first argument is the selector.
    const labelValues = query && /^label_values\((.+?)(?:,\s*\w+)?\)$/.exec(query.trim());
    if (labelValues) found.push({ where: `variable "${variable.name}"`, expr: labelValues[1]! });
  }
  return found;
}

/** Series Prometheus itself writes: `up` for every target, ALERTS for alert state. */
export const PROMETHEUS_SERIES = new Set(["up", "ALERTS", "ALERTS_FOR_STATE", "scrape_duration_seconds"]);
