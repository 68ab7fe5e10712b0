/**
 * The project's rules for its deployment files, as pure functions over the parsed files: each
 * returns the list of broken rules ([] = fine), so the tests can show every rule failing on a
 * deliberately broken copy. Reading the files is scripts/deploy-files.mjs's job.
 */
import path from "node:path";
import {
  appRoutes,
  composeDurationSeconds,
  defaultServices,
  flyDurationSeconds,
  isDockerIgnored,
  MIGRATOR_COMMAND,
  PLATFORM_FILES,
  read,
  readCompose,
  readDockerfile,
  readDockerignore,
  readPlatformManifests,
  readWorkflows,
  stageEnv,
  stageInstructions,
  type Dockerfile,
  type Json,
  type Platform,
} from "../../../scripts/deploy-files.mjs";
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
  render?: Json;
  workflows: Record<string, Json>;
  routes: Set<string>;
  /** The configuration the compose `monitoring` profile mounts from ops/. */
  monitoring: { prometheus: Json; alertmanager: Json; grafanaDatasources: Json; grafanaDashboards: Json };
}

export function loadDeployFiles(): DeployFiles {
  const { base, merged } = readCompose();
  return {
    dockerfile: readDockerfile(),
    dockerignore: readDockerignore(),
    compose: { base, merged },
    ...readPlatformManifests(),
    workflows: Object.fromEntries(Object.entries(readWorkflows()).map(([file, { data }]) => [file, data])),
    routes: appRoutes(),
    monitoring: {
      prometheus: parseYaml(read("ops/prometheus/prometheus.yml")),
      alertmanager: parseYaml(read("ops/alertmanager/alertmanager.yml")),
      grafanaDatasources: parseYaml(read("ops/grafana/provisioning/datasources/prometheus.yml")),
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
  if (!base || !/^node:\$\{NODE_VERSION\}-bookworm-slim$/.test(base.from)) {
    problems.push("base stage must be FROM node:${NODE_VERSION}-bookworm-slim");
  }
  if (dockerfile.globalArgs.NODE_VERSION !== "24") problems.push("ARG NODE_VERSION must default to 24");

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

  for (const stage of dockerfile.stages) {
    for (const { keyword, args } of stage.instructions) {
      if ((keyword === "ARG" || keyword === "ENV") && /\bSENTRY_AUTH_TOKEN\b/.test(args)) {
        problems.push(`SENTRY_AUTH_TOKEN must come from a secret mount, not ${keyword} (stage ${stage.name})`);
      }
    }
  }
  const build = stageInstructions(dockerfile, "builder", "RUN").find(({ args }) => /npm run build/.test(args));
  if (!build || !/--mount=type=secret,id=sentry_auth_token/.test(build.args)) {
    problems.push("the builder's `npm run build` must read SENTRY_AUTH_TOKEN from the sentry_auth_token secret mount");
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
  for (const file of [".env.example", "package.json", "package-lock.json", "src/app/page.tsx", "db/schema/index.ts"]) {
    if (isDockerIgnored(dockerignore, file)) problems.push(`.dockerignore must keep ${file} (the build needs it)`);
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

/** Fly's kill_timeout: whole seconds as a number, or a duration string. */
function flyKillTimeoutSeconds(value: string | number): number {
  return typeof value === "number" ? value : flyDurationSeconds(value);
}

// ---- production compose -------------------------------------------------------------------------------

const SECRETISH = /PASSWORD|SECRET|TOKEN|KEY|_URL$/;

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
      if (key.endsWith("_FILE") && !String(value).startsWith("/run/secrets/")) {
        problems.push(`${name}: ${key} must point into /run/secrets/`);
      }
      if (key.endsWith("_FILE")) {
        const secret = String(value).replace("/run/secrets/", "");
        if (!(service.secrets ?? []).includes(secret))
          problems.push(`${name}: ${key} reads ${secret}, which is not mounted`);
      }
    }
    if (name !== "app" && (service.ports ?? []).length > 0) problems.push(`${name}: publishes ports in production`);
  }
  for (const mapping of services.app?.ports ?? []) {
    const host = typeof mapping === "string" ? mapping.split(":")[0] : mapping.host_ip;
    if (host !== "127.0.0.1") problems.push(`app: port ${JSON.stringify(mapping)} must bind to 127.0.0.1`);
  }
  if (!services.app?.ports?.length) problems.push("app: publishes no port for the reverse proxy");
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

// ---- compose monitoring profile ----------------------------------------------------------------------

/** The services of the `monitoring` profile and the official image each must run. */
const MONITORING_IMAGES: Record<string, string> = {
  prometheus: "prom/prometheus",
  alertmanager: "prom/alertmanager",
  grafana: "grafana/grafana",
};

/** Where each service reads its configuration from ops/, as `--config.file` or mount target. */
const MONITORING_CONFIG: Record<string, { source: string; target: string; configFlag?: string }> = {
  prometheus: { source: "./ops/prometheus", target: "/etc/prometheus", configFlag: "/etc/prometheus/prometheus.yml" },
  alertmanager: {
    source: "./ops/alertmanager",
    target: "/etc/alertmanager",
    configFlag: "/etc/alertmanager/alertmanager.yml",
  },
  grafana: { source: "./ops/grafana/provisioning", target: "/etc/grafana/provisioning" },
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
      if (name !== "grafana") problems.push(`${name}: publishes a port (only Grafana may, on loopback)`);
      else if (host !== "127.0.0.1") problems.push(`grafana: port ${JSON.stringify(mapping)} must bind to 127.0.0.1`);
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
  const dashboardsPath = grafanaDashboards.providers?.[0]?.options?.path;
  const dashboardsMount = bindMounts(services.grafana ?? {}).find(
    (mount) => mount.source === "./ops/grafana/dashboards",
  );
  if (!dashboardsMount || dashboardsMount.target !== dashboardsPath) {
    problems.push(`grafana must mount ./ops/grafana/dashboards at the provider's path ${dashboardsPath}`);
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
  if (web.runtime !== "docker") problems.push("render web service must use runtime: docker");
  if (web.dockerfilePath !== "./Dockerfile") problems.push("render must build ./Dockerfile");
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
