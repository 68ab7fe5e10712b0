import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { copyOf, loadDeployFiles, type DeployFiles } from "./rules";

type Json = ReturnType<typeof loadDeployFiles>["workflows"][string];

const DEPLOY = ".github/workflows/deploy.yml";
const ENVIRONMENT = ".github/workflows/deploy-environment.yml";
const PLATFORMS = {
  fly: "flyctl deploy",
  render: "imgURL=",
  railway: "scripts/deploy-railway",
  compose: "scripts/deploy-compose deploy",
};
const root = path.resolve(import.meta.dirname, "../../..");

const runs = (job: Json): string => (job.steps ?? []).map((step: Json) => step.run ?? "").join("\n");

/** The release pipeline's rules (issue 12): build once, staging then production, gate, roll back. */
function deployWorkflowRules({ workflows }: DeployFiles): string[] {
  const problems: string[] = [];
  const deploy = workflows[DEPLOY];
  const environment = workflows[ENVIRONMENT];
  if (!deploy || !environment) return [`${DEPLOY} and ${ENVIRONMENT} must exist`];

  const trigger = deploy.on?.workflow_run;
  if (
    !trigger?.workflows?.includes("CI") ||
    !trigger.types?.includes("completed") ||
    !trigger.branches?.includes("main")
  ) {
    problems.push("deploy.yml must run on workflow_run of CI, completed, on main");
  }
  const build = deploy.jobs?.build;
  if (!String(build?.if ?? "").includes("conclusion == 'success'"))
    problems.push("build must run only when CI succeeded");
  const push = (build?.steps ?? []).find((step: Json) =>
    String(step.uses ?? "").startsWith("docker/build-push-action@"),
  );
  if (!push || push.with?.push !== true) problems.push("build must push the image with docker/build-push-action");
  if (
    !String(push?.with?.secrets ?? "").includes("server_actions_key=${{ secrets.NEXT_SERVER_ACTIONS_ENCRYPTION_KEY }}")
  ) {
    problems.push("build must pass NEXT_SERVER_ACTIONS_ENCRYPTION_KEY as the server_actions_key BuildKit secret");
  }
  if (/SECRET|TOKEN|KEY/.test(String(push?.with?.["build-args"] ?? ""))) problems.push("no secret may be a build arg");
  if (!runs(build).includes("ghcr.io/") || !String(push?.with?.tags ?? "").includes("steps.image.outputs.image")) {
    problems.push("the image must be tagged ghcr.io/<repo>:<commit>");
  }
  const staging = deploy.jobs?.staging;
  const production = deploy.jobs?.production;
  for (const [name, job] of [
    ["staging", staging],
    ["production", production],
  ] as const) {
    if (job?.uses !== `./${ENVIRONMENT}` || job?.with?.environment !== name)
      problems.push(`${name} must call ${ENVIRONMENT} with environment ${name}`);
    if (job?.with?.image !== "${{ needs.build.outputs.image }}")
      problems.push(`${name} must deploy the image build pushed`);
  }
  if (![production?.needs].flat().includes("staging")) problems.push("production must wait for staging");

  for (const [platform, command] of Object.entries(PLATFORMS)) {
    const job = environment.jobs?.[platform];
    if (!job) {
      problems.push(`${ENVIRONMENT} has no ${platform} job`);
      continue;
    }
    if (job.if !== `vars.DEPLOY_TARGET == '${platform}'`)
      problems.push(`${platform}: must run only for DEPLOY_TARGET=${platform}`);
    if (job.environment?.name !== "${{ inputs.environment }}")
      problems.push(`${platform}: must run in the GitHub environment`);
    if (
      job.concurrency?.group !== "deploy-${{ inputs.environment }}" ||
      job.concurrency?.["cancel-in-progress"] !== false
    ) {
      problems.push(
        `${platform}: one deploy per environment at a time (concurrency deploy-<environment>, never cancelled)`,
      );
    }
    const steps: Json[] = job.steps ?? [];
    const index = (test: (step: Json) => boolean) => steps.findIndex(test);
    const deployAt = index((step) => step.name === "Deploy" && String(step.run).includes(command));
    const gateAt = index((step) =>
      /scripts\/release-gate\.ts --url "\$APP_URL" --commit "\$COMMIT" --smoke/.test(step.run ?? ""),
    );
    const rollback = steps.find((step) => step.name === "Roll back to the last good release");
    const summary = steps.find((step) => String(step.run ?? "").includes("GITHUB_STEP_SUMMARY"));
    if (deployAt < 0) problems.push(`${platform}: no Deploy step running ${command}`);
    if (gateAt < deployAt || gateAt < 0)
      problems.push(`${platform}: the health gate with the smoke suite must follow the deploy`);
    if (
      !rollback ||
      !String(rollback.if).startsWith("failure()") ||
      !String(rollback.run).includes('--commit "$PREVIOUS"')
    ) {
      problems.push(`${platform}: on failure, roll back to the previous commit and gate it`);
    }
    if (summary?.if !== "always()" || !/DEPLOY_SECONDS/.test(summary.run) || !/ROLLBACK_SECONDS/.test(summary.run)) {
      problems.push(`${platform}: the job summary must record deploy and rollback durations`);
    }
  }
  for (const script of ["scripts/release-gate.ts", "scripts/deploy-compose", "scripts/deploy-railway"]) {
    if (!existsSync(path.join(root, script))) problems.push(`${script} is missing`);
  }
  return problems;
}

const files = loadDeployFiles();

describe("the release pipeline (.github/workflows/deploy.yml)", () => {
  it("builds once after CI, deploys staging then production, gates, rolls back and reports durations", () => {
    expect(deployWorkflowRules(files)).toEqual([]);
  });

  it("fails when production does not wait for staging", () => {
    const broken = copyOf(files);
    broken.workflows[DEPLOY].jobs.production.needs = ["build"];
    expect(deployWorkflowRules(broken)).toContain("production must wait for staging");
  });

  it("fails when the server-actions key becomes a build arg", () => {
    const broken = copyOf(files);
    const push = broken.workflows[DEPLOY].jobs.build.steps.find((step: Json) => step.id === "build");
    push.with["build-args"] += "NEXT_SERVER_ACTIONS_ENCRYPTION_KEY=${{ secrets.NEXT_SERVER_ACTIONS_ENCRYPTION_KEY }}\n";
    delete push.with.secrets;
    expect(deployWorkflowRules(broken)).toEqual(
      expect.arrayContaining([
        "no secret may be a build arg",
        "build must pass NEXT_SERVER_ACTIONS_ENCRYPTION_KEY as the server_actions_key BuildKit secret",
      ]),
    );
  });

  it("fails when a platform job loses its automatic rollback", () => {
    const broken = copyOf(files);
    const job = broken.workflows[ENVIRONMENT].jobs.render;
    job.steps = job.steps.filter((step: Json) => step.name !== "Roll back to the last good release");
    expect(deployWorkflowRules(broken)).toContain("render: on failure, roll back to the previous commit and gate it");
  });

  it("fails when two deploys of one environment may overlap", () => {
    const broken = copyOf(files);
    broken.workflows[ENVIRONMENT].jobs.fly.concurrency["cancel-in-progress"] = true;
    expect(deployWorkflowRules(broken)).toContain(
      "fly: one deploy per environment at a time (concurrency deploy-<environment>, never cancelled)",
    );
  });

  it("fails when the smoke suite no longer runs after the deploy", () => {
    const broken = copyOf(files);
    for (const step of broken.workflows[ENVIRONMENT].jobs.compose.steps) {
      if (typeof step.run === "string") step.run = step.run.replace(" --smoke", "");
    }
    expect(deployWorkflowRules(broken)).toContain(
      "compose: the health gate with the smoke suite must follow the deploy",
    );
  });
});
