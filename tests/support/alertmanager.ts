import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { freePort } from "../../scripts/embedded-postgres";
import { runCommand } from "./command";
import { ALERTMANAGER_CONFIG } from "./monitoring-files";

/**
 * A real Alertmanager (Debian's /usr/bin/prometheus-alertmanager) for tests, running the
 * repository's ops/alertmanager/alertmanager.yml with two kinds of change and no other:
 *
 * - each receiver's destination file (`api_url_file`) is replaced by a file holding
 *   `${receiverBaseUrl}/<receiver name>`, so a local webhook receiver (tests/support/webhook-receiver.ts)
 *   sees which route delivered what;
 * - `timings` replaces group_wait / group_interval / repeat_interval per receiver's route, so a
 *   test proves the routing in seconds where production waits minutes or a day.
 *
 * On a free loopback port, no cluster port; stopped by PID, its directory removed.
 *
 *   const am = await startAlertmanager({ receiverBaseUrl: receiver.url, timings: { page: { group_wait: "1s" } } });
 */

export interface RouteTimings {
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
}

interface RouteConfig extends RouteTimings {
  receiver: string;
  matchers?: string[];
  group_by?: string[];
  routes?: RouteConfig[];
}

interface AlertmanagerConfig {
  route: RouteConfig;
  templates?: string[];
  receivers: { name: string; slack_configs?: { api_url_file?: string }[] }[];
}

/** The repository's Alertmanager config as data. */
export function repositoryAlertmanagerConfig(): AlertmanagerConfig {
  return parseYaml(readFileSync(ALERTMANAGER_CONFIG, "utf8")) as AlertmanagerConfig;
}

/** The routes of a config, the top-level one first. */
export function routesOf(config: AlertmanagerConfig): RouteConfig[] {
  const visit = (route: RouteConfig): RouteConfig[] => [route, ...(route.routes ?? []).flatMap(visit)];
  return visit(config.route);
}

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  status: { state: "active" | "suppressed" | "unprocessed"; silencedBy: string[]; inhibitedBy: string[] };
}

export interface AlertmanagerHandle {
  url: string;
  /** host:port, for Prometheus's alerting config. */
  address: string;
  pid: number;
  logs: string[];
  alerts: () => Promise<AlertmanagerAlert[]>;
  /** amtool silence add; returns the silence id. */
  silence: (matchers: string[], comment: string) => Promise<string>;
  /** amtool silence expire. */
  expireSilence: (id: string) => Promise<void>;
  stop: () => Promise<void>;
}

export async function startAlertmanager(options: {
  receiverBaseUrl: string;
  timings?: Record<string, RouteTimings>;
}): Promise<AlertmanagerHandle> {
  const dir = mkdtempSync(path.join(tmpdir(), "slipway-alertmanager-"));
  const config = repositoryAlertmanagerConfig();
  for (const receiver of config.receivers) {
    for (const slack of receiver.slack_configs ?? []) {
      const file = path.join(dir, `${receiver.name}.url`);
      writeFileSync(file, `${options.receiverBaseUrl}/${receiver.name}\n`);
      slack.api_url_file = file;
    }
  }
  for (const route of routesOf(config)) {
    Object.assign(route, options.timings?.[route.receiver] ?? {});
  }
  config.templates = (config.templates ?? []).map((file) => path.resolve(path.dirname(ALERTMANAGER_CONFIG), file));
  const configFile = path.join(dir, "alertmanager.yml");
  writeFileSync(configFile, stringifyYaml(config));

  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const url = `http://${address}`;
  const child = spawn(
    "prometheus-alertmanager",
    [
      `--config.file=${configFile}`,
      `--storage.path=${path.join(dir, "data")}`,
      `--web.listen-address=${address}`,
      "--cluster.listen-address=",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const logs: string[] = [];
  const collect = (chunk: Buffer) => logs.push(...chunk.toString().split("\n").filter(Boolean));
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

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
      throw new Error(`alertmanager exited with ${child.exitCode}:\n${logs.join("\n")}`);
    }
    try {
      if ((await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`alertmanager did not become ready:\n${logs.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  const amtool = async (args: string[]) => {
    const result = await runCommand("amtool", [`--alertmanager.url=${url}`, ...args], { timeoutMs: 30_000 });
    if (result.code !== 0) throw new Error(`amtool ${args.join(" ")}: ${result.stderr}${result.stdout}`);
    return result.stdout.trim();
  };

  return {
    url,
    address,
    pid: child.pid!,
    logs,
    alerts: async () => {
      const response = await fetch(`${url}/api/v2/alerts`, { signal: AbortSignal.timeout(5000) });
      return (await response.json()) as AlertmanagerAlert[];
    },
    silence: (matchers, comment) =>
      amtool(["silence", "add", "--author=tests", `--comment=${comment}`, "--duration=1h", ...matchers]),
    expireSilence: async (id) => {
      await amtool(["silence", "expire", id]);
    },
    stop,
  };
}
