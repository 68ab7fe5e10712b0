/**
 * Fly.io: `flyctl deploy --image` applies fly.toml (release_command first, then each process group's
 * machines one at a time, each after its checks pass: https://fly.io/docs/flyctl/deploy/,
 * https://fly.io/docs/reference/configuration/), and the Machines API
 * (https://fly.io/docs/machines/api/) shows what it applied: every machine's image, command, checks
 * and stop settings, and the release_command machine with its exit code.
 *
 *   FLY_APP, FLY_API_TOKEN                    the app and a deploy token (`fly tokens create deploy`)
 *   FLY_ORG                                   previews only: the organization that owns preview apps
 *   FLAPS_BASE_URL                            the Machines API (default https://api.machines.dev), as flyctl reads it
 *   FLYCTL                                    the flyctl binary (default: flyctl on the PATH)
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { flyDurationSeconds, root, type Json } from "../deploy-files.mjs";
import { requireEnv, type Env } from "./config";
import { PlatformError, requestJson } from "./http";
import { flyDeclared, type FlyCheck } from "./manifests";
import { previewEnvironment, publicUrl, type DeployTarget, type Log } from "./target";

const RELEASE_COMMAND_GROUP = "fly_app_release_command";

interface Machine {
  id: string;
  state: string;
  config: Json;
  events?: { type: string; status?: string; timestamp: number; request?: { exit_event?: { exit_code?: number } } }[];
}

export function flyTarget(env: Env, log: Log): DeployTarget {
  const { FLY_APP: app, FLY_API_TOKEN: token } = requireEnv(env, ["FLY_APP", "FLY_API_TOKEN"], "Fly.io");
  const machinesApi = `${(env.FLAPS_BASE_URL?.trim() || "https://api.machines.dev").replace(/\/$/, "")}/v1`;
  const headers = { authorization: `Bearer ${token}` };
  const config = path.join(root, "fly.toml");

  const machines = (appName: string) =>
    requestJson<Machine[]>(`${machinesApi}/apps/${appName}/machines?include_deleted=true`, {
      headers,
      what: `Fly: list the machines of ${appName}`,
    });
  const groupOf = (machine: Machine) => machine.config?.metadata?.fly_process_group ?? "app";
  const live = (list: Machine[]) => list.filter((machine) => !["destroyed", "destroying"].includes(machine.state));

  /** Runs flyctl with the token in its environment (never on its command line); rejects on failure. */
  function flyctl(args: string[], stdin?: string): Promise<void> {
    log(`fly: flyctl ${args.join(" ")}`);
    return new Promise((resolve, reject) => {
      const child = spawn(env.FLYCTL?.trim() || "flyctl", args, {
        cwd: root,
        env: { ...process.env, ...env, FLY_API_TOKEN: token },
        stdio: ["pipe", "pipe", "pipe"],
      });
      const forward = (chunk: Buffer) =>
        chunk
          .toString()
          .split("\n")
          .filter(Boolean)
          .forEach((line) => log(`  ${line}`));
      child.stdout.on("data", forward);
      child.stderr.on("data", forward);
      child.on("error", (error) => reject(new PlatformError(`Fly: flyctl could not start (${error.message})`)));
      child.on("exit", (code) =>
        code === 0 ? resolve() : reject(new PlatformError(`Fly: flyctl ${args[0]} ${args[1] ?? ""} exited ${code}`)),
      );
      child.stdin.end(stdin ?? "");
    });
  }

  const deployImage = (appName: string, image: string, extra: string[] = []) =>
    flyctl(["deploy", "--app", appName, "--config", config, "--image", image, "--wait-timeout", "10m", ...extra]);

  async function appExists(appName: string): Promise<boolean> {
    try {
      await requestJson(`${machinesApi}/apps/${appName}`, { headers, what: `Fly: read app ${appName}` });
      return true;
    } catch (error) {
      if (error instanceof PlatformError && / HTTP 404\b/.test(error.message)) return false;
      throw error;
    }
  }

  const previewApp = (pr: number) => `${app}-pr-${pr}`;

  return {
    platform: "fly",

    async currentImage() {
      const images = live(await machines(app))
        .filter((machine) => groupOf(machine) === "app")
        .map((machine) => String(machine.config.image));
      return images[0];
    },

    deploy: (image) => deployImage(app, image),

    async verify(image) {
      return flyVerify(await machines(app), image);
    },

    rollback: (image) => deployImage(app, image),

    async createPreview({ pr, image, databaseUrl }) {
      const name = previewApp(pr);
      const url = publicUrl(env, `${name}.fly.dev`);
      if (!(await appExists(name))) {
        const { FLY_ORG: org } = requireEnv(env, ["FLY_ORG"], "a Fly.io preview");
        await requestJson(`${machinesApi}/apps`, {
          method: "POST",
          headers,
          body: { app_name: name, org_slug: org },
          what: `Fly: create app ${name}`,
        });
        log(`fly: created app ${name}`);
      }
      // Secrets through stdin (`flyctl secrets import`), never on a command line; staged, so the
      // deploy below starts the machines with them.
      const secrets = Object.entries(previewEnvironment(databaseUrl, url))
        .map(([key, value]) => `${key}=${value}`)
        .join("\n");
      await flyctl(["secrets", "import", "--app", name, "--stage"], `${secrets}\n`);
      // One machine per process group: a preview needs no redundancy.
      await deployImage(name, image, ["--ha=false"]);
      const problems = flyVerify(await machines(name), image);
      if (problems.length)
        throw new PlatformError(`Fly: preview ${name} differs from fly.toml: ${problems.join("; ")}`);
      return { url };
    },

    async destroyPreview(pr) {
      const name = previewApp(pr);
      if (!(await appExists(name))) {
        log(`fly: no app ${name}: nothing to destroy`);
        return;
      }
      await requestJson(`${machinesApi}/apps/${name}?force=true`, {
        method: "DELETE",
        headers,
        what: `Fly: delete app ${name}`,
      });
      log(`fly: deleted app ${name} and its machines`);
    },
  };
}

const checkText = (check: FlyCheck) =>
  `${check.path} on port ${check.port} every ${check.intervalSeconds}s (timeout ${check.timeoutSeconds}s, grace ${check.gracePeriodSeconds}s)`;

/** A machine's checks in the manifest's terms: its service checks (with the service's port) and its own. */
function machineChecks(config: Json): FlyCheck[] {
  const asCheck = (check: Json, port: number): FlyCheck | undefined =>
    check.type === "http" && check.interval && check.timeout && check.grace_period
      ? {
          port: Number(check.port ?? port),
          path: String(check.path),
          intervalSeconds: flyDurationSeconds(check.interval),
          timeoutSeconds: flyDurationSeconds(check.timeout),
          gracePeriodSeconds: flyDurationSeconds(check.grace_period),
        }
      : undefined;
  return [
    ...(config.services ?? []).flatMap((service: Json) =>
      (service.checks ?? []).map((check: Json) => asCheck(check, service.internal_port)),
    ),
    ...Object.values((config.checks ?? {}) as Record<string, Json>).map((check) => asCheck(check, check.port)),
  ].filter((check): check is FlyCheck => check !== undefined);
}

/**
 * What Fly applied, against fly.toml: the release_command ran in its own machine from this image and
 * exited 0 before any process group's machine was updated to it; every machine of each group runs
 * the image with the group's command, checks, kill signal and timeout.
 */
function flyVerify(machines: Machine[], image: string): string[] {
  const declared = flyDeclared();
  const problems: string[] = [];
  const groupOf = (machine: Machine) => machine.config?.metadata?.fly_process_group ?? "app";
  const serving = machines.filter((machine) => !["destroyed", "destroying"].includes(machine.state));
  const updatedAt = (machine: Machine) =>
    Math.max(
      ...(machine.events ?? [])
        .filter((event) => ["launch", "update"].includes(event.type))
        .map((event) => event.timestamp),
    );

  if (declared.releaseCommand) {
    const release = machines
      .filter((machine) => groupOf(machine) === RELEASE_COMMAND_GROUP && machine.config?.image === image)
      .at(-1);
    const exit = release?.events?.filter((event) => event.type === "exit").at(-1);
    if (!release) problems.push(`fly release_command: no machine ran it from ${image}`);
    else {
      if (JSON.stringify(release.config.init?.cmd) !== JSON.stringify(declared.releaseCommand))
        problems.push(
          `fly release_command: ran ${JSON.stringify(release.config.init?.cmd)}, fly.toml says ${JSON.stringify(declared.releaseCommand)}`,
        );
      if (exit?.request?.exit_event?.exit_code !== 0)
        problems.push(`fly release_command: exit code ${exit?.request?.exit_event?.exit_code ?? "unknown"}, not 0`);
      const firstUpdate = Math.min(
        ...serving
          .filter((machine) => machine.config?.image === image && groupOf(machine) !== RELEASE_COMMAND_GROUP)
          .map(updatedAt),
      );
      if (exit && !(exit.timestamp <= firstUpdate))
        problems.push("fly release_command: a machine was updated to the release before the migration finished");
    }
  }

  for (const [group, declaredGroup] of Object.entries(declared.groups)) {
    const members = serving.filter((machine) => groupOf(machine) === group);
    if (members.length < declaredGroup.minMachines)
      problems.push(`fly ${group}: ${members.length} machine(s), fly.toml keeps at least ${declaredGroup.minMachines}`);
    for (const machine of members) {
      const where = `fly ${group} machine ${machine.id}`;
      if (machine.config.image !== image) problems.push(`${where}: runs ${machine.config.image}, not ${image}`);
      if (
        declaredGroup.command.length &&
        JSON.stringify(machine.config.init?.cmd) !== JSON.stringify(declaredGroup.command)
      )
        problems.push(
          `${where}: command ${JSON.stringify(machine.config.init?.cmd)}, fly.toml says ${JSON.stringify(declaredGroup.command)}`,
        );
      const stop = machine.config.stop_config ?? {};
      if (stop.signal !== declared.stopSignal)
        problems.push(`${where}: stops with ${stop.signal ?? "Fly's default"}, fly.toml says ${declared.stopSignal}`);
      const stopSeconds = stop.timeout === undefined ? undefined : flyDurationSeconds(stop.timeout);
      if (stopSeconds !== declared.stopTimeoutSeconds)
        problems.push(
          `${where}: kill timeout ${stopSeconds ?? "Fly's default"}s, fly.toml says ${declared.stopTimeoutSeconds}s`,
        );
      const applied = machineChecks(machine.config).map(checkText);
      for (const check of declaredGroup.checks.map(checkText)) {
        if (!applied.includes(check))
          problems.push(`${where}: no health check ${check} (it has: ${applied.join(", ") || "none"})`);
      }
    }
  }
  return problems;
}
