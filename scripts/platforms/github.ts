/**
 * A pull request's preview as a GitHub deployment: created with the preview, its status `success`
 * with the preview's URL (shown on the pull request), `failure` when the preview failed its gate,
 * and `inactive` once the preview is destroyed. REST API: https://docs.github.com/rest/deployments.
 *
 *   GITHUB_TOKEN, GITHUB_REPOSITORY (owner/repo), GITHUB_API_URL (default https://api.github.com)
 */
import { requireEnv, type Env } from "./config";
import { requestJson } from "./http";
import type { Log } from "./target";

export interface PreviewDeployments {
  /** A deployment of `ref` to the preview's environment, and its status. */
  report(ref: string, state: "success" | "failure", url: string | undefined, description: string): Promise<void>;
  /** Every deployment of the preview's environment marked inactive. */
  deactivate(): Promise<void>;
}

export function previewDeployments(env: Env, pr: number, log: Log): PreviewDeployments {
  const { GITHUB_TOKEN: token, GITHUB_REPOSITORY: repository } = requireEnv(
    env,
    ["GITHUB_TOKEN", "GITHUB_REPOSITORY"],
    "a preview's GitHub deployment",
  );
  const api = `${(env.GITHUB_API_URL?.trim() || "https://api.github.com").replace(/\/$/, "")}/repos/${repository}`;
  const headers = { authorization: `Bearer ${token}`, "x-github-api-version": "2022-11-28" };
  const environment = `pr-${pr}`;

  const setStatus = (id: number, state: string, url: string | undefined, description: string) =>
    requestJson(`${api}/deployments/${id}/statuses`, {
      method: "POST",
      headers,
      body: { state, description, ...(url ? { environment_url: url } : {}), auto_inactive: true },
      what: `GitHub: deployment status ${state}`,
    });

  return {
    async report(ref, state, url, description) {
      const deployment = await requestJson<{ id: number }>(`${api}/deployments`, {
        method: "POST",
        headers,
        body: {
          ref,
          environment,
          description: `Preview of #${pr}`,
          transient_environment: true,
          production_environment: false,
          auto_merge: false,
          required_contexts: [],
        },
        what: "GitHub: create the preview's deployment",
      });
      await setStatus(deployment.id, state, url, description);
      log(`github: ${environment} ${state}${url ? ` at ${url}` : ""}`);
    },

    async deactivate() {
      const deployments = await requestJson<{ id: number }[]>(
        `${api}/deployments?environment=${encodeURIComponent(environment)}&per_page=100`,
        { headers, what: "GitHub: list the preview's deployments" },
      );
      for (const deployment of deployments) await setStatus(deployment.id, "inactive", undefined, "Preview destroyed");
      log(`github: ${environment} inactive (${deployments.length} deployment(s))`);
    },
  };
}
