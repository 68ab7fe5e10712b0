import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify as stringifyYaml } from "yaml";
import { freePort } from "../../scripts/embedded-postgres";
import { RULES_DIR, ruleFiles } from "./monitoring-files";

/**
 * A real Prometheus (Debian's `prometheus` binary) for tests: on a free loopback port, scraping the
 * given targets as job "slipway" (and workers as job "slipway-worker") with the metrics bearer
 * token from a file, loaded with the
 * repository's rules unchanged (ops/prometheus/rules), with short scrape and evaluation intervals
 * so alerts reach their `for:` in real time. Tests read alert state from Prometheus's API; with
 * `alertmanagers` it also sends them on (tests/support/alertmanager.ts). Stopped by PID; its data
 * directory is removed.
 *
 *   const prometheus = await startPrometheus({ targets: [`127.0.0.1:${server.port}`], metricsToken });
 *   await prometheus.waitForAlert("SlipwayInstanceDown", "firing", { timeoutMs: 120_000 });
 *   await prometheus.stop();
 */

export interface PrometheusOptions {
  /** host:port of each app instance. */
  targets: string[];
  /**
   * host:port of each background worker (WORKER_PORT), scraped as job "slipway-worker" on /metrics
   * with the same token, as ops/prometheus/prometheus.yml does (SlipwayWorkerDown reads it).
   */
  workerTargets?: string[];
  metricsToken: string;
  /** Default 1s. */
  scrapeInterval?: string;
  /** Default 1s. */
  evaluationInterval?: string;
  /** host:port of Alertmanagers to send alerts to (none by default). */
  alertmanagers?: string[];
  /** Rule files loaded after the repository's (absolute paths). */
  extraRuleFiles?: string[];
  /** Scrape jobs besides "slipway" (e.g. the Pushgateway's, as ops/prometheus/prometheus.yml has it). */
  extraScrapeConfigs?: Record<string, unknown>[];
  /**
   * Past samples (OpenMetrics text, timestamps in seconds, ending with `# EOF`) written into the
   * data directory with `promtool tsdb create-blocks-from openmetrics` before Prometheus starts
   * (retention is then 60 days instead of 1): history as if it had been scraped.
   */
  backfill?: string;
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: "pending" | "firing";
  activeAt: string;
  value: string;
}

export interface PromRuleGroup {
  name: string;
  file: string;
  rules: { name: string; type: "alerting" | "recording"; health: string; lastError?: string }[];
}

export interface PromTarget {
  labels: Record<string, string>;
  health: "up" | "down" | "unknown";
  lastError: string;
  scrapeUrl: string;
}

export interface PrometheusHandle {
  url: string;
  port: number;
  pid: number;
  /** Everything Prometheus printed. */
  logs: string[];
  query: (expr: string) => Promise<PromSample[]>;
  alerts: () => Promise<PromAlert[]>;
  rules: () => Promise<PromRuleGroup[]>;
  targets: () => Promise<PromTarget[]>;
  /**
   * Resolves once an alert named `name` (whose labels include `labels`) is in `state`, or, for
   * "inactive", once none is pending or firing; with the time it took. Rejects after `timeoutMs`.
   */
  waitForAlert: (
    name: string,
    state: "pending" | "firing" | "inactive",
    options?: { labels?: Record<string, string>; timeoutMs?: number },
  ) => Promise<{ elapsedMs: number; alert?: PromAlert }>;
  stop: () => Promise<void>;
}

async function api<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== "success") throw new Error(`Prometheus API ${url}: ${body.error ?? response.status}`);
  return body.data;
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusHandle> {
  const dir = mkdtempSync(path.join(tmpdir(), "slipway-prometheus-"));
  const tokenFile = path.join(dir, "metrics_token");
  writeFileSync(tokenFile, `${options.metricsToken}\n`, { mode: 0o600 });
  const config = {
    global: {
      scrape_interval: options.scrapeInterval ?? "1s",
      scrape_timeout: options.scrapeInterval ?? "1s",
      evaluation_interval: options.evaluationInterval ?? "1s",
    },
    rule_files: [...ruleFiles().map((file) => path.join(RULES_DIR, file)), ...(options.extraRuleFiles ?? [])],
    ...(options.alertmanagers?.length
      ? { alerting: { alertmanagers: [{ static_configs: [{ targets: options.alertmanagers }] }] } }
      : {}),
    scrape_configs: [
      {
        job_name: "slipway",
        metrics_path: "/api/metrics",
        authorization: { type: "Bearer", credentials_file: tokenFile },
        static_configs: [{ targets: options.targets }],
      },
      ...(options.workerTargets?.length
        ? [
            {
              job_name: "slipway-worker",
              metrics_path: "/metrics",
              authorization: { type: "Bearer", credentials_file: tokenFile },
              static_configs: [{ targets: options.workerTargets }],
            },
          ]
        : []),
      ...(options.extraScrapeConfigs ?? []),
    ],
  };
  writeFileSync(path.join(dir, "prometheus.yml"), stringifyYaml(config));
  if (options.backfill !== undefined) {
    writeFileSync(path.join(dir, "backfill.om"), options.backfill);
    const backfilled = spawnSync(
      "promtool",
      ["tsdb", "create-blocks-from", "openmetrics", "--quiet", path.join(dir, "backfill.om"), path.join(dir, "data")],
      { encoding: "utf8", timeout: 60_000 },
    );
    if (backfilled.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`promtool could not backfill: ${backfilled.stderr || backfilled.error?.message}`);
    }
  }

  const port = await freePort();
  const child = spawn(
    "prometheus",
    [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.retention.time=${options.backfill === undefined ? "1d" : "60d"}`,
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const logs: string[] = [];
  const collect = (chunk: Buffer) => logs.push(...chunk.toString().split("\n").filter(Boolean));
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode}:\n${logs.join("\n")}`);
    }
    try {
      if ((await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready:\n${logs.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  const alerts = async () => (await api<{ alerts: PromAlert[] }>(`${url}/api/v1/alerts`)).alerts;
  const matches = (alert: PromAlert, name: string, labels: Record<string, string>) =>
    alert.labels.alertname === name && Object.entries(labels).every(([key, value]) => alert.labels[key] === value);

  return {
    url,
    port,
    pid: child.pid!,
    logs,
    query: async (expr) =>
      (await api<{ result: PromSample[] }>(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
    alerts,
    rules: async () => (await api<{ groups: PromRuleGroup[] }>(`${url}/api/v1/rules`)).groups,
    targets: async () => (await api<{ activeTargets: PromTarget[] }>(`${url}/api/v1/targets`)).activeTargets,
    waitForAlert: async (name, state, { labels = {}, timeoutMs = 180_000 } = {}) => {
      const started = Date.now();
      for (;;) {
        const found = (await alerts()).filter((alert) => matches(alert, name, labels));
        const done = state === "inactive" ? found.length === 0 : found.find((alert) => alert.state === state);
        if (done) {
          return { elapsedMs: Date.now() - started, alert: typeof done === "object" ? done : undefined };
        }
        if (Date.now() - started > timeoutMs) {
          throw new Error(`${name} not ${state} within ${timeoutMs} ms; alerts: ${JSON.stringify(found)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    },
    stop,
  };
}
