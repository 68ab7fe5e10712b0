/**
 * What each platform's manifest declares for a release, in the terms of the platform's API: the
 * settings the pipeline sends (Railway, Render) or flyctl applies (Fly), and then reads back to
 * compare (post-deploy verification). The manifests stay the one place these values live.
 */
import {
  flyDurationSeconds,
  readFly,
  readRailway,
  readRailwayWorker,
  readRender,
  TARGET_FILES,
  type Json,
} from "../deploy-files.mjs";
import { ConfigError } from "./config";

// ---- Fly.io (fly.toml) ------------------------------------------------------------------------------

export interface FlyCheck {
  port: number;
  path: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  gracePeriodSeconds: number;
}

export interface FlyGroup {
  /** The process group's command (machine config init.cmd). */
  command: string[];
  checks: FlyCheck[];
  /** Machines the group keeps running at least (the web group's min_machines_running; 1 for others). */
  minMachines: number;
}

export interface FlyDeclared {
  app: string;
  releaseCommand: string[] | undefined;
  stopSignal: string;
  stopTimeoutSeconds: number;
  groups: Record<string, FlyGroup>;
}

const words = (command: string) => command.trim().split(/\s+/);

const flyCheck = (check: Json, port: number): FlyCheck => ({
  port: Number(check.port ?? port),
  path: String(check.path),
  intervalSeconds: flyDurationSeconds(check.interval),
  timeoutSeconds: flyDurationSeconds(check.timeout),
  gracePeriodSeconds: flyDurationSeconds(check.grace_period),
});

export function flyDeclared(): FlyDeclared {
  const fly = readFly();
  const processes: Record<string, string> = fly.processes ?? { app: "" };
  const service = fly.http_service ?? {};
  const groups: Record<string, FlyGroup> = {};
  for (const [group, command] of Object.entries(processes)) {
    const servesHttp = (service.processes ?? ["app"]).includes(group);
    const topLevel = Object.values((fly.checks ?? {}) as Record<string, Json>).filter((check) =>
      (check.processes ?? Object.keys(processes)).includes(group),
    );
    groups[group] = {
      command: command ? words(command) : [],
      checks: [
        ...(servesHttp ? (service.checks ?? []).map((check: Json) => flyCheck(check, service.internal_port)) : []),
        ...topLevel.map((check) => flyCheck(check, check.port)),
      ],
      minMachines: servesHttp ? Math.max(1, Number(service.min_machines_running ?? 0)) : 1,
    };
  }
  const killTimeout = fly.kill_timeout;
  return {
    app: String(fly.app),
    releaseCommand: fly.deploy?.release_command ? words(fly.deploy.release_command) : undefined,
    stopSignal: fly.kill_signal ?? "SIGINT",
    stopTimeoutSeconds:
      killTimeout === undefined ? 5 : typeof killTimeout === "number" ? killTimeout : flyDurationSeconds(killTimeout),
    groups,
  };
}

// ---- Railway (railway.json, railway.worker.json) -----------------------------------------------------

/** A Railway service's deploy settings, as serviceInstanceUpdate takes them. */
export interface RailwaySettings {
  preDeployCommand: string[] | null;
  startCommand: string | null;
  healthcheckPath: string | null;
  healthcheckTimeout: number | null;
  numReplicas: number;
  overlapSeconds: number | null;
  drainingSeconds: number | null;
  restartPolicyType: "ON_FAILURE" | "ALWAYS" | "NEVER";
  restartPolicyMaxRetries: number;
}

function railwaySettings(config: Json, file: string): RailwaySettings {
  const deploy = config?.deploy;
  if (!deploy) throw new ConfigError(`${file} has no deploy section`);
  const preDeploy = deploy.preDeployCommand;
  return {
    preDeployCommand: preDeploy == null ? null : [preDeploy].flat().map(String),
    startCommand: deploy.startCommand ?? null,
    healthcheckPath: deploy.healthcheckPath ?? null,
    healthcheckTimeout: deploy.healthcheckTimeout ?? null,
    numReplicas: deploy.numReplicas ?? 1,
    overlapSeconds: deploy.overlapSeconds ?? null,
    drainingSeconds: deploy.drainingSeconds ?? null,
    restartPolicyType: deploy.restartPolicyType ?? "ON_FAILURE",
    restartPolicyMaxRetries: deploy.restartPolicyMaxRetries ?? 10,
  };
}

export function railwayDeclared(): { web: RailwaySettings; worker: RailwaySettings } {
  const [webFile, workerFile] = TARGET_FILES.railway as [string, string];
  const worker = readRailwayWorker();
  if (!worker) throw new ConfigError(`${workerFile} (the worker service's config) is missing`);
  return { web: railwaySettings(readRailway(), webFile), worker: railwaySettings(worker, workerFile) };
}

// ---- Render (render.yaml) ------------------------------------------------------------------------------

export interface RenderDeclared {
  /** ghcr.io/<owner>/<repo>: the image repository both services run (tags vary per release). */
  imageRepository: string;
  web: {
    name: string;
    plan: string;
    region: string;
    preDeployCommand: string | undefined;
    healthCheckPath: string;
    maxShutdownDelaySeconds: number;
    numInstances: number;
    /** The Blueprint's literal environment values (no secrets: those are generated or prompted). */
    values: Record<string, string>;
  };
  worker: { dockerCommand: string; maxShutdownDelaySeconds: number; numInstances: number };
}

export function renderDeclared(): RenderDeclared {
  const render = readRender();
  const web = render.services?.find((service: Json) => service.type === "web");
  const worker = render.services?.find((service: Json) => service.type === "worker");
  if (!web || !worker) throw new ConfigError("render.yaml needs a web service and a background worker");
  const url = String(web.image?.url ?? "");
  return {
    imageRepository: url.replace(/:[^/:]+$/, ""),
    web: {
      name: web.name,
      plan: web.plan ?? "starter",
      region: web.region ?? "oregon",
      preDeployCommand: web.preDeployCommand,
      healthCheckPath: web.healthCheckPath,
      maxShutdownDelaySeconds: web.maxShutdownDelaySeconds ?? 30,
      numInstances: web.numInstances ?? 1,
      values: Object.fromEntries(
        (web.envVars ?? [])
          .filter((entry: Json) => "value" in entry)
          .map((entry: Json) => [entry.key, String(entry.value)]),
      ),
    },
    worker: {
      dockerCommand: worker.dockerCommand,
      maxShutdownDelaySeconds: worker.maxShutdownDelaySeconds ?? 30,
      numInstances: worker.numInstances ?? 1,
    },
  };
}
