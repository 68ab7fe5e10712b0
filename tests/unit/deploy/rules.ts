/**
 * The project's rules for its deployment files, as pure functions over the parsed files: each
 * returns the list of broken rules ([] = fine), so the tests can show every rule failing on a
 * deliberately broken copy. Reading the files is scripts/deploy-files.mjs's job.
 */
import path from "node:path";
import {
  appRoutes,
  composeDurationSeconds,
  DATABASE_IMAGE,
  databaseContextFiles,
  defaultServices,
  flyDurationSeconds,
  isDockerIgnored,
  MIGRATOR_COMMAND,
  PLATFORM_FILES,
  read,
  readBackupConfig,
  readCompose,
  readDatabaseDockerfile,
  readDockerfile,
  readDockerignore,
  readPlatformManifests,
  readRailwayWorker,
  readWorkflows,
  stageEnv,
  stageInstructions,
  type Dockerfile,
  type Json,
  type Platform,
} from "../../../scripts/deploy-files.mjs";
import { DATABASE_OWNER, SECRETS } from "../../../scripts/generate-secrets.mjs";
import { boundsHeap, heapMegabytesFor, heapPercentageOf, memoryMegabytes } from "../../../scripts/heap-size";
import { parse as parseYaml } from "yaml";
import { buildEnvSchema, SECRET_VARIABLES, serverEnvSchema } from "@/lib/env/schema";

export interface DeployFiles {
  dockerfile: Dockerfile;
  dockerignore: string[];
  /**
   * The local stack (docker-compose.yml) and the merged production stack (docker-compose.yml +
   * compose.production.yaml); `merged` is undefined without compose.production.yaml.
   */
  compose: { base: Json; merged?: Json };
  /** Each platform's manifest, undefined when the checkout does not have it (see presentPlatforms). */
  fly?: Json;
  railway?: Json;
  /** Railway's second config file, the worker service's (railway.worker.json). */
  railwayWorker?: Json;
  render?: Json;
  workflows: Record<string, Json>;
  routes: Set<string>;
  /** The compose stack's database image (db/postgres/Dockerfile) and the files that configure its backups. */
  database: { dockerfile: Dockerfile; contextFiles: string[]; config: BackupConfig };
  /** The configuration the compose `monitoring` profile mounts from ops/. */
  monitoring: {
    prometheus: Json;
    alertmanager: Json;
    grafanaDatasources: Json;
    grafanaLogDatasources: Json;
    grafanaDashboards: Json;
  };
}

export type BackupConfig = ReturnType<typeof readBackupConfig>;

export function loadDeployFiles(): DeployFiles {
  const { base, merged } = readCompose();
  return {
    dockerfile: readDockerfile(),
    dockerignore: readDockerignore(),
    compose: { base, merged },
    ...readPlatformManifests(),
    railwayWorker: readRailwayWorker(),
    workflows: Object.fromEntries(Object.entries(readWorkflows()).map(([file, { data }]) => [file, data])),
    routes: appRoutes(),
    database: {
      dockerfile: readDatabaseDockerfile(),
      contextFiles: databaseContextFiles(),
      config: readBackupConfig(),
    },
    monitoring: {
      prometheus: parseYaml(read("ops/prometheus/prometheus.yml")),
      alertmanager: parseYaml(read("ops/alertmanager/alertmanager.yml")),
      grafanaDatasources: parseYaml(read("ops/grafana/provisioning/datasources/prometheus.yml")),
      grafanaLogDatasources: parseYaml(read("ops/grafana/provisioning/datasources/loki.yml")),
      grafanaDashboards: parseYaml(read("ops/grafana/provisioning/dashboards/slipway.yml")),
    },
  };
}

/** A deep copy to break on purpose (plain data: the compose tags are already merged away). */
export function copyOf(files: DeployFiles): DeployFiles {
  return { ...structuredClone({ ...files, routes: [...files.routes] }), routes: new Set(files.routes) };
}

/**
 * The deployment targets this checkout configures. A fork deletes the manifests it does not use;
 * every rule below checks only the targets present, and tests skip the others (./absent.ts).
 */
export function presentPlatforms(files: DeployFiles): Platform[] {
  return (Object.keys(PLATFORM_FILES) as Platform[]).filter((platform) =>
    platform === "compose" ? files.compose.merged !== undefined : files[platform] !== undefined,
  );
}

// ---- shared facts ----------------------------------------------------------------------------------

const RUNNER = "runner";
/** Build-time secrets and the BuildKit secret id each is read from (never ARG or ENV). */
const BUILD_SECRETS = {
  SENTRY_AUTH_TOKEN: "sentry_auth_token",
  NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: "server_actions_key",
} as const;
export { MIGRATOR_COMMAND };
const APP_PORT_ENV = "PORT";

/** Shutdown settings as the app will read them: the platform's value, else the schema default. */
function shutdownBudgetSeconds(env: Record<string, string | undefined> = {}): number {
  const parsed = serverEnvSchema.pick({ SHUTDOWN_DRAIN_SECONDS: true, SHUTDOWN_TIMEOUT_SECONDS: true }).parse({
    SHUTDOWN_DRAIN_SECONDS: env.SHUTDOWN_DRAIN_SECONDS,
    SHUTDOWN_TIMEOUT_SECONDS: env.SHUTDOWN_TIMEOUT_SECONDS,
  });
  return parsed.SHUTDOWN_DRAIN_SECONDS + parsed.SHUTDOWN_TIMEOUT_SECONDS;
}

/** Secrets the running app reads (SENTRY_AUTH_TOKEN is build-only). */
const RUNTIME_SECRETS = SECRET_VARIABLES.filter((name) => !(name in buildEnvSchema.shape));

const renderEnv = (render: Json): Record<string, string | undefined> =>
  Object.fromEntries(
    webService(render)
      ?.envVars?.filter((entry: Json) => "value" in entry)
      .map((entry: Json) => [entry.key, String(entry.value)]) ?? [],
  );

const webService = (render: Json): Json => render?.services?.find((service: Json) => service.type === "web");
const workerService = (render: Json): Json => render?.services?.find((service: Json) => service.type === "worker");

function runnerWorkdir(dockerfile: Dockerfile): string {
  const workdirs = stageInstructions(dockerfile, RUNNER, "WORKDIR");
  return workdirs.at(-1)?.args ?? "/";
}

/** Absolute paths the runner stage's COPY instructions create. */
function runnerCopyTargets(dockerfile: Dockerfile): string[] {
  const workdir = runnerWorkdir(dockerfile);
  return stageInstructions(dockerfile, RUNNER, "COPY").map(({ args }) => {
    const parts = args.split(" ").filter((part) => !part.startsWith("--"));
    return path.posix.resolve(workdir, parts.at(-1)!);
  });
}

/** The URL path an HTTP probe command or URL points at. */
function probePath(text: string): string | undefined {
  return /https?:\/\/[^/'"]+(?:'\+\(?[^)]*\)?\+')?[^/'"]*(\/[\w/.-]*)/.exec(text)?.[1];
}

// ---- Dockerfile -------------------------------------------------------------------------------------

export function dockerfileRules({ dockerfile }: DeployFiles): string[] {
  const problems: string[] = [];
  const names = dockerfile.stages.map((stage) => stage.name);
  for (const stage of ["base", "deps", "builder", "development", RUNNER]) {
    if (!names.includes(stage)) problems.push(`Dockerfile has no "${stage}" stage`);
  }
  if (names.at(-1) !== RUNNER) problems.push(`the last stage (the default target) must be "${RUNNER}"`);

  const base = dockerfile.stages.find((stage) => stage.name === "base");
  // A literal reference: Dependabot reads only literal FROM lines (an ARG in it would hide the image).
  if (!base || !/^node:\d+-bookworm-slim(@|$)/.test(base.from)) {
    problems.push("base stage must be FROM node:<major>-bookworm-slim");
  } else {
    if (!/^node:24-/.test(base.from)) problems.push("the base must be Node.js 24 (ADR 0004)");
    // A tag moves with every upstream rebuild; a digest does not (Dependabot updates it).
    if (!/@sha256:[0-9a-f]{64}$/.test(base.from)) problems.push("the base image must be pinned by digest (@sha256:…)");
  }

  const users = stageInstructions(dockerfile, RUNNER, "USER");
  const user = users.at(-1)?.args.split(":")[0];
  if (!user || user === "root" || user === "0") problems.push("runner stage must end with a non-root USER");

  const cmd = stageInstructions(dockerfile, RUNNER, "CMD").at(-1);
  if (!Array.isArray(cmd?.json) || cmd.json.join(" ") !== "node server.js") {
    problems.push('runner CMD must be the exec form ["node", "server.js"]');
  }
  const healthcheck = stageInstructions(dockerfile, RUNNER, "HEALTHCHECK").at(-1);
  if (!Array.isArray(healthcheck?.json) || healthcheck.json[0] !== "node") {
    problems.push("runner HEALTHCHECK must be an exec-form node command (no curl in slim images)");
  } else if (probePath(healthcheck.json.join(" ")) !== "/health/live") {
    problems.push("runner HEALTHCHECK must probe /health/live");
  }

  const env = stageEnv(dockerfile, RUNNER);
  const expected = {
    NODE_ENV: "production",
    HOSTNAME: "0.0.0.0",
    [APP_PORT_ENV]: "3000",
    NEXT_TELEMETRY_DISABLED: "1",
    NEXT_MANUAL_SIG_HANDLE: "true",
  };
  for (const [name, value] of Object.entries(expected)) {
    if (env[name] !== value) problems.push(`runner ENV ${name} must be ${value}`);
  }
  const exposed = stageInstructions(dockerfile, RUNNER, "EXPOSE").map(({ args }) => args.split("/")[0]);
  if (exposed.length !== 1 || exposed[0] !== env[APP_PORT_ENV]) problems.push("runner must EXPOSE exactly its PORT");

  const labels = Object.keys(
    Object.assign({}, ...stageInstructions(dockerfile, RUNNER, "LABEL").map(({ args }) => parseLabels(args))),
  );
  for (const label of ["source", "revision", "version"]) {
    if (!labels.includes(`org.opencontainers.image.${label}`)) problems.push(`runner lacks OCI label ${label}`);
  }

  const targets = runnerCopyTargets(dockerfile);
  for (const required of [
    "/app/server.js",
    "/app/.next/static",
    "/app/public",
    "/app/db/migrate.mjs",
    "/app/db/migrations",
  ]) {
    const covered = targets.some(
      (target) => target === required || (required === "/app/server.js" && target === "/app"),
    );
    if (!covered) problems.push(`runner does not copy ${required}`);
  }

  const build = stageInstructions(dockerfile, "builder", "RUN").find(({ args }) => /npm run build/.test(args));
  for (const [variable, secret] of Object.entries(BUILD_SECRETS)) {
    for (const stage of dockerfile.stages) {
      for (const { keyword, args } of stage.instructions) {
        if ((keyword === "ARG" || keyword === "ENV") && new RegExp(`\\b${variable}\\b`).test(args)) {
          problems.push(`${variable} must come from a secret mount, not ${keyword} (stage ${stage.name})`);
        }
      }
    }
    if (
      !build ||
      !build.args.includes(`--mount=type=secret,id=${secret}`) ||
      !build.args.includes(`/run/secrets/${secret}`)
    ) {
      problems.push(`the builder's \`npm run build\` must read ${variable} from the ${secret} secret mount`);
    }
  }
  return problems;
}

function parseLabels(args: string): Record<string, string> {
  return Object.fromEntries([...args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S+)/g)].map((m) => [m[1], m[2]]));
}

export function dockerignoreRules({ dockerignore }: DeployFiles): string[] {
  const problems: string[] = [];
  const mustIgnore = [
    ".env",
    ".env.local",
    ".env.production",
    "secrets",
    "secrets/database_url.txt",
    ".git",
    "node_modules",
    ".next",
    ".data",
    "coverage",
    "test-results",
  ];
  for (const file of mustIgnore) {
    if (!isDockerIgnored(dockerignore, file)) problems.push(`.dockerignore must exclude ${file}`);
  }
  const buildInputs = [
    ".env.example",
    "package.json",
    "package-lock.json",
    "src/app/page.tsx",
    "src/server.ts",
    "src/worker.ts",
    "db/schema/index.ts",
  ];
  for (const file of buildInputs) {
    if (isDockerIgnored(dockerignore, file)) problems.push(`.dockerignore must keep ${file} (the build needs it)`);
  }
  return problems;
}

const IMPORT_SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm;
const RESOLVED_EXTENSIONS = ["", ".ts", ".tsx", ".mts", ".d.mts", "/index.ts", "/index.tsx"];

/**
 * next build type-checks every TypeScript file the image's context keeps, so none may import a
 * file the context leaves out (`sources`: contextTypeScriptSources(); `exists` says whether a
 * repository path exists). Relative imports and the `@/`, `@db/` aliases are followed.
 */
export function contextImportRules(
  dockerignore: string[],
  sources: Record<string, string>,
  exists: (file: string) => boolean,
): string[] {
  const problems: string[] = [];
  for (const [file, text] of Object.entries(sources)) {
    for (const [, specifier] of text.matchAll(IMPORT_SPECIFIER)) {
      const target = specifier!.startsWith(".")
        ? path.posix.join(path.posix.dirname(file), specifier!)
        : specifier!.startsWith("@/")
          ? `src/${specifier!.slice(2)}`
          : specifier!.startsWith("@db/")
            ? `db/${specifier!.slice(4)}`
            : undefined;
      // .next/types: what next build generates before it type-checks (next-env.d.ts imports them).
      if (target === undefined || target.startsWith(".next/")) continue;
      const resolved = RESOLVED_EXTENSIONS.map((extension) => target + extension).find(exists) ?? target;
      if (isDockerIgnored(dockerignore, resolved)) {
        problems.push(`${file} imports ${resolved}, which .dockerignore leaves out of the image's build context`);
      }
    }
  }
  return problems;
}

// ---- health paths, ports, migrator, shutdown ---------------------------------------------------------

/** Where each platform declares the health path it probes. */
export const HEALTH_PROBES: Record<Platform, string> = {
  compose: "compose app healthcheck",
  fly: "fly [[http_service.checks]]",
  railway: "railway healthcheckPath",
  render: "render healthCheckPath",
};

/** Every health path the image and each present platform probe. */
export function healthPaths(files: DeployFiles): Record<string, string | undefined> {
  const healthcheck = stageInstructions(files.dockerfile, RUNNER, "HEALTHCHECK").at(-1);
  const appCheck = files.compose.merged?.services?.app?.healthcheck?.test;
  const probes: Record<Platform, () => string | undefined> = {
    compose: () => (Array.isArray(appCheck) ? probePath(appCheck.join(" ")) : undefined),
    fly: () => files.fly.http_service?.checks?.[0]?.path,
    railway: () => files.railway.deploy?.healthcheckPath,
    render: () => webService(files.render)?.healthCheckPath,
  };
  return {
    "Dockerfile HEALTHCHECK": Array.isArray(healthcheck?.json) ? probePath(healthcheck.json.join(" ")) : undefined,
    ...Object.fromEntries(presentPlatforms(files).map((platform) => [HEALTH_PROBES[platform], probes[platform]()])),
  };
}

export function healthPathRules(files: DeployFiles): string[] {
  const problems: string[] = [];
  const paths = healthPaths(files);
  for (const [where, probe] of Object.entries(paths)) {
    if (!probe) problems.push(`${where}: no health path`);
    else if (!files.routes.has(probe)) problems.push(`${where}: ${probe} is not a route in src/app`);
  }
  // Platforms route traffic on readiness (database reachable); the image's own check is liveness.
  for (const platform of presentPlatforms(files).filter((candidate) => candidate !== "compose")) {
    const where = HEALTH_PROBES[platform];
    if (paths[where] !== "/health/ready") problems.push(`${where} must be /health/ready`);
  }
  return problems;
}

const containerPort = (mapping: string | Json): string =>
  typeof mapping === "string" ? mapping.split(":").at(-1)!.split("/")[0]! : String(mapping.target);

export function portRules(files: DeployFiles): string[] {
  const problems: string[] = [];
  const port = stageEnv(files.dockerfile, RUNNER)[APP_PORT_ENV];
  const expose = stageInstructions(files.dockerfile, RUNNER, "EXPOSE").map(({ args }) => args.split("/")[0]);
  const devExpose = stageInstructions(files.dockerfile, "development", "EXPOSE").map(({ args }) => args.split("/")[0]);
  const devPort = stageEnv(files.dockerfile, "development")[APP_PORT_ENV];
  if (!expose.includes(port)) problems.push(`Dockerfile EXPOSE ${expose.join(",")} differs from PORT ${port}`);
  if (devPort !== port || !devExpose.includes(port)) problems.push(`development stage must use PORT/EXPOSE ${port}`);
  if (files.fly) {
    if (String(files.fly.http_service?.internal_port) !== port) {
      problems.push(`fly internal_port ${files.fly.http_service?.internal_port} differs from PORT ${port}`);
    }
    if (files.fly.env?.[APP_PORT_ENV] !== undefined && files.fly.env[APP_PORT_ENV] !== port) {
      problems.push(`fly [env] PORT differs from ${port}`);
    }
  }
  if (files.render) {
    const renderPort = renderEnv(files.render)[APP_PORT_ENV];
    if (renderPort !== port) problems.push(`render PORT ${renderPort} differs from ${port} (Render defaults to 10000)`);
  }
  for (const [label, config] of [
    ["docker-compose.yml", files.compose.base],
    ["production compose", files.compose.merged],
  ] as const) {
    if (!config) continue;
    for (const name of ["app", "app-runner"]) {
      const service = config.services?.[name];
      if (!service) continue;
      for (const mapping of service.ports ?? []) {
        if (containerPort(mapping) !== port)
          problems.push(`${label} ${name} publishes container port ${containerPort(mapping)}, not ${port}`);
      }
      if (service.environment?.[APP_PORT_ENV] !== undefined && String(service.environment[APP_PORT_ENV]) !== port) {
        problems.push(`${label} ${name} sets PORT to ${service.environment[APP_PORT_ENV]}`);
      }
    }
  }
  return problems;
}

/** The release/pre-deploy command of every present platform (the production compose migrator for compose). */
export function migratorCommands(files: DeployFiles): Record<string, string | undefined> {
  const joined = (command: unknown) => (Array.isArray(command) ? command.join(" ") : (command as string | undefined));
  const commands: Record<Platform, [string, () => string | undefined]> = {
    fly: ["fly release_command", () => files.fly.deploy?.release_command],
    railway: ["railway preDeployCommand", () => joined(files.railway.deploy?.preDeployCommand)],
    render: ["render preDeployCommand", () => webService(files.render)?.preDeployCommand],
    compose: ["production compose migrate", () => joined(files.compose.merged?.services?.migrate?.command)],
  };
  return Object.fromEntries(
    presentPlatforms(files).map((platform) => [commands[platform][0], commands[platform][1]()]),
  );
}

export function migratorRules(files: DeployFiles): string[] {
  const problems: string[] = [];
  const workdir = runnerWorkdir(files.dockerfile);
  const targets = runnerCopyTargets(files.dockerfile);
  for (const [where, command] of Object.entries(migratorCommands(files))) {
    const [program, script, ...rest] = command?.split(" ") ?? [];
    if (program !== "node" || !script || rest.length > 0) {
      problems.push(`${where}: "${command}" is not \`node <migrator>\``);
      continue;
    }
    const inImage = path.posix.resolve(workdir, script);
    if (!targets.includes(inImage)) problems.push(`${where}: ${inImage} is not copied into the runner image`);
  }
  // The worker never migrates: the web service's release step does, before either process moves.
  if (files.fly && /migrate/.test(String(files.fly.processes?.worker ?? "")))
    problems.push("fly worker process must not run the migrator");
  if (files.railwayWorker?.deploy?.preDeployCommand)
    problems.push("railway worker must have no preDeployCommand (the web service migrates)");
  if (files.render && workerService(files.render)?.preDeployCommand)
    problems.push("render worker must have no preDeployCommand (the web service migrates)");
  const composeWorker = files.compose.merged?.services?.worker;
  if (composeWorker && composeWorker.depends_on?.migrate?.condition !== "service_completed_successfully")
    problems.push("compose worker must wait for migrate to complete successfully");
  const migrationsDir = path.posix.resolve(workdir, "db/migrations");
  if (!targets.includes(migrationsDir)) problems.push(`the runner image lacks ${migrationsDir} beside the migrator`);
  if (files.compose.merged) {
    const migrate = files.compose.merged.services?.migrate;
    if (migrate?.build?.target !== RUNNER) problems.push("production compose migrate must run the runner image");
    if (files.compose.merged.services?.app?.depends_on?.migrate?.condition !== "service_completed_successfully") {
      problems.push("compose app must wait for migrate to complete successfully");
    }
  }
  return problems;
}

export function shutdownRules(files: DeployFiles): string[] {
  const problems: string[] = [];
  if (stageEnv(files.dockerfile, RUNNER).NEXT_MANUAL_SIG_HANDLE !== "true") {
    problems.push("runner must set NEXT_MANUAL_SIG_HANDLE=true (the app's own SIGTERM handling)");
  }
  // Fly: kill_signal defaults to SIGINT, kill_timeout to 5 s, at most 300 s.
  if (files.fly) {
    const flyBudget = shutdownBudgetSeconds(files.fly.env);
    const flyKill = files.fly.kill_timeout === undefined ? 5 : flyKillTimeoutSeconds(files.fly.kill_timeout);
    if (files.fly.kill_signal !== "SIGTERM") problems.push("fly kill_signal must be SIGTERM (Fly's default is SIGINT)");
    if (!(flyKill > flyBudget && flyKill <= 300)) {
      problems.push(`fly kill_timeout ${flyKill}s must exceed drain + timeout (${flyBudget}s) and be at most 300s`);
    }
  }
  // Railway: drainingSeconds is SIGTERM -> SIGKILL.
  if (files.railway) {
    const railwayDrain = files.railway.deploy?.drainingSeconds;
    const budget = shutdownBudgetSeconds();
    if (!(typeof railwayDrain === "number" && railwayDrain > budget)) {
      problems.push(`railway drainingSeconds ${railwayDrain} must exceed drain + timeout (${budget}s)`);
    }
  }
  // Render: maxShutdownDelaySeconds 1..300, default 30.
  if (files.render) {
    const renderBudget = shutdownBudgetSeconds(renderEnv(files.render));
    const renderDelay = webService(files.render)?.maxShutdownDelaySeconds ?? 30;
    if (!(renderDelay > renderBudget && renderDelay <= 300)) {
      problems.push(
        `render maxShutdownDelaySeconds ${renderDelay} must exceed drain + timeout (${renderBudget}s) and be at most 300`,
      );
    }
  }
  // The worker drains within WORKER_SHUTDOWN_TIMEOUT_SECONDS: each target's SIGKILL comes later.
  if (files.fly) {
    const budget = workerShutdownSecondsOf(files.fly.env);
    const flyKill = files.fly.kill_timeout === undefined ? 5 : flyKillTimeoutSeconds(files.fly.kill_timeout);
    if (!(flyKill > budget)) problems.push(`fly kill_timeout ${flyKill}s must exceed the worker's ${budget}s`);
  }
  if (files.railwayWorker) {
    const draining = files.railwayWorker.deploy?.drainingSeconds;
    const budget = WORKER.defaultShutdownSeconds;
    if (!(typeof draining === "number" && draining > budget))
      problems.push(`railway worker drainingSeconds ${draining} must exceed the worker's ${budget}s`);
  }
  const renderWorker = files.render && workerService(files.render);
  if (renderWorker) {
    const budget = workerShutdownSecondsOf(renderEnv(files.render));
    const delay = renderWorker.maxShutdownDelaySeconds ?? 30;
    if (!(delay > budget && delay <= 300))
      problems.push(
        `render worker maxShutdownDelaySeconds ${delay} must exceed the worker's ${budget}s and be at most 300`,
      );
  }
  const composeWorker = files.compose.merged?.services?.worker;
  if (composeWorker) {
    const budget = workerShutdownSecondsOf(composeWorker.environment);
    const grace =
      composeWorker.stop_grace_period === undefined ? 10 : composeDurationSeconds(composeWorker.stop_grace_period);
    if (!(grace > budget))
      problems.push(`compose worker stop_grace_period ${grace}s must exceed the worker's ${budget}s`);
    if ((composeWorker.stop_signal ?? "SIGTERM") !== "SIGTERM") problems.push("compose worker must stop with SIGTERM");
  }
  // Compose: stop_grace_period (default 10 s) before SIGKILL.
  if (files.compose.merged) {
    const app = files.compose.merged.services?.app ?? {};
    const composeBudget = shutdownBudgetSeconds(app.environment);
    const grace = app.stop_grace_period === undefined ? 10 : composeDurationSeconds(app.stop_grace_period);
    if (!(grace > composeBudget))
      problems.push(`compose app stop_grace_period ${grace}s must exceed ${composeBudget}s`);
    if ((app.stop_signal ?? "SIGTERM") !== "SIGTERM") problems.push("compose app must stop with SIGTERM");
  }
  return problems;
}

// ---- the background worker (node worker.mjs, issue 23's contract) -------------------------------------

/**
 * The worker process every target declares: the image's `worker.mjs` (beside server.js in /app),
 * started with `node worker.mjs`, the web process's environment, its own readiness on WORKER_PORT
 * (3001 unless set) at /health/ready, drained on SIGTERM within WORKER_SHUTDOWN_TIMEOUT_SECONDS (30
 * unless set), and never migrating. The file itself arrives with issue 23: no rule requires it in
 * the build.
 */
export const WORKER = {
  command: "node worker.mjs",
  readinessPath: "/health/ready",
  defaultPort: 3001,
  defaultShutdownSeconds: 30,
} as const;

const workerPortOf = (env: Record<string, unknown> | undefined): number =>
  Number(env?.WORKER_PORT ?? WORKER.defaultPort);
const workerShutdownSecondsOf = (env: Record<string, unknown> | undefined): number =>
  Number(env?.WORKER_SHUTDOWN_TIMEOUT_SECONDS ?? WORKER.defaultShutdownSeconds);

/** Where each present target probes the worker: path and port. */
export function workerProbes(files: DeployFiles): Record<string, { path?: string; port?: number }> {
  const probes: Record<string, { path?: string; port?: number }> = {};
  if (files.fly) {
    const check = Object.values((files.fly.checks ?? {}) as Record<string, Json>).find((candidate) =>
      (candidate.processes ?? []).includes("worker"),
    );
    probes["fly worker [checks]"] = { path: check?.path, port: check?.port };
  }
  if (files.railway) {
    // Railway probes the service's PORT: the pipeline sets it to the worker's port on that service.
    probes["railway worker healthcheckPath"] = {
      path: files.railwayWorker?.deploy?.healthcheckPath,
      port: WORKER.defaultPort,
    };
  }
  const worker = files.compose.merged?.services?.worker;
  if (worker) {
    const test = Array.isArray(worker.healthcheck?.test) ? worker.healthcheck.test.join(" ") : "";
    const port = /process\.env\.WORKER_PORT\|\|(\d+)/.exec(test)?.[1];
    probes["compose worker healthcheck"] = { path: probePath(test), port: port ? Number(port) : undefined };
  }
  return probes;
}

export function workerRules(files: DeployFiles): string[] {
  const problems: string[] = [];
  for (const [where, probe] of Object.entries(workerProbes(files))) {
    if (probe.path !== WORKER.readinessPath)
      problems.push(`${where} must probe ${WORKER.readinessPath}, not ${probe.path}`);
    if (probe.port !== WORKER.defaultPort)
      problems.push(`${where} must probe port ${WORKER.defaultPort} (WORKER_PORT), not ${probe.port}`);
  }
  const { fly, railwayWorker, render } = files;
  if (fly) {
    if (fly.processes?.worker !== WORKER.command) problems.push(`fly [processes] worker must be "${WORKER.command}"`);
    if (fly.processes?.app !== "node server.js") problems.push('fly [processes] app must be "node server.js"');
    if (JSON.stringify(fly.http_service?.processes) !== '["app"]')
      problems.push('fly [http_service] must serve the app process only (processes = ["app"])');
    if (workerPortOf(fly.env) !== WORKER.defaultPort)
      problems.push("fly [env] WORKER_PORT must match the worker check's port");
    const check = Object.values((fly.checks ?? {}) as Record<string, Json>).find((candidate) =>
      (candidate.processes ?? []).includes("worker"),
    );
    for (const field of ["interval", "timeout", "grace_period"]) {
      if (check && typeof check[field] !== "string")
        problems.push(`fly worker check ${field} needs a unit (a bare number is milliseconds)`);
    }
    const vmProcesses = (fly.vm ?? []).flatMap((vm: Json) => vm.processes ?? ["app", "worker"]);
    if (!vmProcesses.includes("worker")) problems.push("fly needs a [[vm]] size for the worker process");
  }
  if (files.railway) {
    if (!railwayWorker) problems.push("railway.worker.json (the worker service's config) is missing");
    else {
      if (railwayWorker.deploy?.startCommand !== WORKER.command)
        problems.push(`railway worker startCommand must be "${WORKER.command}"`);
      if (railwayWorker.build?.builder !== files.railway.build?.builder)
        problems.push("railway worker must build like the web service (one image)");
    }
  }
  if (render) {
    const web = webService(render);
    const worker = workerService(render);
    if (!worker) problems.push("render.yaml has no background worker (type: worker)");
    else {
      if (worker.runtime !== "image" || worker.image?.url !== web?.image?.url)
        problems.push("render worker must run the web service's image (runtime: image, same image.url)");
      if (worker.dockerCommand !== WORKER.command)
        problems.push(`render worker dockerCommand must be "${WORKER.command}"`);
      if (worker.healthCheckPath)
        problems.push("render worker healthCheckPath: Render gives background workers no HTTP health check");
      const keys = (service: Json) => new Set((service?.envVars ?? []).map((entry: Json) => entry.key));
      const missing = [...keys(web)].filter((key) => !keys(worker).has(key));
      if (missing.length) problems.push(`render worker lacks the web service's ${missing.join(", ")}`);
      for (const entry of worker.envVars ?? []) {
        const source = (web?.envVars ?? []).find((candidate: Json) => candidate.key === entry.key);
        if ((source?.generateValue || source?.sync === false) && entry.fromService?.envVarKey !== entry.key)
          problems.push(`render worker ${entry.key} must copy the web service's value (fromService envVarKey)`);
      }
    }
  }
  const app = files.compose.merged?.services?.app;
  const worker = files.compose.merged?.services?.worker;
  if (files.compose.merged) {
    if (!worker) problems.push("production compose has no worker service");
    else {
      if (worker.image !== app?.image || worker.build?.target !== RUNNER)
        problems.push("compose worker must run the app's image (runner target)");
      if (JSON.stringify(worker.command) !== JSON.stringify(WORKER.command.split(" ")))
        problems.push(`compose worker command must be ["node", "worker.mjs"]`);
      const missing = Object.keys(app?.environment ?? {}).filter((key) => !(key in (worker.environment ?? {})));
      if (missing.length) problems.push(`compose worker lacks the app's ${missing.join(", ")}`);
      if ((worker.ports ?? []).length > 0) problems.push("compose worker must publish no port");
    }
  }
  return problems;
}

/** Fly's kill_timeout: whole seconds as a number, or a duration string. */
function flyKillTimeoutSeconds(value: string | number): number {
  return typeof value === "number" ? value : flyDurationSeconds(value);
}

// ---- production compose -------------------------------------------------------------------------------

const SECRETISH = /PASSWORD|SECRET|TOKEN|KEY|_URL$/;
/** *_FILE variables that name a plain file, not a secret (the backup scheduler's status file). */
const PLAIN_FILE_VARIABLES = new Set(["BACKUP_STATUS_FILE"]);

export function productionComposeRules(files: DeployFiles): string[] {
  const problems: string[] = [];
  const { merged } = files.compose;
  const services = defaultServices(merged);
  for (const [name, service] of Object.entries(services)) {
    const limits = service.deploy?.resources?.limits;
    const reservations = service.deploy?.resources?.reservations;
    if (!limits?.cpus || !limits?.memory) problems.push(`${name}: deploy.resources.limits needs cpus and memory`);
    if (!reservations?.memory) problems.push(`${name}: deploy.resources.reservations needs memory`);
    const oneShot = service.restart === "no";
    if (!service.restart) problems.push(`${name}: no restart policy`);
    if (
      oneShot &&
      Object.values(services).every(
        (other: Json) => other.depends_on?.[name]?.condition !== "service_completed_successfully",
      )
    ) {
      problems.push(`${name}: restart "no" is only for one-shot jobs another service waits for`);
    }
    if (oneShot ? service.healthcheck?.disable !== true && !service.healthcheck?.test : !service.healthcheck?.test) {
      problems.push(`${name}: no healthcheck${oneShot ? " (or an explicit `disable: true` for a one-shot job)" : ""}`);
    }
    if (service.healthcheck?.disable && !oneShot)
      problems.push(`${name}: a long-running service cannot disable its healthcheck`);
    const logging = service.logging;
    if (logging?.driver !== "json-file" || !logging.options?.["max-size"] || !logging.options?.["max-file"]) {
      problems.push(`${name}: logs must rotate (json-file with max-size and max-file)`);
    }
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      if (SECRETISH.test(key) && !key.endsWith("_FILE") && value !== "" && value !== null) {
        problems.push(`${name}: ${key} is set inline; production secrets come from /run/secrets via ${key}_FILE`);
      }
      if (PLAIN_FILE_VARIABLES.has(key)) continue;
      if (key.endsWith("_FILE") && !String(value).startsWith("/run/secrets/")) {
        problems.push(`${name}: ${key} must point into /run/secrets/`);
      }
      if (key.endsWith("_FILE")) {
        const secret = String(value).replace("/run/secrets/", "");
        if (!(service.secrets ?? []).includes(secret))
          problems.push(`${name}: ${key} reads ${secret}, which is not mounted`);
      }
    }
    if (name !== BALANCER && (service.ports ?? []).length > 0) {
      problems.push(`${name}: publishes ports in production (only ${BALANCER} is reachable from outside)`);
    }
  }
  const postgresEnv = services.postgres?.environment ?? {};
  if (postgresEnv.POSTGRES_PASSWORD_FILE !== "/run/secrets/postgres_password") {
    problems.push("postgres: POSTGRES_PASSWORD_FILE must read /run/secrets/postgres_password");
  }
  // Redis is optional: a stack without it has nothing to check here.
  if (services.redis && !JSON.stringify(services.redis.command ?? "").includes("/run/secrets/redis_password")) {
    problems.push("redis: must require the password from /run/secrets/redis_password");
  }
  for (const [secret, definition] of Object.entries(merged.secrets ?? {}) as [string, Json][]) {
    if (definition.file !== `./secrets/${secret}.txt`)
      problems.push(`secret ${secret} must come from ./secrets/${secret}.txt`);
  }
  for (const [name, service] of Object.entries(services)) {
    for (const secret of service.secrets ?? []) {
      const source = typeof secret === "string" ? secret : secret.source;
      if (!merged.secrets?.[source]) problems.push(`${name}: secret ${source} is not defined at the top level`);
    }
  }
  return problems;
}

// ---- container hardening -------------------------------------------------------------------------------

/**
 * Capabilities a service may add back after `cap_drop: [ALL]`. The postgres and redis images'
 * entrypoints start as root to read their password files, chown their data directories and drop to
 * their own users (gosu); Caddy binds ports 80 and 443. Everything else runs as a non-root user and
 * needs none.
 */
export const ALLOWED_CAPABILITIES: Record<string, string[]> = {
  postgres: ["CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID"],
  redis: ["CHOWN", "DAC_OVERRIDE", "SETGID", "SETUID"],
  caddy: ["NET_BIND_SERVICE"],
};
/**
 * Not hardened: the restore shell, run by hand (`--profile restore`) to rewrite the data volume, and
 * docker-compose.yml's `app-runner` and `worker-runner` (`--profile runner`: trying the image
 * locally, not production).
 */
const UNHARDENED_SERVICES = new Set(["restore", "app-runner", "worker-runner"]);

const tmpfsTargets = (service: Json): string[] =>
  [service.tmpfs ?? []].flat().map((entry: string) => String(entry).split(":")[0]!);

/**
 * Every compose service (the monitoring profile's too) runs on a read-only root filesystem with a
 * tmpfs at /tmp, drops every capability but the ones listed above, cannot gain privileges
 * (no-new-privileges) and has a pids_limit; the app keeps Next's cache directory in a tmpfs.
 */
export function containerHardeningRules(files: DeployFiles): string[] {
  const problems: string[] = [];
  const services: Record<string, Json> = files.compose.merged.services ?? {};
  for (const [name, service] of Object.entries(services)) {
    if (UNHARDENED_SERVICES.has(name)) continue;
    if (service.read_only !== true) problems.push(`${name}: must run with read_only: true`);
    if (!tmpfsTargets(service).includes("/tmp")) problems.push(`${name}: needs a tmpfs at /tmp (read-only root)`);
    const dropped: string[] = service.cap_drop ?? [];
    if (!dropped.includes("ALL")) problems.push(`${name}: must cap_drop: [ALL]`);
    const allowed = ALLOWED_CAPABILITIES[name] ?? [];
    for (const capability of service.cap_add ?? []) {
      if (!allowed.includes(String(capability).replace(/^CAP_/, "")))
        problems.push(`${name}: adds capability ${capability}, which it does not need`);
    }
    const options: string[] = service.security_opt ?? [];
    if (!options.some((option) => /^no-new-privileges(:true)?$/.test(option)))
      problems.push(`${name}: needs security_opt no-new-privileges:true`);
    const pids = service.pids_limit ?? service.deploy?.resources?.limits?.pids;
    if (!(Number.isInteger(pids) && pids > 0)) problems.push(`${name}: needs a pids_limit`);
  }
  const cache = path.posix.join(runnerWorkdir(files.dockerfile), ".next/cache");
  const app = services.app;
  if (app && !tmpfsTargets(app).includes(cache))
    problems.push(`app: needs a tmpfs at ${cache} (Next's cache, the only directory the server writes)`);
  return problems;
}

// ---- database roles (ADR 0010) ------------------------------------------------------------------------

/** Where the official postgres image runs initialisation scripts, and the one that creates the owner role. */
const INITDB_DIR = "/docker-entrypoint-initdb.d";
const OWNER_ROLE_SCRIPT = "postgres/app-owner-role.sh";

/** The user in a postgres:// URL, or undefined when it is not one. */
function urlUser(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).username) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The app and the migrator connect as the owner role, never as the image's superuser (superusers
 * bypass row-level security): the URL secrets:generate writes names the owner, the postgres
 * service's POSTGRES_USER is another role, and the database image creates the owner (its init
 * script, with the owner's password secret mounted).
 */
export function databaseRoleRules(files: DeployFiles): string[] {
  const problems: string[] = [];
  const services = files.compose.merged.services ?? {};
  const postgresEnv = services.postgres?.environment ?? {};
  const superuser = postgresEnv.POSTGRES_USER ?? "postgres";
  const sample = Object.fromEntries(SECRETS.map(({ name }) => [name, `sample-${name}`]));
  const urlSecret = SECRETS.find(({ name }) => name === "database_url");
  const generatedUser = urlSecret ? urlUser(urlSecret.generate(sample)) : undefined;
  if (generatedUser !== DATABASE_OWNER)
    problems.push(`secrets:generate writes database_url for ${generatedUser}, not the owner role ${DATABASE_OWNER}`);
  if (generatedUser === superuser)
    problems.push(`database_url connects as ${superuser}, the postgres image's superuser (POSTGRES_USER)`);
  if (superuser === DATABASE_OWNER)
    problems.push(
      `postgres: POSTGRES_USER must not be the owner role ${DATABASE_OWNER} (the image makes it a superuser)`,
    );
  for (const name of ["app", "migrate"]) {
    const file = services[name]?.environment?.DATABASE_URL_FILE;
    if (file !== "/run/secrets/database_url")
      problems.push(`${name}: DATABASE_URL_FILE must read /run/secrets/database_url`);
  }
  const passwordFile = postgresEnv.SLIPWAY_DATABASE_PASSWORD_FILE;
  if (!passwordFile || !String(passwordFile).startsWith("/run/secrets/"))
    problems.push("postgres: SLIPWAY_DATABASE_PASSWORD_FILE must name the owner's password secret");
  const passwordSecret = String(passwordFile ?? "").replace("/run/secrets/", "");
  const password = SECRETS.find(({ name }) => name === passwordSecret);
  if (urlSecret && password) {
    const mine = urlSecret.generate({ ...sample, [passwordSecret]: "owner-password-sample" });
    if (!mine.includes(":owner-password-sample@"))
      problems.push(`database_url must carry the password of ${passwordSecret}, the owner's`);
  } else if (passwordFile) problems.push(`secrets:generate does not create ${passwordSecret}.txt`);
  const copied = copiedFiles(files.database.dockerfile, files.database.dockerfile.stages[0]?.name ?? "");
  const initScript = [...copied].find(
    ([target, source]) => source === OWNER_ROLE_SCRIPT && target.startsWith(`${INITDB_DIR}/`),
  );
  if (!initScript)
    problems.push(
      `db/postgres/Dockerfile must copy ${OWNER_ROLE_SCRIPT} into ${INITDB_DIR}/ (it creates the owner role)`,
    );
  else if (!initScript[0].endsWith(".sh"))
    problems.push(`${initScript[0]} must end in .sh (the image runs only .sh and .sql files)`);
  return problems;
}

// ---- compose monitoring profile ----------------------------------------------------------------------

/** The services of the `monitoring` profile and the official image each must run. */
const MONITORING_IMAGES: Record<string, string> = {
  prometheus: "prom/prometheus",
  alertmanager: "prom/alertmanager",
  pushgateway: "prom/pushgateway",
  loki: "grafana/loki",
  alloy: "grafana/alloy",
  grafana: "grafana/grafana",
};

/** Services that may publish a port: on loopback only (Grafana for people, Loki for the runbooks' queries). */
const LOOPBACK_PORTS = new Set(["grafana", "loki"]);

/** Where each service reads its configuration from ops/, as `--config.file` or mount target. */
const MONITORING_CONFIG: Record<string, { source: string; target: string; configFlag?: string }> = {
  prometheus: { source: "./ops/prometheus", target: "/etc/prometheus", configFlag: "/etc/prometheus/prometheus.yml" },
  alertmanager: {
    source: "./ops/alertmanager",
    target: "/etc/alertmanager",
    configFlag: "/etc/alertmanager/alertmanager.yml",
  },
  grafana: { source: "./ops/grafana/provisioning", target: "/etc/grafana/provisioning" },
  loki: { source: "./ops/loki", target: "/etc/loki" },
  alloy: { source: "./ops/alloy", target: "/etc/alloy" },
};

const bindMounts = (service: Json): { source: string; target: string; readOnly: boolean }[] =>
  (service.volumes ?? [])
    .filter((volume: string | Json) => typeof volume === "string" && volume.startsWith("."))
    .map((volume: string) => {
      const [source, target, mode] = volume.split(":");
      return { source: source!, target: target!, readOnly: mode === "ro" };
    });

/** Every value under a `*_file` key of a YAML document (Alertmanager's secrets). */
function fileReferences(value: Json, key = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => fileReferences(item, key));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([childKey, child]) => fileReferences(child, childKey));
  }
  return key.endsWith("_file") && typeof value === "string" ? [value] : [];
}

const mountedSecret = (service: Json, file: string): boolean =>
  file.startsWith("/run/secrets/") && (service.secrets ?? []).includes(file.slice("/run/secrets/".length));

/**
 * The optional monitoring stack: official images pinned to a release, hardened like the rest,
 * configuration only from ops/ and read-only, no port but Grafana's on loopback, secrets from
 * files, and the files agreeing with compose (scrape target, token file, service names, paths).
 */
export function monitoringComposeRules(files: DeployFiles): string[] {
  const problems: string[] = [];
  const services: Record<string, Json> = files.compose.merged.services ?? {};
  const inProfile = Object.entries(services).filter(([, service]) => service.profiles?.includes("monitoring"));
  const names = inProfile.map(([name]) => name).sort();
  if (JSON.stringify(names) !== JSON.stringify(Object.keys(MONITORING_IMAGES).sort())) {
    problems.push(`the monitoring profile must hold ${Object.keys(MONITORING_IMAGES).join(", ")}, not ${names}`);
  }
  for (const [name, service] of inProfile) {
    const repository = MONITORING_IMAGES[name];
    if (repository && !new RegExp(`^${repository}:v?\\d+\\.\\d+\\.\\d+$`).test(service.image ?? "")) {
      problems.push(`${name}: image must be ${repository} pinned to a release tag, not ${service.image}`);
    }
    if (JSON.stringify(service.profiles) !== '["monitoring"]') problems.push(`${name}: profiles must be [monitoring]`);
    if (!service.restart) problems.push(`${name}: no restart policy`);
    if (!service.healthcheck?.test) problems.push(`${name}: no healthcheck`);
    if (service.read_only !== true) problems.push(`${name}: must run with read_only: true`);
    if (service.logging?.driver !== "json-file" || !service.logging.options?.["max-size"]) {
      problems.push(`${name}: logs must rotate (json-file with max-size and max-file)`);
    }
    const limits = service.deploy?.resources?.limits;
    if (!limits?.cpus || !limits?.memory || !service.deploy?.resources?.reservations?.memory) {
      problems.push(`${name}: deploy.resources needs cpu and memory limits and a memory reservation`);
    }
    for (const mount of bindMounts(service)) {
      if (!mount.source.startsWith("./ops/")) problems.push(`${name}: mounts ${mount.source}, outside ./ops/`);
      if (!mount.readOnly) problems.push(`${name}: ${mount.source} must be mounted read-only (:ro)`);
    }
    const config = MONITORING_CONFIG[name];
    if (
      config &&
      !bindMounts(service).some((mount) => mount.source === config.source && mount.target === config.target)
    ) {
      problems.push(`${name}: must mount ${config.source} at ${config.target}`);
    }
    if (config?.configFlag && !(service.command ?? []).includes(`--config.file=${config.configFlag}`)) {
      problems.push(`${name}: must start with --config.file=${config.configFlag}`);
    }
    for (const mapping of service.ports ?? []) {
      const host = typeof mapping === "string" ? mapping.split(":")[0] : mapping.host_ip;
      if (!LOOPBACK_PORTS.has(name))
        problems.push(`${name}: publishes a port (only ${[...LOOPBACK_PORTS].join(" and ")} may, on loopback)`);
      else if (host !== "127.0.0.1") problems.push(`${name}: port ${JSON.stringify(mapping)} must bind to 127.0.0.1`);
    }
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      if (SECRETISH.test(key) && !key.endsWith("_FILE") && value !== "" && value !== null) {
        problems.push(`${name}: ${key} is set inline; read it from /run/secrets via ${key}__FILE or ${key}_FILE`);
      }
      if (key.endsWith("_FILE") && !mountedSecret(service, String(value))) {
        problems.push(`${name}: ${key} reads ${value}, which is not a secret it mounts`);
      }
    }
  }

  const { prometheus, alertmanager, grafanaDatasources, grafanaDashboards } = files.monitoring;
  const app = services.app ?? {};
  const appTokenFile = app.environment?.METRICS_TOKEN_FILE;
  const job = (prometheus.scrape_configs ?? []).find((candidate: Json) => candidate.job_name === "slipway");
  if (!job) {
    problems.push('prometheus.yml has no scrape job "slipway" (the rules select job="slipway")');
  } else {
    const tokenFile = job.authorization?.credentials_file;
    if (job.authorization?.type !== "Bearer" || !tokenFile) {
      problems.push("prometheus.yml: the slipway job must send the token as a Bearer credentials_file");
    } else if (tokenFile !== appTokenFile) {
      problems.push(`prometheus.yml reads the token from ${tokenFile}, the app from ${appTokenFile}`);
    } else if (services.prometheus && !mountedSecret(services.prometheus, tokenFile)) {
      problems.push(`prometheus: does not mount the secret behind ${tokenFile}`);
    }
    if (!files.routes.has(job.metrics_path))
      problems.push(`prometheus.yml: ${job.metrics_path} is not a route in src/app`);
    const port = stageEnv(files.dockerfile, RUNNER)[APP_PORT_ENV];
    const targets: string[] = (job.static_configs ?? []).flatMap((config: Json) => config.targets ?? []);
    if (!targets.includes(`app:${port}`))
      problems.push(`prometheus.yml must scrape the compose app service at app:${port}`);
  }
  const alertmanagers: string[] = (prometheus.alerting?.alertmanagers ?? []).flatMap((entry: Json) =>
    (entry.static_configs ?? []).flatMap((config: Json) => config.targets ?? []),
  );
  if (!alertmanagers.includes("alertmanager:9093"))
    problems.push("prometheus.yml must send alerts to alertmanager:9093");
  for (const file of fileReferences(alertmanager)) {
    if (!services.alertmanager || !mountedSecret(services.alertmanager, file)) {
      problems.push(`alertmanager.yml reads ${file}, which the alertmanager service does not mount as a secret`);
    }
  }
  const datasource = (grafanaDatasources.datasources ?? [])[0];
  if (datasource?.url !== "http://prometheus:9090") problems.push("grafana datasource must be http://prometheus:9090");
  const logs = (files.monitoring.grafanaLogDatasources.datasources ?? [])[0];
  if (logs?.type !== "loki" || logs?.url !== "http://loki:3100")
    problems.push("grafana's Loki datasource must be http://loki:3100");
  const pushJob = (prometheus.scrape_configs ?? []).find((candidate: Json) => candidate.job_name === "pushgateway");
  const pushTargets: string[] = (pushJob?.static_configs ?? []).flatMap((config: Json) => config.targets ?? []);
  if (!pushJob?.honor_labels || !pushTargets.includes("pushgateway:9091"))
    problems.push(
      'prometheus.yml must scrape pushgateway:9091 with honor_labels (the backup runs keep job="slipway-backup")',
    );
  const metricsUrl = String(services.backup?.environment?.BACKUP_METRICS_ENDPOINT ?? "");
  if (services.backup && !metricsUrl.startsWith("http://pushgateway:9091/metrics/job/slipway-backup"))
    problems.push("backup: BACKUP_METRICS_ENDPOINT must push to http://pushgateway:9091/metrics/job/slipway-backup");
  const dashboardsPath = grafanaDashboards.providers?.[0]?.options?.path;
  const dashboardsMount = bindMounts(services.grafana ?? {}).find(
    (mount) => mount.source === "./ops/grafana/dashboards",
  );
  if (!dashboardsMount || dashboardsMount.target !== dashboardsPath) {
    problems.push(`grafana must mount ./ops/grafana/dashboards at the provider's path ${dashboardsPath}`);
  }
  return problems;
}

/** The production compose balancer: Caddy from ops/caddy/Caddyfile in front of the app. */
const BALANCER = "caddy";
const CADDYFILE = "ops/caddy/Caddyfile";

export function balancerRules(files: DeployFiles): string[] {
  const problems: string[] = [];
  const caddy = files.compose.merged.services?.[BALANCER];
  if (!caddy) return [`production compose has no ${BALANCER} service in front of the app`];
  if (!/^caddy:2\.6\.\d+(-alpine)?$/.test(caddy.image ?? "")) {
    problems.push(
      `${BALANCER} image must be pinned to caddy:2.6.x (the version the rehearsal runs), not ${caddy.image}`,
    );
  }
  const published = (caddy.ports ?? []).map((mapping: string | Json) =>
    typeof mapping === "string" ? mapping : `${mapping.published}:${mapping.target}`,
  );
  for (const port of ["80:80", "443:443"]) {
    if (!published.includes(port)) problems.push(`${BALANCER} must publish ${port}`);
  }
  const volumes: string[] = (caddy.volumes ?? []).map((volume: string | Json) =>
    typeof volume === "string" ? volume : `${volume.source}:${volume.target}${volume.read_only ? ":ro" : ""}`,
  );
  if (!volumes.includes(`./${CADDYFILE}:/etc/caddy/Caddyfile:ro`)) {
    problems.push(`${BALANCER} must mount ./${CADDYFILE} read-only at /etc/caddy/Caddyfile`);
  }
  if (!volumes.some((volume) => /^[\w-]+:\/data$/.test(volume))) {
    problems.push(`${BALANCER} must keep /data (certificates) in a named volume`);
  }
  const upstreamsFile = String(caddy.environment?.SLIPWAY_UPSTREAMS_PATH ?? "");
  const upstreamsMount = volumes.find((volume) => upstreamsFile.startsWith(`${volume.split(":")[1]}/`));
  if (!upstreamsMount) problems.push(`${BALANCER}: SLIPWAY_UPSTREAMS_PATH must live in a mounted directory`);
  if (!caddy.environment?.SLIPWAY_SITE) problems.push(`${BALANCER}: SLIPWAY_SITE (the public host name) must be set`);
  if (caddy.depends_on?.app?.condition !== "service_healthy") problems.push(`${BALANCER} must wait for a healthy app`);
  const caddyfile = read(CADDYFILE);
  const healthUri = /^\s*health_uri\s+(\S+)/m.exec(caddyfile)?.[1];
  if (healthUri !== "/health/ready" || !files.routes.has(healthUri)) {
    problems.push(`${CADDYFILE}: health_uri must be /health/ready (a route the app serves), not ${healthUri}`);
  }
  if ((files.compose.merged.services?.app?.ports ?? []).length > 0) {
    problems.push("app must publish no host port: blue-green runs two app containers, the balancer reaches them");
  }
  return problems;
}

/** Every *_FILE secret the app reads is wired into the production app service. */
export function fileSecretRules(files: DeployFiles): string[] {
  const problems: string[] = [];
  const app = files.compose.merged.services?.app ?? {};
  // REDIS_URL is optional: wired only in a stack that runs Redis.
  const hasRedis = Boolean(files.compose.merged.services?.redis);
  for (const name of RUNTIME_SECRETS.filter((secret) => hasRedis || secret !== "REDIS_URL")) {
    const file = app.environment?.[`${name}_FILE`];
    if (!file) {
      problems.push(`production app does not set ${name}_FILE`);
      continue;
    }
    if (app.environment?.[name] !== "")
      problems.push(`production app must set ${name}: "" so .env cannot shadow ${name}_FILE`);
  }
  const migrateEnv = files.compose.merged.services?.migrate?.environment ?? {};
  if (!migrateEnv.DATABASE_URL_FILE) problems.push("production migrate does not set DATABASE_URL_FILE");
  return problems;
}

// ---- platform manifests ---------------------------------------------------------------------------------

export function flyRules({ fly }: DeployFiles): string[] {
  const problems: string[] = [];
  if (fly.build?.dockerfile !== "Dockerfile") problems.push("fly [build] must use the Dockerfile");
  if (fly.build?.["build-target"] !== undefined && fly.build["build-target"] !== RUNNER)
    problems.push("fly must build the runner target");
  if (!["rolling", "bluegreen"].includes(fly.deploy?.strategy))
    problems.push("fly [deploy] strategy must be rolling or bluegreen");
  const service = fly.http_service ?? {};
  if (service.force_https !== true) problems.push("fly http_service.force_https must be true");
  if (!["stop", "suspend"].includes(service.auto_stop_machines) || service.auto_start_machines !== true) {
    problems.push("fly http_service must auto-stop and auto-start machines");
  }
  if (typeof service.min_machines_running !== "number")
    problems.push("fly http_service.min_machines_running must be set");
  const checks: Json[] = service.checks ?? [];
  if (checks.length === 0) problems.push("fly needs [[http_service.checks]]");
  for (const check of checks) {
    for (const field of ["interval", "timeout", "grace_period"]) {
      if (typeof check[field] !== "string")
        problems.push(`fly check ${field} needs a unit (a bare number is milliseconds)`);
    }
  }
  for (const key of Object.keys(fly.env ?? {})) {
    if ((SECRET_VARIABLES as readonly string[]).includes(key))
      problems.push(`fly [env] ${key} is a secret: use fly secrets set`);
  }
  if (!Array.isArray(fly.vm) || !fly.vm[0]?.memory) problems.push("fly needs a [[vm]] size");
  return problems;
}

export function railwayRules({ railway }: DeployFiles): string[] {
  const problems: string[] = [];
  if (railway.build?.builder !== "DOCKERFILE") problems.push('railway build.builder must be "DOCKERFILE"');
  if (railway.build?.dockerfilePath !== "Dockerfile") problems.push("railway must build the repository's Dockerfile");
  const deploy = railway.deploy ?? {};
  if (typeof deploy.healthcheckTimeout !== "number" || deploy.healthcheckTimeout <= 0) {
    problems.push("railway deploy.healthcheckTimeout must be a positive number of seconds");
  }
  if (!["ON_FAILURE", "ALWAYS"].includes(deploy.restartPolicyType))
    problems.push("railway must restart failed deployments");
  if (typeof deploy.overlapSeconds !== "number") problems.push("railway deploy.overlapSeconds must be set");
  if (Array.isArray(deploy.preDeployCommand) && deploy.preDeployCommand.length !== 1) {
    problems.push("railway preDeployCommand takes one command");
  }
  return problems;
}

export function renderRules({ render }: DeployFiles): string[] {
  const problems: string[] = [];
  const web = webService(render);
  if (!web) return ["render.yaml has no web service"];
  // Image-backed: Render runs the image the pipeline built and gated, and never builds the repository.
  if (web.runtime !== "image") problems.push("render web service must use runtime: image (the pipeline's image)");
  if (!/^ghcr\.io\/[^/:]+\/[^/:]+:production$/.test(String(web.image?.url ?? "")))
    problems.push("render web image.url must be ghcr.io/<owner>/<repo>:production (the last gated release)");
  if (!web.image?.creds?.fromRegistryCreds?.name)
    problems.push("render web image needs registry credentials (image.creds.fromRegistryCreds)");
  const databases = new Set((render.databases ?? []).map((database: Json) => database.name));
  const services = new Map((render.services ?? []).map((service: Json) => [service.name, service.type]));
  for (const entry of web.envVars ?? []) {
    if (entry.fromDatabase && !databases.has(entry.fromDatabase.name)) {
      problems.push(
        `render ${entry.key} reads database ${entry.fromDatabase.name}, which the blueprint does not define`,
      );
    }
    if (entry.fromService && services.get(entry.fromService.name) !== entry.fromService.type) {
      problems.push(
        `render ${entry.key} reads ${entry.fromService.type} ${entry.fromService.name}, which the blueprint does not define`,
      );
    }
    if ((SECRET_VARIABLES as readonly string[]).includes(entry.key) && "value" in entry) {
      problems.push(`render ${entry.key} is a secret: use generateValue, sync: false or fromDatabase/fromService`);
    }
  }
  const keys = (web.envVars ?? []).map((entry: Json) => entry.key);
  // REDIS_URL is optional: required only when the blueprint creates a Key Value (Redis) instance.
  const hasRedis = (render.services ?? []).some((service: Json) => service.type === "keyvalue");
  for (const key of ["DATABASE_URL", "SESSION_SECRET", ...(hasRedis ? ["REDIS_URL"] : [])]) {
    if (!keys.includes(key)) problems.push(`render web service does not set ${key}`);
  }
  for (const keyvalue of (render.services ?? []).filter((service: Json) => service.type === "keyvalue")) {
    if (!Array.isArray(keyvalue.ipAllowList)) problems.push(`render ${keyvalue.name} needs ipAllowList`);
  }
  return problems;
}

// ---- memory: the V8 heap ----------------------------------------------------------------------------------

/** Render's instance types and their memory (render.com/pricing), for plans the blueprint may name. */
const RENDER_PLAN_MEMORY_MB: Record<string, number> = {
  free: 512,
  starter: 512,
  standard: 2048,
  pro: 4096,
  "pro plus": 8192,
  "pro max": 16384,
  "pro ultra": 32768,
};
/** Below this the app's own live heap (about 60 MB after a load run) leaves too little to allocate into. */
const MIN_HEAP_MB = 128;

/**
 * The memory each platform gives the app, in MiB, where the manifest fixes it (Railway's is set in
 * its dashboard). Only the platforms this checkout configures.
 */
export function instanceMemory(files: DeployFiles): Record<string, number | undefined> {
  const memory: Record<string, number | undefined> = {};
  if (files.fly) {
    for (const vm of files.fly.vm ?? [{}]) {
      const where = vm.processes ? `fly [[vm]] ${vm.processes.join(", ")}` : "fly [[vm]]";
      memory[where] = vm.memory === undefined ? undefined : memoryMegabytes(vm.memory);
    }
  }
  if (files.render) {
    for (const service of [webService(files.render), workerService(files.render)].filter(Boolean)) {
      memory[`render ${service.type} plan ${service.plan}`] = RENDER_PLAN_MEMORY_MB[service.plan];
    }
  }
  if (files.compose.merged) {
    for (const name of ["app", "worker"]) {
      const service = files.compose.merged.services?.[name];
      if (!service) continue;
      const limit = service.deploy?.resources?.limits?.memory;
      memory[`compose ${name} memory limit`] = limit === undefined ? undefined : memoryMegabytes(limit);
    }
  }
  return memory;
}

/** NODE_OPTIONS as each configured platform sets it (undefined: the image's applies). */
function platformNodeOptions(files: DeployFiles): Record<string, string | undefined> {
  const options: Record<string, string | undefined> = {};
  if (files.fly) options["fly [env]"] = files.fly.env?.NODE_OPTIONS;
  if (files.render) options["render envVars"] = renderEnv(files.render).NODE_OPTIONS;
  if (files.compose.merged)
    options["compose app environment"] = files.compose.merged.services?.app?.environment?.NODE_OPTIONS;
  return options;
}

/**
 * The image sizes V8's heap to the instance (a percentage of the memory Node may use: the
 * cgroup limit or the VM), every manifest keeps that bound, and every instance size the
 * manifests name gets a workable heap (ADR 0060).
 */
export function heapRules(files: DeployFiles): string[] {
  const problems: string[] = [];
  const nodeOptions = stageEnv(files.dockerfile, RUNNER).NODE_OPTIONS;
  const percentage = heapPercentageOf(nodeOptions);
  if (percentage === undefined) {
    problems.push("runner ENV NODE_OPTIONS must size the heap with --max-old-space-size-percentage");
  } else if (percentage < 25 || percentage > 60) {
    problems.push(`runner heap percentage ${percentage} must be between 25 and 60 (native memory needs the rest)`);
  }
  if (Number(files.dockerfile.globalArgs.NODE_VERSION) < 24) {
    problems.push("--max-old-space-size-percentage needs Node.js 24 or later (ARG NODE_VERSION)");
  }
  for (const stage of ["base", "deps", "builder"]) {
    if (boundsHeap(stageEnv(files.dockerfile, stage).NODE_OPTIONS)) {
      problems.push(`${stage} stage must not bound the heap (next build needs the default)`);
    }
  }
  for (const [where, options] of Object.entries(platformNodeOptions(files))) {
    if (options !== undefined && !boundsHeap(options)) {
      problems.push(`${where} NODE_OPTIONS replaces the image's and drops its heap limit: keep the flag in it`);
    }
  }
  for (const [where, memoryMb] of Object.entries(instanceMemory(files))) {
    if (memoryMb === undefined) {
      problems.push(`${where}: unknown memory size (add it to the heap rules)`);
      continue;
    }
    if (percentage !== undefined && heapMegabytesFor(memoryMb, percentage) < MIN_HEAP_MB) {
      problems.push(
        `${where}: ${memoryMb} MB gives a ${heapMegabytesFor(memoryMb, percentage)} MB heap, below ${MIN_HEAP_MB} MB`,
      );
    }
  }
  return problems;
}

// ---- workflows ------------------------------------------------------------------------------------------

export function workflowRules({ workflows }: DeployFiles): string[] {
  const problems: string[] = [];
  for (const [file, workflow] of Object.entries(workflows)) {
    if (!workflow || typeof workflow !== "object") {
      problems.push(`${file}: not a YAML mapping`);
      continue;
    }
    if (!workflow.on) problems.push(`${file}: no \`on\` trigger`);
    const jobs = Object.entries(workflow.jobs ?? {}) as [string, Json][];
    if (jobs.length === 0) problems.push(`${file}: no jobs`);
    for (const [id, job] of jobs) {
      if (!job["runs-on"] && !job.uses) problems.push(`${file}: job ${id} has neither runs-on nor uses`);
      for (const step of job.steps ?? []) {
        if (step.uses && !String(step.uses).startsWith("./") && !String(step.uses).includes("@")) {
          problems.push(`${file}: job ${id} uses ${step.uses} without a version`);
        }
        if (!step.uses && !step.run) problems.push(`${file}: job ${id} has a step with neither uses nor run`);
      }
    }
  }
  return problems;
}

// ---- backups: the database image, pgBackRest's configuration, the compose services ----------------

/** Where each COPY puts each source: absolute target path -> source path in the build context. */
function copiedFiles(dockerfile: Dockerfile, stage: string): Map<string, string> {
  const copied = new Map<string, string>();
  for (const { args } of stageInstructions(dockerfile, stage, "COPY")) {
    const parts = args.split(" ").filter((part) => !part.startsWith("--"));
    const target = parts.pop()!;
    for (const source of parts) {
      copied.set(target.endsWith("/") ? path.posix.join(target, path.posix.basename(source)) : target, source);
    }
  }
  return copied;
}

/** A volume mount "name:/path[:ro]" of a service, by container path. */
function mounts(service: Json): Map<string, { volume: string; readOnly: boolean }> {
  const result = new Map<string, { volume: string; readOnly: boolean }>();
  for (const mount of service?.volumes ?? []) {
    if (typeof mount !== "string") continue;
    const [volume, target, mode] = mount.split(":");
    if (volume && target) result.set(target, { volume, readOnly: mode === "ro" });
  }
  return result;
}

/** The one stanza of pgbackrest.conf (every section but [global]). */
function stanzaOf(config: BackupConfig): string | undefined {
  const stanzas = Object.keys(config.pgbackrest).filter((section) => section !== "global");
  return stanzas.length === 1 ? stanzas[0] : undefined;
}

export function databaseImageRules({ database, compose }: DeployFiles): string[] {
  const problems: string[] = [];
  const { dockerfile, contextFiles, config } = database;
  const [stage, ...others] = dockerfile.stages;
  if (!stage || others.length) return ["db/postgres/Dockerfile must have exactly one stage"];
  const major = /^postgres:(\d+)(-[a-z]+)?$/.exec(stage.from)?.[1];
  const localMajor = /^postgres:(\d+)/.exec(compose.base.services?.postgres?.image ?? "")?.[1];
  if (!major)
    problems.push("db/postgres/Dockerfile must be FROM the official postgres image with a pinned major version");
  else if (major !== localMajor)
    problems.push(
      `db/postgres/Dockerfile runs PostgreSQL ${major}, docker-compose.yml ${localMajor}: keep them on one major`,
    );
  const runs = stageInstructions(dockerfile, stage.name, "RUN").map(({ args }) => args);
  if (!runs.some((args) => /apt-get install\b[^;&]*\bpgbackrest\b/.test(args)))
    problems.push("db/postgres/Dockerfile must apt-get install pgbackrest");

  const copied = copiedFiles(dockerfile, stage.name);
  for (const source of new Set(copied.values())) {
    const relative = source.replace(/\/$/, "");
    if (!contextFiles.some((file) => file === relative || file.startsWith(`${relative}/`)))
      problems.push(`db/postgres/Dockerfile copies ${source}, which is not in ${DATABASE_IMAGE.context}/`);
  }
  const configPath = stageEnv(dockerfile, stage.name).PGBACKREST_CONFIG;
  if (!configPath)
    problems.push("db/postgres/Dockerfile must set ENV PGBACKREST_CONFIG (archive_command reads it too)");
  else {
    if (copied.get(configPath) !== "pgbackrest/pgbackrest.conf")
      problems.push(`PGBACKREST_CONFIG is ${configPath}, where the image does not copy pgbackrest/pgbackrest.conf`);
    const dir = path.posix.dirname(configPath);
    if (copied.get(path.posix.join(dir, "schedule")) !== "pgbackrest/schedule")
      problems.push(`the scheduler reads ${dir}/schedule, which the image does not copy from pgbackrest/schedule`);
    if (
      ![...copied].some(
        ([target, source]) => target.startsWith(`${dir}/offsite/`) && source.startsWith("pgbackrest/offsite"),
      )
    )
      problems.push(`secrets.sh reads the off-site repository from ${dir}/offsite/, which the image does not copy`);
  }

  const cmd = stageInstructions(dockerfile, stage.name, "CMD").at(-1)?.json;
  const configFile =
    Array.isArray(cmd) && cmd[0] === "postgres" ? /^config_file=(.+)$/.exec(cmd.at(-1) ?? "")?.[1] : undefined;
  if (!configFile)
    problems.push('db/postgres/Dockerfile CMD must be ["postgres", "-c", "config_file=..."] (WAL archiving)');
  else {
    if (copied.get(configFile) !== "postgres/postgresql.conf")
      problems.push(`CMD loads ${configFile}, which the image does not copy from postgres/postgresql.conf`);
    const archiving = config.postgresql.includes.find(
      (include) => include.kind === "include" && include.path.endsWith("archiving.conf"),
    );
    if (!archiving) problems.push("db/postgres/postgresql.conf must include archiving.conf");
    else if (
      copied.get(path.posix.resolve(path.posix.dirname(configFile), archiving.path)) !== "postgres/archiving.conf"
    )
      problems.push(`db/postgres/postgresql.conf includes ${archiving.path}, which the image does not copy beside it`);
  }

  const entrypoint = stageInstructions(dockerfile, stage.name, "ENTRYPOINT").at(-1)?.json;
  const entrypointTarget = Array.isArray(entrypoint) ? path.posix.resolve("/usr/local/bin", entrypoint[0]) : undefined;
  if (!entrypointTarget || copied.get(entrypointTarget) !== "postgres/entrypoint.sh")
    problems.push("db/postgres/Dockerfile ENTRYPOINT must be postgres/entrypoint.sh (it loads the backup secrets)");
  if (
    !/^slipway_load_backup_secrets$/m.test(config.entrypoint) ||
    !/^exec docker-entrypoint\.sh "\$@"$/m.test(config.entrypoint)
  )
    problems.push("db/postgres/entrypoint.sh must load the backup secrets, then exec docker-entrypoint.sh");
  if (
    !runs.some((args) => /\/usr\/local\/bin\/slipway-backup\b/.test(args)) &&
    !copied.has("/usr/local/bin/slipway-backup")
  )
    problems.push("the image must put slipway-backup on the PATH (/usr/local/bin)");
  return problems;
}

export function backupConfigRules({ database: { config } }: DeployFiles): string[] {
  const problems: string[] = [];
  const global = config.pgbackrest.global ?? {};
  const stanza = stanzaOf(config);
  if (!stanza) problems.push("pgbackrest.conf must define exactly one stanza");
  if (global["repo1-cipher-type"] !== "aes-256-cbc")
    problems.push("repo1 must be encrypted (repo1-cipher-type=aes-256-cbc)");
  for (const [file, sections] of [
    ["pgbackrest.conf", config.pgbackrest],
    ["offsite/s3.conf", config.offsite],
  ] as const) {
    for (const options of Object.values(sections)) {
      for (const option of Object.keys(options)) {
        if (/cipher-pass|s3-key|s3-key-secret/.test(option))
          problems.push(`${file} sets ${option}: secrets come from the environment (secrets.sh)`);
      }
    }
  }
  if (global["repo1-retention-full-type"] !== "time" || global["repo1-retention-full"] !== "30")
    problems.push("repo1 must keep 30 days (repo1-retention-full-type=time, repo1-retention-full=30)");
  const offsite = config.offsite.global ?? {};
  if (offsite["repo2-type"] !== "s3") problems.push("offsite/s3.conf must configure repo2 as s3");
  if (offsite["repo2-cipher-type"] !== "aes-256-cbc") problems.push("the off-site repository must be encrypted too");
  if (offsite["repo2-retention-full-type"] !== "time" || offsite["repo2-retention-full"] !== "30")
    problems.push("the off-site repository must keep 30 days too");
  const settings = config.archiving.settings;
  if (settings.archive_mode !== "on") problems.push("archiving.conf must set archive_mode = on");
  if (!["replica", "logical"].includes(settings.wal_level ?? "replica"))
    problems.push("archiving.conf: wal_level must be replica or logical");
  const command = settings.archive_command ?? "";
  if (!new RegExp(`^pgbackrest --stanza=${stanza} archive-push %p$`).test(command))
    problems.push(`archive_command must be "pgbackrest --stanza=${stanza} archive-push %p", not "${command}"`);
  if (!/^03:00 full$/m.test(config.schedule)) problems.push("the schedule must run a full backup at 03:00 UTC");
  return problems;
}

export function backupComposeRules({ compose, database: { config } }: DeployFiles): string[] {
  const problems: string[] = [];
  const services = compose.merged.services ?? {};
  const { postgres, backup, app } = services;
  if (!backup) return ["production compose has no backup service"];
  const stanza = stanzaOf(config) ?? "";
  const repoPath = config.pgbackrest.global?.["repo1-path"];
  const dataPath = config.pgbackrest[stanza]?.["pg1-path"];
  const socketPath = config.pgbackrest[stanza]?.["pg1-socket-path"];
  const imageOf = (service: Json) => `${service?.build?.context}|${service?.build?.dockerfile}|${service?.image}`;
  const databaseImage = `./${DATABASE_IMAGE.context}|${DATABASE_IMAGE.dockerfile}|`;
  for (const [name, service] of Object.entries(services) as [string, Json][]) {
    if (!["postgres", "backup", "restore"].includes(name)) continue;
    if (!imageOf(service).startsWith(databaseImage))
      problems.push(`${name} must build db/postgres/Dockerfile (context ./db)`);
    if (imageOf(service) !== imageOf(postgres)) problems.push(`${name} must run the same image as postgres`);
    if (!service.environment?.PGBACKREST_REPO1_CIPHER_PASS_FILE)
      problems.push(`${name} does not read the repository passphrase (PGBACKREST_REPO1_CIPHER_PASS_FILE)`);
    if (service.environment?.BACKUP_S3_BUCKET !== "${BACKUP_S3_BUCKET:-}")
      problems.push(`${name}: the off-site repository must be off unless BACKUP_S3_BUCKET is set`);
    if (name !== "postgres" && service.user !== "postgres")
      problems.push(`${name} must run as postgres: pgBackRest run as root leaves root-owned files in the repository`);
  }
  if (postgres?.command || postgres?.entrypoint)
    problems.push("postgres must keep the image's entrypoint and command (they load the secrets and WAL archiving)");
  const postgresMounts = mounts(postgres);
  const backupMounts = mounts(backup);
  for (const [what, target] of [
    ["repository (repo1-path)", repoPath],
    ["data directory (pg1-path)", dataPath],
    ["socket directory (pg1-socket-path)", socketPath],
  ] as const) {
    const server = postgresMounts.get(target ?? "");
    const scheduler = backupMounts.get(target ?? "");
    if (!server) problems.push(`postgres does not mount a volume at the ${what} ${target}`);
    if (!scheduler) problems.push(`backup does not mount a volume at the ${what} ${target}`);
    if (server && scheduler && server.volume !== scheduler.volume)
      problems.push(`postgres and backup mount different volumes at the ${what} ${target}`);
  }
  if (backupMounts.get(dataPath ?? "")?.readOnly === false)
    problems.push("backup must mount the data directory read-only");
  const command = [...(backup.entrypoint ?? []), ...(backup.command ?? [])].join(" ");
  if (command !== "slipway-backup schedule")
    problems.push(`backup must run "slipway-backup schedule", not "${command}"`);
  if (backup.depends_on?.postgres?.condition !== "service_healthy")
    problems.push("backup must wait for postgres to be healthy");
  if (!JSON.stringify(backup.healthcheck?.test ?? "").includes("slipway-backup"))
    problems.push("backup's healthcheck must run slipway-backup health");

  const statusFile = backup.environment?.BACKUP_STATUS_FILE;
  const inside = (file: string | undefined, service: Json) =>
    [...mounts(service)].find(([target]) => file?.startsWith(`${target}/`))?.[1];
  const written = inside(statusFile, backup);
  if (!statusFile || !written) problems.push("backup's BACKUP_STATUS_FILE must be on a volume");
  if (app?.environment?.BACKUP_STATUS_FILE !== statusFile)
    problems.push("app must read the BACKUP_STATUS_FILE the scheduler writes");
  const read = inside(app?.environment?.BACKUP_STATUS_FILE, app);
  if (!read || read.volume !== written?.volume) problems.push("app must mount the backup status volume");
  else if (!read.readOnly) problems.push("app must mount the backup status volume read-only");
  return problems;
}
