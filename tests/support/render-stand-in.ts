import { randomBytes } from "node:crypto";
import { schemaErrors, schemaValidators, startStandInServer, type StandInServer } from "./platform-stand-in";

/**
 * A local stand-in for Render's REST API (https://api-docs.render.com), for scripts/platforms/render.ts.
 * Request bodies are checked against platform-schemas/render-api.schema.json (Render's published
 * shapes) and answered with 400 like Render when they do not fit. Behind it, a small Render: image-
 * backed services with their settings, deploys that run the pre-deploy command first and wait for
 * the web service's health check before the previous deploy is deactivated
 * (https://render.com/docs/deploys#zero-downtime-deploys); background workers get no health check.
 */

export interface RenderDeploy {
  id: string;
  status: string;
  trigger: string;
  image: { ref: string; sha: string };
  createdAt: string;
  finishedAt?: string;
}

export interface RenderService {
  id: string;
  name: string;
  ownerId: string;
  type: "web_service" | "background_worker";
  /** The image the service is configured with (deploys may name another tag of it). */
  imagePath: string;
  autoDeploy: "yes" | "no";
  repo?: string;
  suspended: "not_suspended";
  serviceDetails: {
    runtime: "image";
    plan: string;
    region: string;
    numInstances: number;
    healthCheckPath?: string;
    maxShutdownDelaySeconds?: number;
    url?: string;
    envSpecificDetails: { dockerCommand?: string; preDeployCommand?: string };
  };
  envVars: Record<string, string>;
  /** Newest first, as the API lists them. */
  deploys: RenderDeploy[];
}

export interface RenderStandIn extends StandInServer {
  /** RENDER_API_URL for the scripts. */
  apiUrl: string;
  apiKey: string;
  ids: {
    ownerId: string;
    webServiceId: string;
    workerServiceId: string;
    blueprintId: string;
    registryCredentialId: string;
  };
  services: Map<string, RenderService>;
  blueprint: { id: string; name: string; autoSync: boolean };
  /** Puts `image` live on both services, as an earlier release left them (no call recorded). */
  seedRelease: (image: string) => void;
}

const id = (prefix: string) => `${prefix}-${randomBytes(10).toString("hex")}`;
const repositoryOf = (image: string) => image.slice(0, image.lastIndexOf(":"));

export async function startRenderStandIn(options: { imageRepository: string }): Promise<RenderStandIn> {
  const validator = schemaValidators("render-api.schema.json");
  const apiKey = `rnd_${randomBytes(12).toString("hex")}`;
  const ids = {
    ownerId: id("tea"),
    webServiceId: id("srv"),
    workerServiceId: id("srv"),
    blueprintId: id("exs"),
    registryCredentialId: id("rgc"),
  };
  const services = new Map<string, RenderService>();
  const blueprint = { id: ids.blueprintId, name: "slipway", autoSync: false };
  const base = (serviceId: string, name: string, type: RenderService["type"]): RenderService => ({
    id: serviceId,
    name,
    ownerId: ids.ownerId,
    type,
    imagePath: `${options.imageRepository}:production`,
    autoDeploy: "no",
    suspended: "not_suspended",
    serviceDetails: {
      runtime: "image",
      plan: "starter",
      region: "frankfurt",
      numInstances: 1,
      ...(type === "web_service" ? { url: `https://${name}.onrender.com`, healthCheckPath: "" } : {}),
      envSpecificDetails: {},
    },
    envVars: {},
    deploys: [],
  });
  services.set(ids.webServiceId, base(ids.webServiceId, "slipway", "web_service"));
  services.set(ids.workerServiceId, base(ids.workerServiceId, "slipway-worker", "background_worker"));

  /** A deploy's life: pre-deploy command, then (web) the health check, then it replaces the live one. */
  function run(service: RenderService, image: string, trigger: string): RenderDeploy {
    const deploy: RenderDeploy = {
      id: id("dep"),
      status: "created",
      trigger,
      image: { ref: image, sha: `sha256:${randomBytes(32).toString("hex")}` },
      createdAt: new Date().toISOString(),
    };
    service.deploys.unshift(deploy);
    const where = `render ${service.name}`;
    const finish = (status: string, reason?: string) => {
      deploy.status = status;
      deploy.finishedAt = new Date().toISOString();
      if (reason) server.record({ kind: "failed", where, image, reason });
    };
    const preDeploy = service.serviceDetails.envSpecificDetails.preDeployCommand;
    if (preDeploy) {
      server.record({ kind: "migrate", where, image, command: [preDeploy] });
      if (server.images.failsMigration.has(image)) {
        finish("pre_deploy_failed", "the pre-deploy command exited 1");
        return deploy;
      }
    }
    if (
      service.type === "web_service" &&
      !server.images.passesHealthCheck(image, service.serviceDetails.healthCheckPath)
    ) {
      finish("update_failed", "the health check never passed");
      return deploy;
    }
    for (const earlier of service.deploys)
      if (earlier !== deploy && earlier.status === "live") earlier.status = "deactivated";
    finish("live");
    server.record({ kind: "traffic", where, image });
    return deploy;
  }

  const error = (status: number, message: string) => ({ status, body: { id: "error", message } });
  /** A success answer, itself checked against Render's shape for it (a stand-in that drifts fails loudly). */
  const answer = (status: number, definition: string, body: unknown) => {
    const problems = schemaErrors(validator(definition), body);
    if (problems.length)
      throw new Error(`the stand-in's answer does not fit Render's ${definition}: ${problems.join("; ")}`);
    return { status, body };
  };
  const invalid = (definition: string, body: unknown) => {
    const problems = schemaErrors(validator(definition), body);
    return problems.length ? error(400, `invalid body: ${problems.join("; ")}`) : undefined;
  };
  const view = (service: RenderService) => {
    const { envVars: _env, deploys: _deploys, ...shown } = service;
    return shown;
  };

  const server: StandInServer = await startStandInServer(
    ({ method, path, query, headers, body }) => {
      if (headers.authorization !== `Bearer ${apiKey}`) return error(401, "unauthorized");
      const route = path.replace(/^\/v1/, "");
      let match: RegExpExecArray | null;

      if ((match = /^\/blueprints\/([^/]+)$/.exec(route)) && method === "GET") {
        return match[1] === blueprint.id ? answer(200, "blueprint", blueprint) : error(404, "blueprint not found");
      }
      if (route === "/services" && method === "GET") {
        const names = query.getAll("name");
        const found = [...services.values()].filter((service) => names.length === 0 || names.includes(service.name));
        return answer(
          200,
          "serviceList",
          found.map((service) => ({ cursor: service.id, service: view(service) })),
        );
      }
      if (route === "/services" && method === "POST") {
        const problem = invalid("servicePOST", body);
        if (problem) return problem;
        const input = body as {
          name: string;
          ownerId: string;
          image: { imagePath: string };
          envVars?: { key: string; value?: string }[];
          serviceDetails: Record<string, unknown>;
        };
        if (input.ownerId !== ids.ownerId) return error(404, "owner not found");
        if ([...services.values()].some((service) => service.name === input.name))
          return error(409, "a service with this name exists");
        const {
          runtime: _runtime,
          preDeployCommand,
          ...details
        } = input.serviceDetails as { runtime: string; preDeployCommand?: string };
        const created = base(id("srv"), input.name, "web_service");
        Object.assign(created.serviceDetails, details);
        created.serviceDetails.envSpecificDetails = preDeployCommand ? { preDeployCommand } : {};
        created.imagePath = input.image.imagePath;
        created.envVars = Object.fromEntries((input.envVars ?? []).map((entry) => [entry.key, entry.value ?? ""]));
        services.set(created.id, created);
        const deploy = run(created, input.image.imagePath, "new_service");
        return answer(201, "serviceAndDeploy", { service: view(created), deployId: deploy.id });
      }

      match = /^\/services\/([^/]+)(\/.*)?$/.exec(route);
      const service = match && services.get(match[1]!);
      if (!match || !service) return error(404, "service not found");
      const rest = match[2] ?? "";

      if (rest === "" && method === "GET") return answer(200, "service", view(service));
      if (rest === "" && method === "DELETE") {
        services.delete(service.id);
        return { status: 204 };
      }
      if (rest === "" && method === "PATCH") {
        const problem = invalid("servicePATCH", body);
        if (problem) return problem;
        const { preDeployCommand, envSpecificDetails, ...details } = (
          body as { serviceDetails: Record<string, unknown> }
        ).serviceDetails as {
          preDeployCommand?: string;
          envSpecificDetails?: { dockerCommand?: string };
        } & Record<string, unknown>;
        if (service.type === "background_worker" && details.healthCheckPath !== undefined)
          return error(400, "background workers have no health check path");
        Object.assign(service.serviceDetails, details);
        if (preDeployCommand !== undefined)
          service.serviceDetails.envSpecificDetails.preDeployCommand = preDeployCommand;
        if (envSpecificDetails?.dockerCommand !== undefined)
          service.serviceDetails.envSpecificDetails.dockerCommand = envSpecificDetails.dockerCommand;
        return answer(200, "service", view(service));
      }
      if (rest === "/scale" && method === "POST") {
        const problem = invalid("scalePOST", body);
        if (problem) return problem;
        service.serviceDetails.numInstances = (body as { numInstances: number }).numInstances;
        return { status: 202 };
      }
      if (rest === "/deploys" && method === "GET") {
        const limit = Number(query.get("limit") ?? 20);
        return answer(
          200,
          "deployList",
          service.deploys.slice(0, limit).map((deploy) => ({ cursor: deploy.id, deploy })),
        );
      }
      if (rest === "/deploys" && method === "POST") {
        const problem = invalid("deployPOST", body);
        if (problem) return problem;
        const image = (body as { imageUrl?: string }).imageUrl ?? service.imagePath;
        if (repositoryOf(image) !== repositoryOf(service.imagePath))
          return error(400, "the image URL must match the service's image host, repository and name");
        const deploy = run(service, image, "api");
        return answer(201, "deploy", { ...deploy, status: "created" });
      }
      if ((match = /^\/deploys\/([^/]+)$/.exec(rest)) && method === "GET") {
        const deploy = service.deploys.find((candidate) => candidate.id === match![1]);
        return deploy ? answer(200, "deploy", deploy) : error(404, "deploy not found");
      }
      if (rest === "/rollback" && method === "POST") {
        const problem = invalid("rollbackPOST", body);
        if (problem) return problem;
        const target = service.deploys.find((candidate) => candidate.id === (body as { deployId: string }).deployId);
        if (!target) return error(404, "deploy not found");
        const deploy = run(service, target.image.ref, "rollback");
        return answer(201, "deploy", { ...deploy, status: "created" });
      }
      if ((match = /^\/env-vars\/([A-Z0-9_]+)$/.exec(rest)) && method === "PUT") {
        const problem = invalid("envVarPUT", body);
        if (problem) return problem;
        service.envVars[match[1]!] = (body as { value: string }).value;
        return { status: 200, body: { key: match[1], value: service.envVars[match[1]!] } };
      }
      return error(404, "not found");
    },
    (domain) => {
      const service = [...services.values()].find((candidate) => candidate.serviceDetails.url === `https://${domain}`);
      return service?.deploys.find((deploy) => deploy.status === "live")?.image.ref;
    },
  );

  return {
    ...server,
    apiUrl: `${server.url}/v1`,
    apiKey,
    ids,
    services,
    blueprint,
    seedRelease(image) {
      for (const service of services.values()) {
        service.deploys.unshift({
          id: id("dep"),
          status: "live",
          trigger: "api",
          image: { ref: image, sha: `sha256:${randomBytes(32).toString("hex")}` },
          createdAt: new Date().toISOString(),
        });
      }
    },
  };
}
