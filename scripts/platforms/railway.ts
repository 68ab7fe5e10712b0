/**
 * Railway: two services (web and worker) deployed from the release image through Railway's public
 * GraphQL API (https://docs.railway.com/reference/public-api). A deployment from an image has no
 * code, so Railway never reads railway.json for it (config as code is read from a deployment's code:
 * https://docs.railway.com/reference/config-as-code): the pipeline itself sends each service the
 * deploy settings of its file (railway.json, railway.worker.json) with serviceInstanceUpdate before
 * serviceInstanceDeployV2, and reads them back with serviceInstance. Previews are ephemeral
 * environments copied from staging (https://docs.railway.com/integrations/api/manage-environments).
 *
 *   RAILWAY_TOKEN                          a project token (deploys) or RAILWAY_API_TOKEN, an account or
 *                                          workspace token (previews create environments: it is needed there)
 *   RAILWAY_PROJECT_ID, RAILWAY_ENVIRONMENT_ID
 *   RAILWAY_SERVICE_ID, RAILWAY_WORKER_SERVICE_ID
 *   RAILWAY_API_URL                        default https://backboard.railway.com/graphql/v2
 */
import { requireEnv, timingsFrom, type Env } from "./config";
import { PlatformError, pollUntil, requestJson } from "./http";
import { railwayDeclared, type RailwaySettings } from "./manifests";
import { PREVIEW_CLEARED, previewEnvironment, publicUrl, type DeployTarget, type Log } from "./target";

/** The worker's readiness port: Railway health-checks a service on its PORT variable. */
const WORKER_PORT = "3001";

const DONE = new Set(["SUCCESS", "FAILED", "CRASHED", "REMOVED", "SKIPPED"]);

interface Instance extends Omit<RailwaySettings, "preDeployCommand"> {
  preDeployCommand: unknown;
  source: { image: string | null; repo: string | null } | null;
  latestDeployment: { id: string; status: string } | null;
}

const INSTANCE_FIELDS = `source { image repo } preDeployCommand startCommand healthcheckPath healthcheckTimeout
  numReplicas overlapSeconds drainingSeconds restartPolicyType restartPolicyMaxRetries latestDeployment { id status }`;

export function railwayTarget(env: Env, log: Log): DeployTarget {
  const ids = requireEnv(
    env,
    ["RAILWAY_PROJECT_ID", "RAILWAY_ENVIRONMENT_ID", "RAILWAY_SERVICE_ID", "RAILWAY_WORKER_SERVICE_ID"],
    "Railway",
  );
  const accountToken = env.RAILWAY_API_TOKEN?.trim();
  const projectToken = env.RAILWAY_TOKEN?.trim();
  if (!accountToken && !projectToken) requireEnv(env, ["RAILWAY_TOKEN"], "Railway");
  const auth: Record<string, string> = accountToken
    ? { authorization: `Bearer ${accountToken}` }
    : { "project-access-token": projectToken! };
  const api = env.RAILWAY_API_URL?.trim() || "https://backboard.railway.com/graphql/v2";
  const timings = timingsFrom(env);
  const services = { web: ids.RAILWAY_SERVICE_ID, worker: ids.RAILWAY_WORKER_SERVICE_ID };

  async function graphql<T>(query: string, variables: Record<string, unknown>, what: string): Promise<T> {
    const answer = await requestJson<{ data?: T; errors?: { message: string }[] }>(api, {
      method: "POST",
      headers: auth,
      body: { query, variables },
      what: `Railway: ${what}`,
    });
    if (answer?.errors?.length)
      throw new PlatformError(`Railway: ${what}: ${answer.errors.map((error) => error.message).join("; ")}`);
    return answer!.data as T;
  }

  const instance = (environmentId: string, serviceId: string) =>
    graphql<{ serviceInstance: Instance }>(
      `query($environmentId: String!, $serviceId: String!) { serviceInstance(environmentId: $environmentId, serviceId: $serviceId) { ${INSTANCE_FIELDS} } }`,
      { environmentId, serviceId },
      "read the service's settings",
    ).then((data) => data.serviceInstance);

  async function upsertVariables(environmentId: string, serviceId: string, variables: Record<string, string>) {
    await graphql(
      `
        mutation ($input: VariableCollectionUpsertInput!) {
          variableCollectionUpsert(input: $input)
        }
      `,
      { input: { projectId: ids.RAILWAY_PROJECT_ID, environmentId, serviceId, variables, skipDeploys: true } },
      "set the service's variables",
    );
  }

  /** One service: its settings and image, then a deployment, followed until Railway says how it ended. */
  async function deployService(
    environmentId: string,
    role: "web" | "worker",
    image: string,
    settings: RailwaySettings,
  ) {
    const serviceId = services[role];
    await graphql(
      `
        mutation ($serviceId: String!, $environmentId: String!, $input: ServiceInstanceUpdateInput!) {
          serviceInstanceUpdate(serviceId: $serviceId, environmentId: $environmentId, input: $input)
        }
      `,
      { serviceId, environmentId, input: { ...settings, source: { image } } },
      `apply the ${role} service's settings`,
    );
    const { serviceInstanceDeployV2: deploymentId } = await graphql<{ serviceInstanceDeployV2: string }>(
      `
        mutation ($serviceId: String!, $environmentId: String!) {
          serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId)
        }
      `,
      { serviceId, environmentId },
      `deploy the ${role} service`,
    );
    log(`railway: deploying ${image} to the ${role} service (deployment ${deploymentId})`);
    const { deployment } = await pollUntil(
      () =>
        graphql<{ deployment: { status: string } }>(
          `
            query ($id: String!) {
              deployment(id: $id) {
                status
              }
            }
          `,
          { id: deploymentId },
          "read the deployment",
        ),
      (data) => DONE.has(data.deployment.status),
      { timeoutMs: timings.deployTimeoutMs, intervalMs: timings.pollIntervalMs, what: `Railway: ${role} deployment` },
    );
    if (deployment.status !== "SUCCESS")
      throw new PlatformError(
        `Railway: the ${role} deployment ended ${deployment.status} (the previous one keeps serving)`,
      );
    log(`railway: the ${role} service serves ${image}`);
  }

  async function deployTo(environmentId: string, image: string) {
    const declared = railwayDeclared();
    // The web service first: its pre-deploy command migrates before its new deployment takes traffic.
    await deployService(environmentId, "web", image, declared.web);
    // Railway health-checks a service on PORT: the worker's is its own readiness port.
    await upsertVariables(environmentId, services.worker, { PORT: WORKER_PORT, WORKER_PORT });
    await deployService(environmentId, "worker", image, declared.worker);
  }

  async function verifyIn(environmentId: string, image: string): Promise<string[]> {
    const declared = railwayDeclared();
    const problems: string[] = [];
    for (const role of ["web", "worker"] as const) {
      const applied = await instance(environmentId, services[role]);
      const where = `railway ${role}`;
      if (applied.source?.image !== image)
        problems.push(`${where}: source image ${applied.source?.image}, not ${image}`);
      if (applied.source?.repo)
        problems.push(`${where}: connected to ${applied.source.repo}, so a push would deploy it without CI`);
      if (applied.latestDeployment?.status !== "SUCCESS")
        problems.push(`${where}: latest deployment ${applied.latestDeployment?.status ?? "none"}, not SUCCESS`);
      const appliedPreDeploy = applied.preDeployCommand == null ? null : [applied.preDeployCommand].flat().map(String);
      const compare: [string, unknown, unknown][] = [
        ["preDeployCommand", appliedPreDeploy, declared[role].preDeployCommand],
        ...(
          [
            "startCommand",
            "healthcheckPath",
            "healthcheckTimeout",
            "numReplicas",
            "overlapSeconds",
            "drainingSeconds",
            "restartPolicyType",
            "restartPolicyMaxRetries",
          ] as const
        ).map((field): [string, unknown, unknown] => [field, applied[field] ?? null, declared[role][field]]),
      ];
      for (const [field, got, want] of compare) {
        if (JSON.stringify(got) !== JSON.stringify(want))
          problems.push(`${where}: ${field} is ${JSON.stringify(got)}, the manifest says ${JSON.stringify(want)}`);
      }
    }
    return problems;
  }

  async function previewEnvironmentId(pr: number): Promise<string | undefined> {
    const { environments } = await graphql<{ environments: { edges: { node: { id: string; name: string } }[] } }>(
      `
        query ($projectId: String!) {
          environments(projectId: $projectId, isEphemeral: true) {
            edges {
              node {
                id
                name
              }
            }
          }
        }
      `,
      { projectId: ids.RAILWAY_PROJECT_ID },
      "list the preview environments",
    );
    return environments.edges.find((edge) => edge.node.name === `pr-${pr}`)?.node.id;
  }

  return {
    platform: "railway",

    async currentImage() {
      const web = await instance(ids.RAILWAY_ENVIRONMENT_ID, services.web);
      return web.source?.image ?? undefined;
    },

    deploy: (image) => deployTo(ids.RAILWAY_ENVIRONMENT_ID, image),
    verify: (image) => verifyIn(ids.RAILWAY_ENVIRONMENT_ID, image),
    rollback: (image) => deployTo(ids.RAILWAY_ENVIRONMENT_ID, image),

    async createPreview({ pr, image, databaseUrl }) {
      let environmentId = await previewEnvironmentId(pr);
      let domain: string | undefined;
      if (!environmentId) {
        // A PR environment: a copy of the source environment's services, deployed by nobody yet.
        const { environmentCreate } = await graphql<{ environmentCreate: { id: string } }>(
          `
            mutation ($input: EnvironmentCreateInput!) {
              environmentCreate(input: $input) {
                id
              }
            }
          `,
          {
            input: {
              projectId: ids.RAILWAY_PROJECT_ID,
              name: `pr-${pr}`,
              sourceEnvironmentId: ids.RAILWAY_ENVIRONMENT_ID,
              ephemeral: true,
              skipInitialDeploys: true,
            },
          },
          `create environment pr-${pr}`,
        );
        environmentId = environmentCreate.id;
        const { serviceDomainCreate } = await graphql<{ serviceDomainCreate: { domain: string } }>(
          `
            mutation ($input: ServiceDomainCreateInput!) {
              serviceDomainCreate(input: $input) {
                domain
              }
            }
          `,
          { input: { environmentId, serviceId: services.web } },
          "create the preview's domain",
        );
        domain = serviceDomainCreate.domain;
        log(`railway: created environment pr-${pr} (${domain})`);
      } else {
        const { domains } = await graphql<{ domains: { serviceDomains: { domain: string }[] } }>(
          `
            query ($environmentId: String!, $projectId: String!, $serviceId: String!) {
              domains(environmentId: $environmentId, projectId: $projectId, serviceId: $serviceId) {
                serviceDomains {
                  domain
                }
              }
            }
          `,
          { environmentId, projectId: ids.RAILWAY_PROJECT_ID, serviceId: services.web },
          "read the preview's domain",
        );
        domain = domains.serviceDomains[0]?.domain;
        if (!domain) throw new PlatformError(`Railway: environment pr-${pr} has no domain`);
      }
      const url = publicUrl(env, domain);
      const variables = {
        ...Object.fromEntries(PREVIEW_CLEARED.map((name) => [name, ""])),
        ...previewEnvironment(databaseUrl, url),
      };
      for (const serviceId of Object.values(services)) await upsertVariables(environmentId, serviceId, variables);
      await deployTo(environmentId, image);
      const problems = await verifyIn(environmentId, image);
      if (problems.length) throw new PlatformError(`Railway: preview pr-${pr} differs: ${problems.join("; ")}`);
      return { url };
    },

    async destroyPreview(pr) {
      const environmentId = await previewEnvironmentId(pr);
      if (!environmentId) {
        log(`railway: no environment pr-${pr}: nothing to destroy`);
        return;
      }
      await graphql(
        `
          mutation ($id: String!) {
            environmentDelete(id: $id)
          }
        `,
        { id: environmentId },
        `delete pr-${pr}`,
      );
      log(`railway: deleted environment pr-${pr} and its deployments`);
    },
  };
}
