import { randomBytes } from "node:crypto";
import path from "node:path";
import { schemaErrors, schemaValidators, startStandInServer, type StandInServer } from "./platform-stand-in";

/**
 * A local stand-in for Fly's Machines API (https://fly.io/docs/machines/api/), for
 * scripts/platforms/fly.ts and for tests/support/flyctl-stand-in.mjs, which plays `flyctl` against
 * it (flyctl itself cannot be installed here). Bodies are checked against
 * platform-schemas/fly-machines.schema.json. Behind it, a small Fly: apps, machines with their
 * config, a release_command machine that runs the migrator and destroys itself (auto_destroy), and
 * machine checks that pass only on the port and path the image's process serves: the web process
 * on PORT (3000), the worker on WORKER_PORT (3001).
 */

interface MachineEvent {
  type: string;
  status: string;
  source: string;
  timestamp: number;
  request?: { exit_event: { exit_code: number; requested_stop: boolean } };
}

export interface FlyMachine {
  id: string;
  name: string;
  state: string;
  region: string;
  instance_id: string;
  image_ref: { registry: string; repository: string; tag: string };
  config: Record<string, unknown> & {
    image: string;
    metadata?: Record<string, string>;
    env?: Record<string, string>;
    init?: { cmd?: string[] };
    services?: { internal_port: number; checks?: { type: string; port?: number; path?: string }[] }[];
    checks?: Record<string, { type: string; port?: number; path?: string }>;
    auto_destroy?: boolean;
  };
  events: MachineEvent[];
  checks: { name: string; status: "passing" | "critical"; output: string }[];
  created_at: string;
  updated_at: string;
}

export interface FlyApp {
  name: string;
  org: string;
  machines: FlyMachine[];
  /** Secrets flyctl set (the stand-in's record: the Machines API does not show values). */
  secrets: Record<string, string>;
}

export interface FlyStandIn extends StandInServer {
  /** FLAPS_BASE_URL for the scripts and for flyctl. */
  apiUrl: string;
  token: string;
  org: string;
  /** FLYCTL: the flyctl stand-in. */
  flyctl: string;
  apps: Map<string, FlyApp>;
  /** Creates an app (as `fly launch` would have), no call recorded. */
  createApp: (name: string) => void;
  /** Forgets the calls and the timeline so far (after a test set up an earlier release). */
  resetRecords: () => void;
}

const now = () => Date.now();
/** Each event gets its own millisecond, so their order shows in their timestamps as on Fly. */
let clock = 0;
const tick = () => (clock = Math.max(clock + 1, now()));

export async function startFlyStandIn(): Promise<FlyStandIn> {
  const validator = schemaValidators("fly-machines.schema.json");
  const token = `fly-${randomBytes(12).toString("hex")}`;
  const org = "slipway-org";
  const apps = new Map<string, FlyApp>();

  const groupOf = (machine: FlyMachine) => machine.config.metadata?.fly_process_group ?? "app";
  /** The port a process of the image listens on: the worker's WORKER_PORT, else PORT. */
  const listensOn = (machine: FlyMachine) =>
    groupOf(machine) === "worker"
      ? Number(machine.config.env?.WORKER_PORT ?? 3001)
      : Number(machine.config.env?.PORT ?? 3000);

  function evaluateChecks(machine: FlyMachine) {
    const image = machine.config.image;
    const all = [
      ...(machine.config.services ?? []).flatMap((service, index) =>
        (service.checks ?? []).map(
          (check, checkIndex) =>
            [`servicecheck-${index}-${checkIndex}`, { ...check, port: check.port ?? service.internal_port }] as const,
        ),
      ),
      ...Object.entries(machine.config.checks ?? {}),
    ];
    machine.checks = all.map(([name, check]) => {
      const passing = check.port === listensOn(machine) && server.images.passesHealthCheck(image, check.path);
      return {
        name,
        status: passing ? "passing" : "critical",
        output: passing ? "200 OK" : `no answer on ${check.port}${check.path ?? ""}`,
      };
    });
  }

  /** Starts the machine's process: a release_command runs to its end; others serve and are checked. */
  function start(app: FlyApp, machine: FlyMachine) {
    const image = machine.config.image;
    machine.events.push({ type: "start", status: "started", source: "flyd", timestamp: tick() });
    machine.state = "started";
    if (groupOf(machine) === "fly_app_release_command") {
      server.record({ kind: "migrate", where: `fly ${app.name}`, image, command: machine.config.init?.cmd ?? [] });
      const code = server.images.failsMigration.has(image) ? 1 : 0;
      machine.events.push({
        type: "exit",
        status: "stopped",
        source: "flyd",
        timestamp: tick(),
        request: { exit_event: { exit_code: code, requested_stop: false } },
      });
      machine.state = machine.config.auto_destroy ? "destroyed" : "stopped";
      if (machine.state === "destroyed")
        machine.events.push({ type: "destroy", status: "destroyed", source: "user", timestamp: tick() });
      return;
    }
    evaluateChecks(machine);
    if (machine.checks.every((check) => check.status === "passing"))
      server.record({ kind: "traffic", where: `fly ${app.name} ${groupOf(machine)}`, image });
    else
      server.record({ kind: "failed", where: `fly ${app.name} ${groupOf(machine)}`, image, reason: "checks critical" });
  }

  function imageRef(image: string): FlyMachine["image_ref"] {
    const [registry, ...rest] = image.split("/");
    const [repository, tag] = rest.join("/").split(":");
    return { registry: registry!, repository: repository!, tag: tag ?? "latest" };
  }

  function launch(app: FlyApp, input: { config: FlyMachine["config"]; region?: string; name?: string }): FlyMachine {
    const machine: FlyMachine = {
      id: randomBytes(7).toString("hex"),
      name: input.name ?? `machine-${app.machines.length + 1}`,
      state: "created",
      region: input.region ?? "ams",
      instance_id: randomBytes(8).toString("hex").toUpperCase(),
      image_ref: imageRef(input.config.image),
      config: input.config,
      events: [{ type: "launch", status: "created", source: "user", timestamp: tick() }],
      checks: [],
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    };
    app.machines.push(machine);
    start(app, machine);
    return machine;
  }

  const error = (status: number, message: string) => ({ status, body: { error: message } });
  /** A success answer, itself checked against the Machines API's shape for it. */
  const answer = (status: number, definition: string, body: unknown) => {
    const problems = schemaErrors(validator(definition), body);
    if (problems.length)
      throw new Error(`the stand-in's answer does not fit Fly's ${definition}: ${problems.join("; ")}`);
    return { status, body };
  };

  const server: StandInServer = await startStandInServer(
    ({ method, path: route, query, headers, body }) => {
      if (headers.authorization !== `Bearer ${token}`) return error(401, "Authenticate: token validation error");
      let match: RegExpExecArray | null;
      if (route === "/v1/apps" && method === "POST") {
        const problems = schemaErrors(validator("createApp"), body);
        if (problems.length) return error(400, problems.join("; "));
        const input = body as { app_name: string; org_slug: string };
        if (input.org_slug !== org) return error(404, "organization not found");
        if (apps.has(input.app_name)) return error(422, "Name has already been taken");
        apps.set(input.app_name, { name: input.app_name, org, machines: [], secrets: {} });
        return { status: 201, body: {} };
      }
      // Not Fly's API: where the flyctl stand-in records `flyctl secrets` (flyctl sets them over GraphQL).
      if ((match = /^\/_stand-in\/apps\/([^/]+)\/secrets$/.exec(route)) && method === "POST") {
        const app = apps.get(match[1]!);
        if (!app) return error(404, "app not found");
        Object.assign(app.secrets, body as Record<string, string>);
        return { status: 200, body: {} };
      }
      match = /^\/v1\/apps\/([^/]+)(\/.*)?$/.exec(route);
      const app = match && apps.get(match[1]!);
      if (!match || !app) return error(404, "app not found");
      const rest = match[2] ?? "";
      if (rest === "" && method === "GET")
        return answer(200, "app", {
          id: app.name,
          name: app.name,
          status: "deployed",
          organization: { slug: app.org },
        });
      if (rest === "" && method === "DELETE") {
        for (const machine of app.machines) machine.state = "destroyed";
        apps.delete(app.name);
        return { status: 202 };
      }
      if (rest === "/machines" && method === "GET") {
        const all = query.get("include_deleted") === "true";
        return answer(
          200,
          "machineList",
          app.machines.filter((machine) => all || machine.state !== "destroyed"),
        );
      }
      if (rest === "/machines" && method === "POST") {
        const problems = schemaErrors(validator("launchMachine"), body);
        if (problems.length) return error(400, problems.join("; "));
        return answer(200, "machine", launch(app, body as never));
      }
      match = /^\/machines\/([^/]+)$/.exec(rest);
      const machine = match && app.machines.find((candidate) => candidate.id === match![1]);
      if (!match || !machine) return error(404, "machine not found");
      if (method === "GET") return answer(200, "machine", machine);
      if (method === "POST") {
        const problems = schemaErrors(validator("launchMachine"), body);
        if (problems.length) return error(400, problems.join("; "));
        machine.config = (body as { config: FlyMachine["config"] }).config;
        machine.image_ref = imageRef(machine.config.image);
        machine.instance_id = randomBytes(8).toString("hex").toUpperCase();
        machine.updated_at = new Date().toISOString();
        machine.events.push({ type: "update", status: "replaced", source: "user", timestamp: tick() });
        start(app, machine);
        return answer(200, "machine", machine);
      }
      return error(404, "not found");
    },
    (domain) => {
      const app = apps.get(domain.replace(/\.fly\.dev$/, ""));
      const serving = app?.machines.find(
        (machine) =>
          groupOf(machine) === "app" &&
          machine.state === "started" &&
          machine.checks.every((check) => check.status === "passing"),
      );
      return serving?.config.image;
    },
  );

  return {
    ...server,
    apiUrl: server.url,
    token,
    org,
    flyctl: path.join(import.meta.dirname, "flyctl-stand-in.mjs"),
    apps,
    createApp: (name) => void apps.set(name, { name, org, machines: [], secrets: {} }),
    resetRecords() {
      server.calls.length = 0;
      server.timeline.length = 0;
    },
  };
}
