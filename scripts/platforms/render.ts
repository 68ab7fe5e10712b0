/**
 * Render: the Blueprint's image-backed web service and background worker, deployed through Render's
 * REST API (https://api-docs.render.com): the pipeline applies render.yaml's deploy settings to both
 * services (PATCH /services, POST /scale), deploys the release's image by tag (POST /deploys with
 * imageUrl: https://render.com/docs/deploy-an-image), follows each deploy to `live`, and rolls back
 * with Render's own rollback (POST /rollback, https://render.com/docs/rollbacks). The Blueprint's Auto
 * Sync must be off (https://render.com/docs/infrastructure-as-code#disabling-automatic-sync): a
 * synced Blueprint redeploys outside the pipeline, so verification fails while it is on.
 *
 *   RENDER_API_KEY                        an API key (Account Settings -> API Keys)
 *   RENDER_SERVICE_ID, RENDER_WORKER_SERVICE_ID, RENDER_BLUEPRINT_ID
 *   RENDER_OWNER_ID, RENDER_REGISTRY_CREDENTIAL_ID    previews only: the workspace and its GHCR credential
 *   RENDER_API_URL                        default https://api.render.com/v1
 */
import { ConfigError, requireEnv, timingsFrom, type Env } from "./config";
import { PlatformError, pollUntil, requestJson } from "./http";
import { renderDeclared } from "./manifests";
import { previewEnvironment, publicUrl, type DeployTarget, type Log } from "./target";

interface Deploy {
  id: string;
  status: string;
  image?: { ref?: string };
}

interface Service {
  id: string;
  name: string;
  type: string;
  autoDeploy: string;
  repo?: string;
  serviceDetails: {
    numInstances: number;
    healthCheckPath?: string;
    maxShutdownDelaySeconds?: number;
    url?: string;
    envSpecificDetails?: { dockerCommand?: string; preDeployCommand?: string };
  };
}

const FAILED = new Set(["build_failed", "update_failed", "pre_deploy_failed", "canceled", "deactivated"]);

export function renderTarget(env: Env, log: Log): DeployTarget {
  const ids = requireEnv(env, ["RENDER_API_KEY", "RENDER_SERVICE_ID", "RENDER_WORKER_SERVICE_ID"], "Render");
  const api = (env.RENDER_API_URL?.trim() || "https://api.render.com/v1").replace(/\/$/, "");
  const headers = { authorization: `Bearer ${ids.RENDER_API_KEY}` };
  const timings = timingsFrom(env);
  const services = { web: ids.RENDER_SERVICE_ID, worker: ids.RENDER_WORKER_SERVICE_ID };

  const call = <T>(
    route: string,
    what: string,
    method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE" = "GET",
    body?: unknown,
  ) => requestJson<T>(`${api}${route}`, { method, headers, body, what: `Render: ${what}` });

  const recentDeploys = (serviceId: string) =>
    call<{ deploy: Deploy }[]>(`/services/${serviceId}/deploys?limit=20`, "list deploys").then((list) =>
      list.map((entry) => entry.deploy),
    );

  async function follow(serviceId: string, deploy: Deploy, what: string): Promise<void> {
    const done = await pollUntil(
      () => call<Deploy>(`/services/${serviceId}/deploys/${deploy.id}`, "read the deploy"),
      (current) => current.status === "live" || FAILED.has(current.status),
      { timeoutMs: timings.deployTimeoutMs, intervalMs: timings.pollIntervalMs, what: `Render: ${what}` },
    );
    if (done.status !== "live")
      throw new PlatformError(`Render: ${what} ended ${done.status} (the previous deploy keeps serving)`);
    log(`render: ${what} is live`);
  }

  function checkImage(image: string) {
    const { imageRepository } = renderDeclared();
    if (!image.startsWith(`${imageRepository}:`))
      throw new ConfigError(`Render deploys only ${imageRepository}:<tag> (render.yaml's image), not ${image}`);
  }

  /** render.yaml's deploy settings onto both services: the pipeline, not a Blueprint sync, applies them. */
  async function applySettings() {
    const declared = renderDeclared();
    const settings = {
      web: {
        healthCheckPath: declared.web.healthCheckPath,
        maxShutdownDelaySeconds: declared.web.maxShutdownDelaySeconds,
        ...(declared.web.preDeployCommand ? { preDeployCommand: declared.web.preDeployCommand } : {}),
      },
      worker: {
        maxShutdownDelaySeconds: declared.worker.maxShutdownDelaySeconds,
        envSpecificDetails: { dockerCommand: declared.worker.dockerCommand },
      },
    };
    for (const role of ["web", "worker"] as const) {
      await call(`/services/${services[role]}`, `apply the ${role} service's settings`, "PATCH", {
        serviceDetails: settings[role],
      });
      await call(`/services/${services[role]}/scale`, `scale the ${role} service`, "POST", {
        numInstances: declared[role].numInstances,
      });
    }
  }

  async function deployImage(image: string) {
    checkImage(image);
    await applySettings();
    // The web service first: its pre-deploy command migrates before its new instances take traffic.
    for (const role of ["web", "worker"] as const) {
      const deploy = await call<Deploy>(`/services/${services[role]}/deploys`, `deploy the ${role} service`, "POST", {
        imageUrl: image,
      });
      log(`render: deploying ${image} to the ${role} service (deploy ${deploy.id})`);
      await follow(services[role], deploy, `the ${role} deploy of ${image}`);
    }
  }

  async function findPreview(pr: number): Promise<Service | undefined> {
    const name = `${renderDeclared().web.name}-pr-${pr}`;
    const list = await call<{ service: Service }[]>(
      `/services?name=${encodeURIComponent(name)}&limit=20`,
      "find the preview",
    );
    return list.map((entry) => entry.service).find((service) => service.name === name);
  }

  return {
    platform: "render",

    async currentImage() {
      return (await recentDeploys(services.web)).find((deploy) => deploy.status === "live")?.image?.ref;
    },

    deploy: deployImage,

    async verify(image) {
      const declared = renderDeclared();
      const problems: string[] = [];
      const { RENDER_BLUEPRINT_ID: blueprint } = requireEnv(env, ["RENDER_BLUEPRINT_ID"], "Render verification");
      const { autoSync } = await call<{ autoSync: boolean }>(`/blueprints/${blueprint}`, "read the Blueprint");
      if (autoSync !== false)
        problems.push(
          "render Blueprint: Auto Sync is on, so a push to render.yaml would redeploy outside the pipeline",
        );
      const expected = {
        web: {
          type: "web_service",
          healthCheckPath: declared.web.healthCheckPath,
          preDeployCommand: declared.web.preDeployCommand,
          dockerCommand: undefined,
          maxShutdownDelaySeconds: declared.web.maxShutdownDelaySeconds,
          numInstances: declared.web.numInstances,
        },
        worker: {
          type: "background_worker",
          healthCheckPath: undefined,
          preDeployCommand: undefined,
          dockerCommand: declared.worker.dockerCommand,
          maxShutdownDelaySeconds: declared.worker.maxShutdownDelaySeconds,
          numInstances: declared.worker.numInstances,
        },
      };
      for (const role of ["web", "worker"] as const) {
        const service = await call<Service>(`/services/${services[role]}`, `read the ${role} service`);
        const where = `render ${role}`;
        const details = service.serviceDetails;
        const applied = {
          type: service.type,
          healthCheckPath: details.healthCheckPath || undefined,
          preDeployCommand: details.envSpecificDetails?.preDeployCommand || undefined,
          dockerCommand: details.envSpecificDetails?.dockerCommand || undefined,
          maxShutdownDelaySeconds: details.maxShutdownDelaySeconds,
          numInstances: details.numInstances,
        };
        for (const [field, want] of Object.entries(expected[role])) {
          const got = applied[field as keyof typeof applied];
          if (got !== want)
            problems.push(`${where}: ${field} is ${JSON.stringify(got)}, render.yaml says ${JSON.stringify(want)}`);
        }
        if (service.repo || service.autoDeploy !== "no")
          problems.push(
            `${where}: builds ${service.repo ?? "a repository"} with auto-deploy ${service.autoDeploy}: a push would deploy it without CI`,
          );
        const live = (await recentDeploys(services[role])).find((deploy) => deploy.status === "live");
        if (live?.image?.ref !== image)
          problems.push(`${where}: the live deploy runs ${live?.image?.ref ?? "nothing"}, not ${image}`);
      }
      return problems;
    },

    async rollback(image) {
      checkImage(image);
      for (const role of ["web", "worker"] as const) {
        const previous = (await recentDeploys(services[role])).find(
          (deploy) => deploy.image?.ref === image && ["live", "deactivated"].includes(deploy.status),
        );
        if (!previous) {
          log(`render: no earlier ${role} deploy of ${image}: deploying it`);
          await deployImage(image);
          return;
        }
        const deploy = await call<Deploy>(
          `/services/${services[role]}/rollback`,
          `roll the ${role} service back`,
          "POST",
          {
            deployId: previous.id,
          },
        );
        await follow(services[role], deploy, `the ${role} rollback to ${image}`);
      }
    },

    async createPreview({ pr, image, databaseUrl }) {
      checkImage(image);
      const declared = renderDeclared();
      const variables = { ...declared.web.values, ...previewEnvironment(databaseUrl) };
      let service = await findPreview(pr);
      if (!service) {
        // A service of its own per pull request (not a Render service preview, which copies the base
        // service's environment and deploys at once: its pre-deploy command would migrate the base
        // service's database with the pull request's migrations).
        const owner = requireEnv(env, ["RENDER_OWNER_ID", "RENDER_REGISTRY_CREDENTIAL_ID"], "a Render preview");
        const created = await call<{ service: Service; deployId?: string }>("/services", "create the preview", "POST", {
          type: "web_service",
          name: `${declared.web.name}-pr-${pr}`,
          ownerId: owner.RENDER_OWNER_ID,
          image: {
            ownerId: owner.RENDER_OWNER_ID,
            imagePath: image,
            registryCredentialId: owner.RENDER_REGISTRY_CREDENTIAL_ID,
          },
          envVars: Object.entries(variables).map(([key, value]) => ({ key, value })),
          serviceDetails: {
            runtime: "image",
            plan: declared.web.plan,
            region: declared.web.region,
            healthCheckPath: declared.web.healthCheckPath,
            maxShutdownDelaySeconds: declared.web.maxShutdownDelaySeconds,
            numInstances: 1,
            ...(declared.web.preDeployCommand ? { preDeployCommand: declared.web.preDeployCommand } : {}),
          },
        });
        service = created.service;
        log(`render: created service ${service.name} (${service.id})`);
        if (created.deployId)
          await follow(service.id, { id: created.deployId, status: "created" }, "the preview's first deploy");
      } else {
        for (const [key, value] of Object.entries(variables))
          await call(`/services/${service.id}/env-vars/${key}`, `set ${key} on the preview`, "PUT", { value });
        const deploy = await call<Deploy>(`/services/${service.id}/deploys`, "deploy the preview", "POST", {
          imageUrl: image,
        });
        await follow(service.id, deploy, `the preview deploy of ${image}`);
      }
      const url = service.serviceDetails.url;
      if (!url) throw new PlatformError(`Render: service ${service.name} has no URL`);
      return { url: publicUrl(env, new URL(url).host) };
    },

    async destroyPreview(pr) {
      const service = await findPreview(pr);
      if (!service) {
        log(`render: no preview service for #${pr}: nothing to destroy`);
        return;
      }
      await call(`/services/${service.id}`, `delete ${service.name}`, "DELETE");
      log(`render: deleted ${service.name}`);
    },
  };
}
