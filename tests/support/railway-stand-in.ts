import { randomUUID } from "node:crypto";
import { buildSchema, graphql, parse, validate, type GraphQLSchema, type OperationDefinitionNode } from "graphql";
import { readSchemaFile, startStandInServer, type StandInServer } from "./platform-stand-in";

/**
 * A local stand-in for Railway's public GraphQL API, for scripts/platforms/railway.ts. Every request
 * is parsed, validated and executed against platform-schemas/railway-public-api.graphql (Railway's
 * published types), so a query Railway would refuse is refused here with GraphQL errors. Behind it,
 * a small Railway: environments, service instances with their deploy settings, deployments that run
 * the pre-deploy command first, wait for the health check on the service's PORT, then take over from
 * the previous deployment (https://docs.railway.com/reference/deployments).
 */

export interface RailwaySettingsState {
  preDeployCommand: string[] | null;
  startCommand: string | null;
  healthcheckPath: string | null;
  healthcheckTimeout: number | null;
  numReplicas: number | null;
  overlapSeconds: number | null;
  drainingSeconds: number | null;
  restartPolicyType: string;
  restartPolicyMaxRetries: number;
}

export interface RailwayInstance extends RailwaySettingsState {
  serviceId: string;
  environmentId: string;
  source: { image: string | null; repo: string | null };
  variables: Record<string, string>;
  domain?: string;
  activeDeploymentId?: string;
}

interface Deployment {
  id: string;
  serviceId: string;
  environmentId: string;
  status: string;
  image: string | null;
  /** The settings the deployment went out with. */
  settings: RailwaySettingsState;
  createdAt: string;
}

const DEFAULTS: RailwaySettingsState = {
  preDeployCommand: null,
  startCommand: null,
  healthcheckPath: null,
  healthcheckTimeout: 300,
  numReplicas: 1,
  overlapSeconds: null,
  drainingSeconds: null,
  restartPolicyType: "ON_FAILURE",
  restartPolicyMaxRetries: 10,
};

export interface RailwayStandIn extends StandInServer {
  /** RAILWAY_API_URL for the scripts. */
  apiUrl: string;
  projectToken: string;
  accountToken: string;
  ids: { projectId: string; environmentId: string; webServiceId: string; workerServiceId: string };
  instance: (environmentId: string, serviceId: string) => RailwayInstance;
  deployments: Deployment[];
  environments: Map<string, { id: string; name: string; isEphemeral: boolean }>;
  /** Puts `image` live in the staging environment, as an earlier release left it (no call recorded). */
  seedRelease: (image: string, settings?: Partial<RailwaySettingsState>) => void;
  /** The variables Railway runs a service instance with. */
  variablesOf: (environmentId: string, serviceId: string) => Record<string, string>;
}

export async function startRailwayStandIn(): Promise<RailwayStandIn> {
  const schema: GraphQLSchema = buildSchema(readSchemaFile("railway-public-api.graphql"));
  const ids: RailwayStandIn["ids"] = {
    projectId: randomUUID(),
    environmentId: randomUUID(),
    webServiceId: randomUUID(),
    workerServiceId: randomUUID(),
  };
  const projectToken = `project-${randomUUID()}`;
  const accountToken = `account-${randomUUID()}`;
  const environments = new Map<string, { id: string; name: string; isEphemeral: boolean }>([
    [ids.environmentId, { id: ids.environmentId, name: "staging", isEphemeral: false }],
  ]);
  const instances = new Map<string, RailwayInstance>();
  const deployments: Deployment[] = [];
  const role = (serviceId: string) => (serviceId === ids.webServiceId ? "web" : "worker");

  const instance = (environmentId: string, serviceId: string): RailwayInstance => {
    const key = `${environmentId}/${serviceId}`;
    if (!environments.has(environmentId) || ![ids.webServiceId, ids.workerServiceId].includes(serviceId))
      throw new Error("ServiceInstance not found");
    if (!instances.has(key))
      instances.set(key, { ...DEFAULTS, serviceId, environmentId, source: { image: null, repo: null }, variables: {} });
    return instances.get(key)!;
  };
  const settingsOf = (current: RailwayInstance): RailwaySettingsState =>
    Object.fromEntries(
      Object.keys(DEFAULTS).map((field) => [field, current[field as keyof RailwaySettingsState]]),
    ) as never;

  /** A deployment's life, as Railway documents it: pre-deploy command, health check, then traffic. */
  function run(deployment: Deployment, current: RailwayInstance) {
    const where = `railway ${environments.get(current.environmentId)!.name} ${role(current.serviceId)}`;
    const image = deployment.image;
    const fail = (reason: string) => {
      deployment.status = "FAILED";
      server.record({ kind: "failed", where, image: image ?? "", reason });
    };
    if (!image) return fail("the service has no source");
    const preDeploy = deployment.settings.preDeployCommand;
    if (preDeploy?.length) {
      server.record({ kind: "migrate", where, image, command: preDeploy });
      if (server.images.failsMigration.has(image)) return fail("the pre-deploy command exited 1");
    }
    // Railway probes the service's PORT: the web server listens there; the worker on WORKER_PORT.
    const variables = current.variables;
    const listensOnProbedPort =
      role(current.serviceId) === "web" || (variables.PORT ?? "") === (variables.WORKER_PORT ?? "3001");
    if (deployment.settings.healthcheckPath && !listensOnProbedPort)
      return fail("the health check found nothing on PORT");
    if (!server.images.passesHealthCheck(image, deployment.settings.healthcheckPath))
      return fail("the health check never answered 200");
    const previous = deployments.find((candidate) => candidate.id === current.activeDeploymentId);
    if (previous) previous.status = "REMOVED";
    deployment.status = "SUCCESS";
    current.activeDeploymentId = deployment.id;
    server.record({ kind: "traffic", where, image });
  }

  const requireAccount = (context: { account: boolean }) => {
    if (!context.account)
      throw new Error("Not Authorized: a project token cannot do this; use an account or workspace token");
  };

  const rootValue = {
    serviceInstance: ({ environmentId, serviceId }: { environmentId: string; serviceId: string }) => {
      const current = instance(environmentId, serviceId);
      const latest = deployments
        .filter((candidate) => candidate.serviceId === serviceId && candidate.environmentId === environmentId)
        .at(-1);
      return {
        ...current,
        id: `${environmentId}/${serviceId}`,
        serviceName: role(serviceId) === "web" ? "slipway" : "slipway-worker",
        latestDeployment: latest && { ...latest, projectId: ids.projectId },
      };
    },
    deployment: ({ id }: { id: string }) => {
      const found = deployments.find((candidate) => candidate.id === id);
      if (!found) throw new Error("Deployment not found");
      return { ...found, projectId: ids.projectId };
    },
    environments: ({ projectId, isEphemeral }: { projectId: string; isEphemeral?: boolean }) => {
      if (projectId !== ids.projectId) throw new Error("Project not found");
      const nodes = [...environments.values()].filter(
        (candidate) => isEphemeral === undefined || candidate.isEphemeral === isEphemeral,
      );
      return {
        edges: nodes.map((node) => ({
          cursor: node.id,
          node: { ...node, projectId, createdAt: new Date().toISOString() },
        })),
        pageInfo: { hasNextPage: false, hasPreviousPage: false },
      };
    },
    domains: ({ environmentId, serviceId }: { environmentId: string; serviceId: string }) => {
      const current = instance(environmentId, serviceId);
      return {
        serviceDomains: current.domain
          ? [{ id: current.domain, domain: current.domain, environmentId, serviceId }]
          : [],
      };
    },
    serviceInstanceUpdate: ({
      environmentId,
      serviceId,
      input,
    }: {
      environmentId: string;
      serviceId: string;
      input: Record<string, unknown>;
    }) => {
      const current = instance(environmentId, serviceId);
      const {
        source,
        registryCredentials: _credentials,
        ...settings
      } = input as { source?: { image?: string; repo?: string } } & Record<string, unknown>;
      Object.assign(current, settings);
      if (source) current.source = { image: source.image ?? null, repo: source.repo ?? null };
      return true;
    },
    serviceInstanceDeployV2: ({ environmentId, serviceId }: { environmentId: string; serviceId: string }) => {
      const current = instance(environmentId, serviceId);
      const deployment: Deployment = {
        id: randomUUID(),
        serviceId,
        environmentId,
        status: "DEPLOYING",
        image: current.source.image,
        settings: settingsOf(current),
        createdAt: new Date().toISOString(),
      };
      deployments.push(deployment);
      run(deployment, current);
      return deployment.id;
    },
    variableCollectionUpsert: ({
      input,
    }: {
      input: {
        projectId: string;
        environmentId: string;
        serviceId?: string;
        variables: Record<string, string>;
        replace?: boolean;
      };
    }) => {
      if (input.projectId !== ids.projectId) throw new Error("Project not found");
      for (const serviceId of input.serviceId ? [input.serviceId] : [ids.webServiceId, ids.workerServiceId]) {
        const current = instance(input.environmentId, serviceId);
        current.variables = { ...(input.replace ? {} : current.variables), ...input.variables };
      }
      return true;
    },
    environmentCreate: (
      { input }: { input: { projectId: string; name: string; sourceEnvironmentId?: string; ephemeral?: boolean } },
      context: { account: boolean },
    ) => {
      requireAccount(context);
      if (input.projectId !== ids.projectId) throw new Error("Project not found");
      if ([...environments.values()].some((candidate) => candidate.name === input.name))
        throw new Error("Environment name taken");
      const created = { id: randomUUID(), name: input.name, isEphemeral: input.ephemeral ?? false };
      environments.set(created.id, created);
      // A copy of the source environment's services: settings and variables, never its deployments.
      for (const serviceId of [ids.webServiceId, ids.workerServiceId]) {
        const source = input.sourceEnvironmentId ? instance(input.sourceEnvironmentId, serviceId) : undefined;
        instances.set(`${created.id}/${serviceId}`, {
          ...(source ? settingsOf(source) : DEFAULTS),
          serviceId,
          environmentId: created.id,
          source: { ...(source?.source ?? { image: null, repo: null }) },
          variables: { ...(source?.variables ?? {}) },
        });
      }
      return { ...created, projectId: ids.projectId, createdAt: new Date().toISOString() };
    },
    environmentDelete: ({ id }: { id: string }, context: { account: boolean }) => {
      requireAccount(context);
      if (!environments.delete(id)) throw new Error("Environment not found");
      for (const key of [...instances.keys()]) if (key.startsWith(`${id}/`)) instances.delete(key);
      for (const deployment of deployments) if (deployment.environmentId === id) deployment.status = "REMOVED";
      return true;
    },
    serviceDomainCreate: ({ input }: { input: { environmentId: string; serviceId: string } }) => {
      const current = instance(input.environmentId, input.serviceId);
      current.domain = `slipway-${environments.get(input.environmentId)!.name}.up.railway.app`;
      return {
        id: current.domain,
        domain: current.domain,
        environmentId: input.environmentId,
        serviceId: input.serviceId,
      };
    },
  };

  const server: StandInServer = await startStandInServer(
    async ({ method, path, headers, body }) => {
      if (method !== "POST" || path !== "/graphql/v2") return { status: 404, body: { error: "not found" } };
      const account = headers.authorization === `Bearer ${accountToken}`;
      if (!account && headers["project-access-token"] !== projectToken)
        return { status: 200, body: { errors: [{ message: "Not Authorized" }] } };
      const { query, variables } = (body ?? {}) as { query?: string; variables?: Record<string, unknown> };
      let document;
      try {
        document = parse(String(query ?? ""));
      } catch (error) {
        return { status: 400, body: { errors: [{ message: String((error as Error).message) }] } };
      }
      const operation = (document.definitions[0] as OperationDefinitionNode | undefined)?.selectionSet.selections[0];
      const operationName = operation && "name" in operation ? operation.name.value : undefined;
      const invalid = validate(schema, document);
      if (invalid.length)
        return {
          status: 400,
          body: { errors: invalid.map((error) => ({ message: error.message })) },
          operation: operationName,
        };
      const result = await graphql({
        schema,
        source: String(query),
        rootValue,
        variableValues: variables,
        contextValue: { account },
      });
      return { status: 200, body: result, operation: operationName };
    },
    (domain) => {
      for (const current of instances.values()) {
        if (current.domain !== domain) continue;
        return deployments.find((deployment) => deployment.id === current.activeDeploymentId)?.image ?? undefined;
      }
      return undefined;
    },
  );

  return {
    ...server,
    apiUrl: `${server.url}/graphql/v2`,
    projectToken,
    accountToken,
    ids,
    instance,
    deployments,
    environments,
    variablesOf: (environmentId, serviceId) => instance(environmentId, serviceId).variables,
    seedRelease(image, settings = {}) {
      for (const serviceId of [ids.webServiceId, ids.workerServiceId]) {
        const current = instance(ids.environmentId, serviceId);
        Object.assign(current, settings);
        current.source = { image, repo: null };
        if (serviceId === ids.webServiceId) current.domain = "slipway-staging.up.railway.app";
        const deployment: Deployment = {
          id: randomUUID(),
          serviceId,
          environmentId: ids.environmentId,
          status: "SUCCESS",
          image,
          settings: settingsOf(current),
          createdAt: new Date().toISOString(),
        };
        deployments.push(deployment);
        current.activeDeploymentId = deployment.id;
      }
    },
  };
}
