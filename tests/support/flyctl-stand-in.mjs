#!/usr/bin/env node
/**
 * Plays `flyctl` for the tests (the real one cannot be installed here): the subcommands
 * scripts/platforms/fly.ts runs, against the Machines API at FLAPS_BASE_URL (the variable flyctl
 * reads) with FLY_API_TOKEN, doing what Fly documents for each (https://fly.io/docs/flyctl/deploy/,
 * https://fly.io/docs/reference/configuration/):
 *
 *   deploy --app A --config F --image I [--wait-timeout T] [--ha=false]
 *       release_command in a machine of its own from I (auto-destroyed), and a non-zero exit stops
 *       the deploy; then each [processes] group's machines updated one at a time (or launched) with
 *       the group's command, fly.toml's [env], its checks (http_service's for the groups it serves,
 *       [checks.*] for the groups they name), kill_signal and kill_timeout, each waited for until
 *       its checks pass
 *   secrets import --app A --stage       NAME=VALUE lines on stdin
 *
 * Its mapping of fly.toml to machine config is written here from Fly's documentation, separately
 * from scripts/platforms/fly.ts's reading of it, so that the read-back checks two readings.
 * Anything else exits 2.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { parse } from "smol-toml";

const api = `${process.env.FLAPS_BASE_URL}/v1`;
const headers = { authorization: `Bearer ${process.env.FLY_API_TOKEN}`, "content-type": "application/json" };

async function call(method, route, body) {
  const response = await fetch(`${api}${route}`, { method, headers, body: body && JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const fail = (message) => {
  console.error(`Error: ${message}`);
  process.exit(1);
};

const words = (command) => command.trim().split(/\s+/);

function machineConfig(fly, image, group) {
  const service = fly.http_service;
  const servesHttp = service && (service.processes ?? ["app"]).includes(group);
  const checks = Object.fromEntries(
    Object.entries(fly.checks ?? {})
      .filter(([, check]) => (check.processes ?? [group]).includes(group))
      .map(([name, { processes: _processes, ...check }]) => [name, check]),
  );
  const vm = (fly.vm ?? []).find((candidate) => (candidate.processes ?? [group]).includes(group));
  return {
    image,
    env: { ...fly.env, FLY_PROCESS_GROUP: group, PRIMARY_REGION: fly.primary_region },
    init: fly.processes?.[group] ? { cmd: words(fly.processes[group]) } : {},
    guest: { cpu_kind: "shared", cpus: 1, memory_mb: Number.parseInt(String(vm?.memory ?? "256"), 10) },
    metadata: { fly_process_group: group, fly_platform_version: "v2" },
    restart: { policy: "on-failure" },
    ...(servesHttp
      ? {
          services: [
            {
              protocol: "tcp",
              internal_port: service.internal_port,
              autostop: service.auto_stop_machines,
              autostart: service.auto_start_machines,
              min_machines_running: service.min_machines_running,
              ports: [
                { port: 80, handlers: ["http"], force_https: service.force_https },
                { port: 443, handlers: ["tls", "http"] },
              ],
              checks: (service.checks ?? []).map((check) => ({ type: "http", ...check })),
              concurrency: service.concurrency,
            },
          ],
        }
      : {}),
    ...(Object.keys(checks).length ? { checks } : {}),
    stop_config: { signal: fly.kill_signal ?? "SIGINT", timeout: String(fly.kill_timeout ?? "5s") },
  };
}

async function waitForChecks(app, machine, deadline) {
  for (;;) {
    const current = await call("GET", `/apps/${app}/machines/${machine.id}`);
    if (current.state === "started" && current.checks.every((check) => check.status === "passing")) return;
    if (Date.now() > deadline)
      fail(
        `machine ${machine.id} did not pass its checks: ${current.checks.map((check) => `${check.name} ${check.status}`).join(", ")}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function deploy(options) {
  const fly = parse(readFileSync(options.config, "utf8"));
  const app = options.app;
  await call("GET", `/apps/${app}`).catch(() => fail(`app ${app} not found`));
  const deadline = Date.now() + 60_000;
  if (fly.deploy?.release_command) {
    console.log(`Running ${app} release_command: ${fly.deploy.release_command}`);
    const release = await call("POST", `/apps/${app}/machines`, {
      config: {
        image: options.image,
        env: { ...fly.env, RELEASE_COMMAND: "1" },
        init: { cmd: words(fly.deploy.release_command) },
        metadata: { fly_process_group: "fly_app_release_command" },
        restart: { policy: "no" },
        auto_destroy: true,
      },
      region: fly.primary_region,
    });
    const exit = release.events.filter((event) => event.type === "exit").at(-1);
    const code = exit?.request?.exit_event?.exit_code;
    if (code !== 0) fail(`release_command machine ${release.id} exited with non-zero status of ${code}`);
    console.log(`  release_command ${release.id} completed successfully`);
  }
  const machines = (await call("GET", `/apps/${app}/machines`)).filter((machine) => machine.state !== "destroyed");
  for (const group of Object.keys(fly.processes ?? { app: "" })) {
    const config = machineConfig(fly, options.image, group);
    const members = machines.filter((machine) => (machine.config.metadata?.fly_process_group ?? "app") === group);
    if (members.length === 0) {
      const count = options.ha && config.services ? 2 : 1;
      for (let index = 0; index < count; index++) {
        const machine = await call("POST", `/apps/${app}/machines`, { config, region: fly.primary_region });
        await waitForChecks(app, machine, deadline);
      }
      continue;
    }
    // Rolling: one machine at a time, each after its checks pass.
    for (const machine of members) {
      await call("POST", `/apps/${app}/machines/${machine.id}`, { config, region: machine.region });
      await waitForChecks(app, machine, deadline);
    }
  }
  console.log(`Visit your newly deployed app at https://${app}.fly.dev/`);
}

const [command, subcommand, ...rest] = process.argv.slice(2);
if (command === "deploy") {
  const { values } = parseArgs({
    args: [subcommand, ...rest].filter((arg) => arg !== undefined),
    options: {
      app: { type: "string" },
      config: { type: "string" },
      image: { type: "string" },
      "wait-timeout": { type: "string" },
      ha: { type: "string" },
    },
  });
  if (!values.app || !values.config || !values.image) fail("deploy needs --app, --config and --image here");
  await deploy({ app: values.app, config: values.config, image: values.image, ha: values.ha !== "false" });
} else if (command === "secrets" && subcommand === "import") {
  const { values } = parseArgs({ args: rest, options: { app: { type: "string" }, stage: { type: "boolean" } } });
  const input = readFileSync(0, "utf8");
  const secrets = Object.fromEntries(
    input
      .split("\n")
      .filter((line) => line.includes("="))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  const response = await fetch(`${process.env.FLAPS_BASE_URL}/_stand-in/apps/${values.app}/secrets`, {
    method: "POST",
    headers,
    body: JSON.stringify(secrets),
  });
  if (!response.ok) fail(`secrets import: ${response.status}`);
  console.log(`Secrets are staged for the next deployment (${Object.keys(secrets).length})`);
} else {
  console.error(`flyctl stand-in: ${command} ${subcommand ?? ""} is not modelled`);
  process.exit(2);
}
