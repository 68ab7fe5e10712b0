import { randomBytes } from "node:crypto";
import { startStandInServer, type StandInServer } from "./platform-stand-in";

/**
 * A local stand-in for the GitHub REST API's deployments (https://docs.github.com/rest/deployments):
 * what scripts/platforms/github.ts posts for a pull request's preview. It keeps each deployment and
 * its statuses, newest last, and answers with GitHub's status codes and fields.
 */

export interface GithubDeployment {
  id: number;
  ref: string;
  environment: string;
  transient_environment: boolean;
  production_environment: boolean;
  statuses: { state: string; environment_url?: string; description?: string }[];
}

export interface GithubStandIn extends StandInServer {
  /** GITHUB_API_URL for the scripts. */
  apiUrl: string;
  token: string;
  repository: string;
  deployments: GithubDeployment[];
}

const STATES = new Set(["error", "failure", "inactive", "in_progress", "queued", "pending", "success"]);

export async function startGithubStandIn(): Promise<GithubStandIn> {
  const token = `ghs_${randomBytes(16).toString("hex")}`;
  const repository = "slipway-dev/slipway";
  const deployments: GithubDeployment[] = [];
  const base = `/repos/${repository}`;
  const server = await startStandInServer(
    ({ method, path, query, headers, body }) => {
      if (headers.authorization !== `Bearer ${token}`) return { status: 401, body: { message: "Bad credentials" } };
      if (path === `${base}/deployments` && method === "POST") {
        const input = body as Partial<GithubDeployment> & { required_contexts?: string[] };
        if (!input.ref || !input.environment)
          return { status: 422, body: { message: "ref and environment are required" } };
        const deployment: GithubDeployment = {
          id: deployments.length + 1,
          ref: input.ref,
          environment: input.environment,
          transient_environment: Boolean(input.transient_environment),
          production_environment: Boolean(input.production_environment),
          statuses: [],
        };
        deployments.push(deployment);
        return { status: 201, body: { id: deployment.id, ref: deployment.ref, environment: deployment.environment } };
      }
      if (path === `${base}/deployments` && method === "GET") {
        const environment = query.get("environment");
        return {
          status: 200,
          body: deployments.filter((deployment) => !environment || deployment.environment === environment).reverse(),
        };
      }
      const match = new RegExp(`^${base}/deployments/(\\d+)/statuses$`).exec(path);
      const deployment = match && deployments.find((candidate) => candidate.id === Number(match[1]));
      if (deployment && method === "POST") {
        const input = body as { state?: string; environment_url?: string; description?: string };
        if (!input.state || !STATES.has(input.state)) return { status: 422, body: { message: "state is invalid" } };
        if ((input.description ?? "").length > 140)
          return { status: 422, body: { message: "description is too long" } };
        deployment.statuses.push({
          state: input.state,
          environment_url: input.environment_url,
          description: input.description,
        });
        return { status: 201, body: { state: input.state } };
      }
      return { status: 404, body: { message: "Not Found" } };
    },
    () => undefined,
  );
  return { ...server, apiUrl: server.url, token, repository, deployments };
}
